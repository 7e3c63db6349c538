"""Refuse request text the database or the tokenizer cannot hold, before any view sees it.

A NUL character makes PostgreSQL refuse the row, and a lone surrogate (valid in JSON as
`\\ud800`, never in UTF-8) makes the tokenizer and the database driver fail: both were 500s.
One check here covers every form field, query parameter, JSON body and the path; file content
is checked where it is parsed (the roster).
"""

import json
import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

INVALID_TEXT = re.compile("[\x00\ud800-\udfff]")


def contains_invalid_text(value: str) -> bool:
    return INVALID_TEXT.search(value) is not None


def _invalid_in(data) -> bool:
    if isinstance(data, str):
        return contains_invalid_text(data)
    if isinstance(data, dict):
        return any(_invalid_in(key) or _invalid_in(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_invalid_in(item) for item in data)
    return False


def _json_body(request: HttpRequest):
    """The decoded JSON body, or None when it is not JSON: the view reports malformed bodies.
    Reading the body raises RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE; surrogatepass
    lets UTF-8-encoded surrogates through so that they are found, not missed."""
    try:
        return json.loads(request.body.decode("utf-8", errors="surrogatepass"))
    except ValueError:
        return None


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    page = format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Yorisoi</title></head><body><h1>{}</h1><p>{}</p>"
        '<p><a href="/">{}</a></p></body></html>',
        get_language(),
        _("The request could not be accepted"),
        message,
        _("Back to the course catalogue"),
    )
    return HttpResponse(page, status=status)


def _too_large(request: HttpRequest) -> HttpResponse:
    return _refusal(
        request, 413, "too_large", _("The request is too large. Send less text at a time.")
    )


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            invalid = self._has_invalid_text(request)
        except RequestDataTooBig:
            return _too_large(request)
        if invalid:
            return _refusal(
                request,
                400,
                "invalid_text",
                _(
                    "The text contains a character that cannot be saved (a NUL character or a "
                    "broken emoji half). Remove it and try again."
                ),
            )
        return self.get_response(request)

    def _has_invalid_text(self, request: HttpRequest) -> bool:
        if contains_invalid_text(request.path_info):
            return True
        if any(_invalid_in(key) or _invalid_in(values) for key, values in request.GET.lists()):
            return True
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return False
        if request.content_type == "application/json":
            return _invalid_in(_json_body(request))
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any(_invalid_in(key) or _invalid_in(vals) for key, vals in request.POST.lists())
        return False
