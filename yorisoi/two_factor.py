"""Two-step sign-in (TOTP, with django-otp): required for trainers, org admins and superusers,
a choice for everyone else.

A sign-in is complete when the password was right and, for an account that has an
authenticator, the session was verified with a code from it. `TwoFactorMiddleware` enforces
this on every request, whichever login view the password went through (ours or Wagtail's at
/admin/login/): an account that needs the second step reaches only the pages that complete it.

Wrong codes are throttled by django-otp itself: each device waits 1, 2, 4, 8 … seconds after
successive failures before it checks another code (`ThrottlingMixin`), so six digits cannot be
guessed. Backup codes (single-use static tokens) let someone who lost their phone in; an org
admin can reset another account's devices, which is written to the audit log.
"""

import functools
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from .roles import is_org_admin, is_trainer

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
BACKUP_NAME = "backup codes"
# Set at sign-in for an account with an authenticator that is not required to have one (a
# trainee who turned it on), so that their requests need no device lookup to know it.
PENDING_SESSION_KEY = "yorisoi_two_factor_pending"

ENABLED_ACTION = "yorisoi.two_factor.enable"
DISABLED_ACTION = "yorisoi.two_factor.disable"
RESET_ACTION = "yorisoi.two_factor.reset"
BACKUP_CODES_ACTION = "yorisoi.two_factor.backup_codes"

_TOTP_CODE = re.compile(r"\d{6}")


def _wrong_code() -> str:
    return _("That code is not right. Check the time on your phone and try again.")


class TwoFactorError(Exception):
    """A code or request that cannot be accepted; the message is safe to show."""


class AlreadySetUp(TwoFactorError):
    """A confirmation that finds the setup finished already: most often the second request
    of a double click on the confirm button, whose first request showed the backup codes in
    a response the browser then dropped."""


def _account(user):
    """The user model instance behind request.user's lazy proxy, which the audit log cannot
    file an entry under."""
    return get_user_model()._default_manager.get(pk=user.pk)


def required_for(user) -> bool:
    """Trainers, org admins and superusers may not sign in with a password alone."""
    return user.is_authenticated and (user.is_superuser or is_trainer(user))


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def is_verified(request) -> bool:
    user = request.user
    return getattr(user, "otp_device", None) is not None


# --- Setting up an authenticator ---------------------------------------------------------------


