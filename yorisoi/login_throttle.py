"""Login throttling with one limit per user name and a larger one per address.

django-axes holds every lockout parameter to one limit (AXES_FAILURE_LIMIT). A classroom signs
in from behind one NAT address, where twenty trainees mistyping a new password once each must
not lock the whole room out, while five wrong passwords for one user name still should. This
handler counts both in axes' own cache keys (so `axes_reset` still clears them) and holds the
address to YORISOI_ADDRESS_FAILURE_LIMIT.
"""

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import (
    get_cache_timeout,
    get_client_ip_address,
    get_client_username,
    get_failure_limit,
    make_cache_key_list,
)
from axes.signals import user_locked_out
from django.conf import settings


class UserAndAddressCacheHandler(AxesCacheHandler):
    def _keys(self, request, credentials) -> tuple[str, str]:
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        user_key, address_key = make_cache_key_list(
            [{"username": username}, {"ip_address": address}]
        )
        return user_key, address_key

    def get_failures(self, request, credentials=None) -> int:
        """Failures measured against the per-user limit: the user name's count, or that limit
        itself once the address has reached its own."""
        user_key, address_key = self._keys(request, credentials)
        user_failures = self.cache.get(user_key, default=0)
        if self.cache.get(address_key, default=0) >= settings.YORISOI_ADDRESS_FAILURE_LIMIT:
            return max(user_failures, get_failure_limit(request, credentials))
        return user_failures

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or self.is_whitelisted(request, credentials):
            return
        refused = getattr(request, "axes_locked_out", False)
        if not refused or settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT:
            timeout = get_cache_timeout(request)
            for key in self._keys(request, credentials):
                if not self.cache.add(key=key, value=1, timeout=timeout):
                    self.cache.incr(key=key, delta=1)
                    self.cache.touch(key=key, timeout=timeout)
        if refused or self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        """A correct password clears that user name's count only: it says nothing about the
        other people behind the same address."""
        if settings.AXES_RESET_ON_SUCCESS:
            user_key, _address_key = self._keys(request, {"username": user.get_username()})
            self.cache.delete(user_key)
