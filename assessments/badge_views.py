"""Public Open Badges 3.0 endpoints: a certificate's credential (signed and readable), the
issuer profile and its key set. Like the verification page they need no login; a revoked or
unknown certificate is the same 404."""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import badges
from .certificate_views import no_index
from .models import Certificate

_JSON_OPTIONS = {"ensure_ascii": False, "indent": 2}


def _live_certificate(code: str) -> Certificate:
    return get_object_or_404(Certificate, code=code, revoked_at__isnull=True)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_GET
def credential_jwt(request, code):
    certificate = _live_certificate(code)
    try:
        token = badges.signed_credential(certificate, _base_url(request))
    except badges.BadgeError as error:
        back = reverse("assessments:verify", args=[code])
        return render(
            request,
            "assessments/refused.html",
            {"message": error.message, "back": back},
            status=503,
        )
    response = HttpResponse(token, content_type="application/jwt")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jwt"'
    return no_index(response)


@require_GET
def credential_json(request, code):
    """The credential as it is signed, for reading; only the .jwt proves anything."""
    certificate = _live_certificate(code)
    credential = badges.build_credential(certificate, _base_url(request))
    response = HttpResponse(
        json.dumps(credential, **_JSON_OPTIONS), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.json"'
    return no_index(response)


@require_GET
def issuer(request):
    return JsonResponse(badges.issuer_profile(_base_url(request)), json_dumps_params=_JSON_OPTIONS)


@require_GET
def jwks(request):
    return JsonResponse(badges.jwks(), json_dumps_params=_JSON_OPTIONS)