def may_set_up(request) -> bool:
    """A new authenticator may be added by someone without one, or in a session verified with
    the current one: a password alone must never replace somebody's phone."""
    return not has_authenticator(request.user) or is_verified(request)


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device per user, kept until it is
    confirmed, so the QR code stays the same when the setup page is reloaded."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it when typed in: base32 in groups of four."""
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no request leaves the site)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def confirm_setup(request, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; it replaces any earlier one, the
    session counts as verified, and a fresh set of backup codes is returned (shown once)."""
    user = _account(request.user)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None and has_authenticator(user):
            raise AlreadySetUp(
                _(
                    "Your authenticator is set up already. If you did not see your backup "
                    "codes, make a new set here."
                )
            )
        if device is None:
            error = _("Start the setup again: the page was out of date.")
        else:
            error = code_error(device, code)
        if error is None:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_backup_codes(user)
            otp_login(request, device)
            request.session.pop(PENDING_SESSION_KEY, None)
            log(user, ENABLED_ACTION, user=user)
    # Raised only now: a failure must stay counted by the throttle, not roll back with it.
    if error is not None:
        raise TwoFactorError(error)
    return codes


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with a new set and return them (they are not shown
    again)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def regenerate_backup_codes(request) -> list[str]:
    if not is_verified(request):
        raise TwoFactorError(_("Enter a code from your authenticator first."))
    user = _account(request.user)
    codes = new_backup_codes(user)
    log(user, BACKUP_CODES_ACTION, user=user)
    return codes


# --- Verifying a sign-in -------------------------------------------------------------------------


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def code_error(device, code: str) -> str | None:
    """Check a code on one device, throttled by django-otp: None when it is right, else what
    to tell the user. A wrong code is counted on the device, so the caller must not roll the
    transaction back because of it."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        if details and "failure_count" in details:
            return _("Too many wrong codes. Wait a little and try again.")
        return _("This code cannot be checked now. Try again later.")
    if not device.verify_token(_normalised(code)):
        return _wrong_code()
    return None


def verify(request, code: str) -> None:
    """Complete the sign-in with a code from the authenticator (six digits) or a backup code."""
    code = _normalised(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        device = (
            model.objects.devices_for_user(request.user, confirmed=True)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        error = _wrong_code() if device is None else code_error(device, code)
        if error is None:
            otp_login(request, device)
            request.session.pop(PENDING_SESSION_KEY, None)
    if error is not None:
        raise TwoFactorError(error)


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Turning it off, resetting -------------------------------------------------------------------


@transaction.atomic
def disable(request) -> None:
    """Someone for whom it is optional turns two-step sign-in off, from a verified session."""
    if required_for(request.user):
        raise TwoFactorError(_("Your role requires two-step sign-in."))
    if not is_verified(request):
        raise TwoFactorError(_("Enter a code from your authenticator first."))
    user = _account(request.user)
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    log(user, DISABLED_ACTION, user=user)


def may_reset(by, user) -> bool:
    """An org admin resets other accounts' devices; a superuser's only a superuser resets."""
    return (
        by.is_authenticated
        and by.pk != user.pk
        and is_org_admin(by)
        and (by.is_superuser or not user.is_superuser)
    )


@transaction.atomic
def reset(user, *, by) -> int:
    """Remove all of `user`'s devices (a lost phone and no backup codes). Their next request
    asks them to set up an authenticator again if their role needs one. Audit-logged."""
    if not may_reset(by, user):
        raise TwoFactorError(_("You cannot reset this account's two-step sign-in."))
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    log(user, RESET_ACTION, user=by, data={"devices": removed})
    return removed


# --- Enforcement --------------------------------------------------------------------------------


def mark_pending_at_login(sender, request, user, **kwargs):
    """user_logged_in: remember in the session that this sign-in still needs its code."""
    if request is not None and hasattr(request, "session") and user_has_device(user):
        request.session[PENDING_SESSION_KEY] = True


def next_step(request) -> str | None:
    """The URL name of the step the signed-in user must take before anything else
    ("two_factor_setup" or "two_factor_verify"), or None."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    required = required_for(user) or (
        request.path_info.startswith("/admin/") and user.has_perm("wagtailadmin.access_admin")
    )
    if not required and not request.session.get(PENDING_SESSION_KEY):
        return None
    if has_authenticator(user):
        return "two_factor_verify"
    if required:
        return "two_factor_setup"
    # A pending mark left from devices that were removed since: nothing to verify any more.
    request.session.pop(PENDING_SESSION_KEY, None)
    return None


def step_url(step: str, next_url: str) -> str:
    return f"{reverse(step)}?{urlencode({'next': next_url})}"


@functools.cache
def _exempt_paths() -> frozenset[str]:
    """The pages that complete (or abandon) a sign-in."""
    names = ("two_factor_setup", "two_factor_verify", "logout", "login", "set_language")
    return frozenset(reverse(name) for name in names)


class TwoFactorMiddleware:
    """Sends a signed-in user who still owes the second step to it, from every other page.

    Installed after django-otp's OTPMiddleware, which tells whether the session was verified.
    The API answers 403 in its JSON error shape instead of redirecting.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._exempt(request.path_info):
            step = next_step(request)
            if step is not None:
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {
                            "detail": _("Finish signing in with your authenticator code."),
                            "code": "two_factor_required",
                        },
                        status=403,
                    )
                return redirect(step_url(step, request.get_full_path()))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        if path.startswith((settings.STATIC_URL, settings.MEDIA_URL, "/admin/logout/")):
            return True
        return path in _exempt_paths()
