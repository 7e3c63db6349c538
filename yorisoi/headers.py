"""Response headers: the Content-Security-Policy, the Permissions-Policy, and no caching of the
pages that show a learner's own words, hours or transcripts.

The site's policy is in settings (CONTENT_SECURITY_POLICY); the Wagtail admin gets its own,
looser one (YORISOI_ADMIN_CSP) because its editors still write inline scripts and styles.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# Nothing in Yorisoi uses these browser features; a page that someone managed to inject into
# cannot switch them on either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

# Pages, by URL name, whose content is a learner's own (reflections, hours, transcripts,
# debriefs): no browser or proxy keeps a copy, so the back button on a shared computer after
# logging out shows nothing. Every API response is treated the same way.
NO_STORE_VIEWS = frozenset(
    {
        "journal",
        "my_hours",
        "trainee_ledger",
        "roleplay_play",
        "roleplay_debrief",
        "assessments:review",
        "privacy:mine",
        "privacy:my_export",
        "privacy:user",
        "privacy:user_export",
    }
)
API_PREFIX = "/api/"


def is_admin_path(path: str) -> bool:
    return path.startswith(reverse("wagtailadmin_home"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy under the Wagtail admin's URL prefix.
    A view's own @csp decorator still wins."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            parts.config = settings.YORISOI_ADMIN_CSP
        return parts


def must_not_be_stored(request) -> bool:
    if request.path_info.startswith(API_PREFIX):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in NO_STORE_VIEWS


class ResponseHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if must_not_be_stored(request):
            add_never_cache_headers(response)
        return response
