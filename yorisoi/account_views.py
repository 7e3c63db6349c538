"""Two-step sign-in pages: set up an authenticator, enter a code, manage it, and (org admins)
reset someone else's. The rules live in yorisoi/two_factor.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import two_factor
from .roles import is_trainer


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, strip=True)


def _next_url(request) -> str:
    """Where the sign-in was going: a local ?next= or the user's landing page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("trainer_cohorts" if is_trainer(request.user) else "home")


@never_cache
@login_required
def setup(request):
    if not two_factor.may_set_up(request):
        return redirect(two_factor.step_url("two_factor_verify", _next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_setup(request, form.cleaned_data["code"])
        except two_factor.AlreadySetUp as done:
            # No new QR code: scanning one would replace the authenticator just confirmed.
            messages.info(request, str(done))
            return redirect("two_factor")
        except two_factor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            # Shown in this response only: the codes are not kept anywhere they can be read.
            return render(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    device = two_factor.pending_device(request.user)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "required": two_factor.required_for(request.user),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def verify(request):
    if two_factor.is_verified(request) or not two_factor.has_authenticator(request.user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify(request, form.cleaned_data["code"])
        except two_factor.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def settings_page(request):
    """The account's two-step sign-in: on or off, backup codes left, and what can be done."""
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "enabled": two_factor.has_authenticator(user),
            "required": two_factor.required_for(user),
            "backup_codes_left": two_factor.backup_codes_left(user),
        },
    )


@require_POST
@login_required
def backup_codes(request):
    try:
        codes = two_factor.regenerate_backup_codes(request)
    except two_factor.TwoFactorError as error:
        messages.error(request, str(error))
        return redirect("two_factor")
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": resolve_url("two_factor")},
    )


@require_POST
@login_required
def disable(request):
    try:
        two_factor.disable(request)
    except two_factor.TwoFactorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-step sign-in is off."))
    return redirect("two_factor")


@never_cache
@login_required
def reset(request, user_id):
    """An org admin removes another account's authenticator and backup codes."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not two_factor.may_reset(request.user, user):
        raise PermissionDenied
    if request.method == "POST":
        two_factor.reset(user, by=request.user)
        messages.success(
            request,
            _(
                "Two-step sign-in was reset for %(name)s. "
                "They set it up again at their next sign-in."
            )
            % {"name": user.get_full_name() or user.get_username()},
        )
        return redirect("wagtailusers_users:index")
    return render(
        request,
        "registration/two_factor_reset.html",
        {"account": user, "enabled": two_factor.has_authenticator(user)},
    )
