import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.services import display_name
from yorisoi.roles import is_org_admin
from yorisoi.wagtail_hooks import manageable_users

from . import notices, services
from .forms import ConfirmDeletionForm, PasswordCheckForm
from .models import AccessRecord, NoticeAcknowledgement
from .registry import DELETED_NAME

ACCESS_PAGE_SIZE = 50
# How long a re-entered password allows the confirmation step to delete the account.
PASSWORD_CHECK_SECONDS = 600
PASSWORD_CHECKED = "privacy_password_checked_at"


def notice(request):
    """The privacy notice (public): what we keep, why, how long, who sees it, your rights."""
    return render(
        request,
        "privacy/notice.html",
        {
            "organisation": settings.YORISOI_ORGANISATION_NAME,
            "contact": settings.YORISOI_PRIVACY_CONTACT,
            "retention_days": settings.YORISOI_TRANSCRIPT_RETENTION_DAYS,
        },
    )


def download(data: dict, user) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"yorisoi-data-{user.pk}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- The learner's own page -------------------------------------------------------------------


@never_cache
@login_required
def my_privacy(request):
    records = AccessRecord.objects.filter(learner=request.user).select_related("viewer")
    page = Paginator(records, ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/mine.html",
        {
            "page": page,
            "records": [(r, display_name(r.viewer) if r.viewer else DELETED_NAME) for r in page],
        },
    )


@require_POST
@login_required
def my_export(request):
    return download(services.export_data(request.user, by=request.user), request.user)


@never_cache
@login_required
def my_deletion(request):
    """Two steps: the password again, then a confirmation that shows what will happen."""
    user = request.user
    refused = services.deletion_refused(user, user)
    checked_at = request.session.get(PASSWORD_CHECKED, 0)
    password_fresh = time.time() - checked_at < PASSWORD_CHECK_SECONDS
    deleting = request.POST.get("step") == "delete" and password_fresh and not refused
    if request.method == "POST" and deleting:
        form = ConfirmDeletionForm(request.POST)
        if form.is_valid():
            services.delete_account(user, by=user)
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("privacy:notice")
        return confirmation_page(request, user, form, status=400)
    if request.method == "POST" and not refused:
        form = PasswordCheckForm(request, request.POST)
        if form.is_valid():
            request.session[PASSWORD_CHECKED] = time.time()
            return confirmation_page(request, user, ConfirmDeletionForm())
        status = 400
    else:
        form, status = PasswordCheckForm(request), 200
    return render(
        request,
        "privacy/delete_password.html",
        {"form": form, "refused": refused},
        status=status,
    )


def confirmation_page(request, user, form, status=200):
    return render(
        request,
        "privacy/delete_confirm.html",
        {"form": form, "summary": services.deletion_summary(user), "subject": user},
        status=status,
    )


@never_cache
@login_required
def practice_notice(request):
    """Shown once, before a learner's first practice session."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    if request.method == "POST":
        notices.acknowledge(request.user, NoticeAcknowledgement.PRACTICE)
        messages.success(request, _("Thank you. You can start practising now."))
        return redirect(next_url or "roleplay_scenarios")
    return render(request, "privacy/practice_notice.html", {"next": next_url})


# --- An org admin, for someone else -----------------------------------------------------------


def managed_user(request, user_id):
    """A user the org admin may manage; anyone else is a 404. Superusers are managed by
    superusers only, and one's own account from one's own privacy page."""
    if not is_org_admin(request.user):
        raise Http404
    user = get_object_or_404(manageable_users(request.user), pk=user_id)
    if user.pk == request.user.pk:
        raise Http404
    return user


@never_cache
@login_required
def user_privacy(request, user_id):
    return user_page(request, managed_user(request, user_id), ConfirmDeletionForm())


def user_page(request, user, form, status=200):
    return render(
        request,
        "privacy/user.html",
        {
            "subject": user,
            "name": display_name(user),
            "summary": services.deletion_summary(user),
            "refused": services.deletion_refused(user, request.user),
            "form": form,
        },
        status=status,
    )


@require_POST
@login_required
def user_export(request, user_id):
    user = managed_user(request, user_id)
    return download(services.export_data(user, by=request.user), user)


@require_POST
@login_required
def user_deletion(request, user_id):
    user = managed_user(request, user_id)
    form = ConfirmDeletionForm(request.POST)
    if form.is_valid():
        try:
            services.delete_account(user, by=request.user)
        except services.PrivacyError as error:
            messages.error(request, error.message)
            return redirect("privacy:user", user_id=user.pk)
        messages.success(request, _("The account has been deleted."))
        return redirect("wagtailusers_users:index")
    return user_page(request, user, form, status=400)
