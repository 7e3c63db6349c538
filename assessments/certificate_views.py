"""Certificates: a trainee's conditions, a cohort's issuing page, printing, revoking and
renewing, and the public verification page."""

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses.models import Enrollment
from courses.views import trainer_required, visible_cohort

from . import certification
from .certification import CertificationError
from .models import Certificate, CertificateStatus

STATUS_BY_CODE = {
    "not_enrolled": 400,
    "not_eligible": 409,
    "already_certified": 409,
    "already_revoked": 409,
    "no_rule": 409,
    "revoked": 409,
    "no_expiry": 409,
    "expiry_before_issue": 400,
    "reason_required": 400,
    "reason_too_long": 400,
}


class IssueForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    issued_on = forms.DateField(
        label=gettext_lazy("Issue date"), widget=forms.DateInput({"type": "date"})
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expiry date"), required=False, widget=forms.DateInput({"type": "date"})
    )


def verification_url(request, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("assessments:verify", args=[certificate.code]))


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG, sized for a printed page."""
    return segno.make(url, error="m").svg_inline(scale=3, title=url)


def no_index(response):
    # The page is for whoever holds the link, not for caches or search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def verify(request, code):
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        return no_index(render(request, "assessments/cert_unknown.html", status=404))
    # A revoked certificate has no credential to carry (its URL answers 404).
    revoked = certificate.status == CertificateStatus.REVOKED
    credential = None if revoked else reverse("assessments:credential", args=[certificate.code])
    return no_index(
        render(
            request,
            "assessments/cert_verify.html",
            {
                "holder_name": certificate.holder_name,
                "course_title": certificate.course_title,
                "issued_on": certificate.issued_on,
                "status": certificate.status,
                "status_label": certificate.get_status_display(),
                "credential": credential,
            },
        )
    )


@login_required
def my_certification(request, course_id):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("course"), user=request.user, course_id=course_id
    )
    course = enrollment.course
    return render(
        request,
        "assessments/cert_conditions.html",
        {
            "course": course,
            "status": certification.eligibility(request.user, course),
            "certificate": certification.live_certificate(request.user, course),
        },
    )


@login_required
def print_certificate(request, certificate_id):
    certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=certificate_id)
    url = verification_url(request, certificate)
    # bandit B308/B703: segno's SVG markup; the URL is its title, which segno escapes.
    qr = mark_safe(qr_svg(url))  # nosec B308 B703
    return render(
        request,
        "assessments/cert_print.html",
        {
            "certificate": certificate,
            "organisation": settings.YORISOI_ORGANISATION_NAME,
            "verification_url": url,
            "qr": qr,
        },
    )


def _cohort_page(request, cohort, *, status=200, form_errors=None):
    rows = certification.cohort_candidates(cohort)
    rule = rows[0].eligibility.rule if rows else certification.rule_for(cohort.course)
    today = timezone.localdate()
    return render(
        request,
        "assessments/cert_cohort.html",
        {
            "cohort": cohort,
            "rows": rows,
            "rule": rule,
            "today": today,
            "default_expiry": certification.default_expiry(rule, today),
            "eligible_count": sum(1 for row in rows if row.can_issue),
            "error": form_errors,
        },
        status=status,
    )


@trainer_required
def cohort_certificates(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    if request.method != "POST":
        return _cohort_page(request, cohort)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return _cohort_page(request, cohort, status=400, form_errors=_("Check the dates."))
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("user"), cohort=cohort, user_id=form.cleaned_data["user"]
    )
    try:
        certificate = certification.issue(
            enrollment.user,
            cohort.course,
            by=request.user,
            issued_on=form.cleaned_data["issued_on"],
            expires_on=form.cleaned_data["expires_on"],
            cohort=cohort,
        )
    except CertificationError as error:
        return _cohort_page(
            request, cohort, status=STATUS_BY_CODE.get(error.code, 400), form_errors=error.message
        )
    messages.success(
        request,
        _("Certificate %(number)s issued to %(name)s.")
        % {"number": certificate.number, "name": certificate.holder_name},
    )
    return redirect("assessments:cohort_certificates", cohort.pk)


@trainer_required
def issue_all(request, cohort_id):
    """GET previews who would be certified; POST certifies exactly those the trainer saw."""
    cohort = visible_cohort(request, cohort_id)
    if request.method != "POST":
        candidates = certification.issue_cohort(cohort, by=request.user, preview=True)
        return render(
            request,
            "assessments/cert_issue_all.html",
            {"cohort": cohort, "candidates": candidates, "today": timezone.localdate()},
        )
    user_ids = [int(value) for value in request.POST.getlist("user") if value.isdigit()]
    try:
        issued = certification.issue_cohort(
            cohort, by=request.user, preview=False, user_ids=user_ids
        )
    except CertificationError as error:
        return _cohort_page(
            request, cohort, status=STATUS_BY_CODE.get(error.code, 400), form_errors=error.message
        )
    messages.success(request, _("%(count)s certificates issued.") % {"count": len(issued)})
    return redirect("assessments:cohort_certificates", cohort.pk)


def managed_certificate(request, certificate_id) -> Certificate:
    """A certificate of a trainee in a cohort the trainer runs (any, for org admins); never
    their own. Any other id is a 404, so ids reveal nothing."""
    certificates = Certificate.objects.visible_to(request.user).exclude(user=request.user)
    return get_object_or_404(certificates.select_related("cohort"), pk=certificate_id)


def _back(certificate: Certificate):
    if certificate.cohort_id:
        return redirect("assessments:cohort_certificates", certificate.cohort_id)
    return redirect("assessments:print_certificate", certificate.pk)


@trainer_required
def revoke(request, certificate_id):
    certificate = managed_certificate(request, certificate_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            certification.revoke(certificate, request.POST.get("reason", ""), by=request.user)
        except CertificationError as refusal:
            error, status = refusal.message, STATUS_BY_CODE.get(refusal.code, 400)
        else:
            messages.success(
                request, _("Certificate %(number)s revoked.") % {"number": certificate.number}
            )
            return _back(certificate)
    return render(
        request,
        "assessments/cert_revoke.html",
        {
            "certificate": certificate,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "max_reason": certification.MAX_REASON,
        },
        status=status,
    )


@trainer_required
@require_POST
def renew(request, certificate_id):
    certificate = managed_certificate(request, certificate_id)
    try:
        renewed = certification.renew(certificate, by=request.user)
    except CertificationError as error:
        if certificate.cohort is not None:
            status = STATUS_BY_CODE.get(error.code, 400)
            return _cohort_page(
                request, certificate.cohort, status=status, form_errors=error.message
            )
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s renewed until %(date)s.")
            % {"number": renewed.number, "date": renewed.expires_on.isoformat()},
        )
    return _back(certificate)
