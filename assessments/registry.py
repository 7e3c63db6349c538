"""The registry of certified home visitors (認定・登録) that coordinators keep, and the CSV
exports a municipality asks for per cohort and period.

Follow-up hours are counted per Japanese fiscal year (年度, April to March), the year
municipalities plan and report in: the hours credited in that year in the certificate rule's
renewal course or in any other course for home visitors, never in the certification course
itself.

Every CSV goes through `courses.exports.csv_response`: UTF-8 with a BOM so Excel reads the
Japanese, and every cell neutralised so a name like "=HYPERLINK(…)" stays text.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.exports import csv_response
from courses.models import (
    Attendance,
    Audience,
    Cohort,
    Enrollment,
    HoursEntry,
    as_hours,
    bucket_sums,
)
from courses.services import display_name
from yorisoi.roles import COORDINATOR, is_trainer, role_names

from .models import Attempt, AttemptStatus, Certificate, CertificateStatus, CertificationRule

DUE_SOON_DAYS = 90
FISCAL_YEAR_STARTS = 4  # April

STATUS_FILTERS = [
    ("", gettext_lazy("All")),
    (CertificateStatus.VALID, CertificateStatus.VALID.label),
    (CertificateStatus.EXPIRED, CertificateStatus.EXPIRED.label),
    (CertificateStatus.REVOKED, CertificateStatus.REVOKED.label),
]


def may_keep_registry(user) -> bool:
    """Org admins, trainers and coordinators: coordinators keep the register of visitors."""
    return is_trainer(user) or COORDINATOR in role_names(user)


def fiscal_year(day: date) -> tuple[date, date]:
    """The first and last day of the fiscal year (年度) `day` falls in."""
    year = day.year if day.month >= FISCAL_YEAR_STARTS else day.year - 1
    return date(year, FISCAL_YEAR_STARTS, 1), date(year + 1, FISCAL_YEAR_STARTS, 1) - timedelta(1)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants from the start of `first` up to (not including) the day after `last`,
    in the site's time zone."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


# --- The registry -----------------------------------------------------------------------------


def status_q(status: str, today: date) -> Q:
    """Certificates with this status on `today` (the same rule as `Certificate.status_on`)."""
    live = Q(revoked_at__isnull=True)
    if status == CertificateStatus.REVOKED:
        return ~live
    if status == CertificateStatus.EXPIRED:
        return live & Q(expires_on__lt=today)
    return live & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def due_soon_q(today: date) -> Q:
    """Valid certificates that expire within DUE_SOON_DAYS: time to renew."""
    return status_q(CertificateStatus.VALID, today) & Q(
        expires_on__lte=today + timedelta(days=DUE_SOON_DAYS)
    )


@dataclass
class RegistryFilter:
    status: str = ""
    due: bool = False

    @classmethod
    def from_query(cls, query) -> "RegistryFilter":
        status = query.get("status", "")
        known = {value for value, _label in STATUS_FILTERS}
        return cls(status=status if status in known else "", due=query.get("due") == "1")


def registry(filters: RegistryFilter, today: date | None = None):
    """The certificates in the registry, filtered; renewals due first when filtering for them."""
    today = today or timezone.localdate()
    certificates = Certificate.objects.all()
    if filters.status:
        certificates = certificates.filter(status_q(filters.status, today))
    if filters.due:
        return certificates.filter(due_soon_q(today)).order_by("expires_on", "number")
    return certificates.order_by("number")


@dataclass
class RegistryRow:
    certificate: Certificate
    status: str
    status_label: str
    due_soon: bool
    follow_up_minutes: int

    @property
    def follow_up_hours(self) -> Decimal:
        return as_hours(self.follow_up_minutes)


def registry_rows(certificates, today: date | None = None) -> list[RegistryRow]:
    """The rows of a page of the registry, with this fiscal year's follow-up hours, in a
    constant number of queries."""
    today = today or timezone.localdate()
    certificates = list(certificates)
    minutes = follow_up_minutes(certificates, today)
    due = today + timedelta(days=DUE_SOON_DAYS)
    rows = []
    for certificate in certificates:
        status = certificate.status_on(today)
        rows.append(
            RegistryRow(
                certificate=certificate,
                status=status,
                status_label=CertificateStatus(status).label,
                due_soon=status == CertificateStatus.VALID
                and certificate.expires_on is not None
                and certificate.expires_on <= due,
                follow_up_minutes=minutes.get(certificate.pk, 0),
            )
        )
    return rows


def follow_up_minutes(certificates: list[Certificate], today: date) -> dict[int, int]:
    """Per certificate, the minutes credited this fiscal year in follow-up training: the
    rule's renewal course or any other course for home visitors (see the module docstring)."""
    if not certificates:
        return {}
    renewal = dict(
        CertificationRule.objects.filter(
            course_id__in={c.course_id for c in certificates}
        ).values_list("course_id", "renewal_course_id")
    )
    start, end = day_range(*fiscal_year(today))
    per_course = defaultdict(dict)  # user id -> course id -> (counted minutes, audience)
    for line in (
        HoursEntry.objects.filter(
            user_id__in={c.user_id for c in certificates},
            created_at__gte=start,
            created_at__lt=end,
        )
        .filter(Q(course__audience=Audience.HOME_VISITOR) | Q(course_id__in=renewal.values()))
        .values("user_id", "course_id", "course__practice_counts", "course__audience")
        .annotate(**bucket_sums())
    ):
        counted = line["course_minutes"] + (
            line["practice_minutes"] if line["course__practice_counts"] else 0
        )
        per_course[line["user_id"]][line["course_id"]] = (counted, line["course__audience"])
    result = {}
    for certificate in certificates:
        renews_with = renewal.get(certificate.course_id)
        result[certificate.pk] = sum(
            counted
            for course_id, (counted, audience) in per_course[certificate.user_id].items()
            if course_id != certificate.course_id
            and (course_id == renews_with or audience == Audience.HOME_VISITOR)
        )
    return result


def registry_csv(certificates, today: date | None = None):
    today = today or timezone.localdate()
    header = [
        _("Name"),
        _("Certificate number"),
        _("Course"),
        _("Issued on"),
        _("Expires on"),
        _("Renewal due soon"),
        _("Status"),
        _("Follow-up hours this fiscal year"),
    ]
    rows = [header]
    for chunk in _chunks(certificates):
        for row in registry_rows(chunk, today):
            c = row.certificate
            rows.append(
                [
                    c.holder_name,
                    c.number,
                    c.course_title,
                    c.issued_on.isoformat(),
                    c.expires_on.isoformat() if c.expires_on else "",
                    _("yes") if row.due_soon else "",
                    row.status_label,
                    row.follow_up_hours,
                ]
            )
    return csv_response(f"registry-{today.isoformat()}.csv", rows)


def _chunks(queryset, size: int = 500):
    """The certificates in slices, so the follow-up hours of a large registry are read with
    IN lists a database accepts."""
    items = list(queryset)
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


# --- Municipality exports ---------------------------------------------------------------------


class ExportKind:
    PARTICIPANTS = "participants"
    HOURS = "hours"
    ATTENDANCE = "attendance"
    EXAMS = "exams"
    CERTIFICATES = "certificates"

    choices = [
        (PARTICIPANTS, gettext_lazy("Participants")),
        (HOURS, gettext_lazy("Training hours")),
        (ATTENDANCE, gettext_lazy("Attendance")),
        (EXAMS, gettext_lazy("Exam results")),
        (CERTIFICATES, gettext_lazy("Certificates")),
    ]


class ExportForm(forms.Form):
    cohort = forms.ModelChoiceField(label=gettext_lazy("Cohort"), queryset=Cohort.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("What to export"), choices=ExportKind.choices)
    date_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.visible_to(user).select_related("course")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period must be on or after its start."))
        return cleaned


@dataclass
class Export:
    filename: str
    header: list
    rows: list[list]

    def response(self):
        return csv_response(self.filename, [self.header, *self.rows])


def municipality_export(cohort: Cohort, kind: str, date_from: date, date_to: date) -> Export:
    """One kind of report on one cohort for the period `date_from`–`date_to` (both days
    included). `rows` is empty when the period has no data of that kind."""
    header, rows = EXPORTS[kind](cohort, date_from, date_to)
    filename = f"{kind}-cohort-{cohort.pk}-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return Export(filename=filename, header=header, rows=rows)


def _members(cohort: Cohort):
    return Enrollment.objects.filter(cohort=cohort).select_related("user")


def _participants(cohort: Cohort, first: date, last: date):
    """The cohort's trainees enrolled by the end of the period, if the cohort runs in it."""
    header = [_("Name"), _("Course"), _("Cohort"), _("Enrolled on")]
    if cohort.starts_on > last or cohort.ends_on < first:
        return header, []
    _start, end = day_range(first, last)
    enrollments = sorted(
        _members(cohort).filter(enrolled_at__lt=end), key=lambda e: display_name(e.user)
    )
    return header, [
        [
            display_name(e.user),
            cohort.course.title,
            cohort.name,
            timezone.localdate(e.enrolled_at).isoformat(),
        ]
        for e in enrollments
    ]


def _hours(cohort: Cohort, first: date, last: date):
    """Hours credited in the period in the cohort's course: course hours and role-play
    practice in separate columns (practice counts toward certification only if the course
    says so)."""
    header = [_("Name"), _("Course hours"), _("Role-play practice (hours)")]
    start, end = day_range(first, last)
    names = {e.user_id: display_name(e.user) for e in _members(cohort)}
    totals = (
        HoursEntry.objects.filter(
            course_id=cohort.course_id,
            user_id__in=names.keys(),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("user_id")
        .annotate(**bucket_sums())
        .order_by()
    )
    rows = [
        [names[t["user_id"]], as_hours(t["course_minutes"]), as_hours(t["practice_minutes"])]
        for t in totals
    ]
    return header, sorted(rows, key=lambda row: row[0])


def _attendance(cohort: Cohort, first: date, last: date):
    header = [_("Name"), _("Date"), _("In-person session"), _("Hours"), _("Attendance")]
    start, end = day_range(first, last)
    records = (
        Attendance.objects.filter(
            session__cohort=cohort, session__starts_at__gte=start, session__starts_at__lt=end
        )
        .select_related("user", "session")
        .order_by("session__starts_at", "session_id")
    )
    return header, [
        [
            display_name(a.user),
            timezone.localdate(a.session.starts_at).isoformat(),
            a.session.title,
            a.session.hours,
            a.get_status_display(),
        ]
        for a in records
    ]


def _exams(cohort: Cohort, first: date, last: date):
    """Each trainee's best graded attempt at the course's final exam submitted in the
    period (highest score; the earlier of equal scores)."""
    header = [_("Name"), _("Exam"), _("Score"), _("Maximum score"), _("Passed"), _("Date")]
    start, end = day_range(first, last)
    names = {e.user_id: display_name(e.user) for e in _members(cohort)}
    best = {}
    for attempt in Attempt.objects.filter(
        user_id__in=names.keys(),
        course_id=cohort.course_id,
        paper__kind="exam",
        status=AttemptStatus.GRADED,
        submitted_at__gte=start,
        submitted_at__lt=end,
    ).order_by("-score", "submitted_at"):
        best.setdefault(attempt.user_id, attempt)
    rows = [
        [
            names[user_id],
            attempt.paper.get("title", ""),
            attempt.score,
            attempt.max_score,
            _("yes") if attempt.passed else _("no"),
            timezone.localdate(attempt.submitted_at).isoformat(),
        ]
        for user_id, attempt in best.items()
    ]
    return header, sorted(rows, key=lambda row: row[0])


def _certificates(cohort: Cohort, first: date, last: date, today: date | None = None):
    header = [_("Name"), _("Certificate number"), _("Issued on"), _("Expires on"), _("Status")]
    today = today or timezone.localdate()
    members = Enrollment.objects.filter(cohort=cohort).values("user_id")
    certificates = Certificate.objects.filter(
        Q(cohort=cohort) | Q(user_id__in=members),
        course_id=cohort.course_id,
        issued_on__gte=first,
        issued_on__lte=last,
    ).order_by("number")
    return header, [
        [
            c.holder_name,
            c.number,
            c.issued_on.isoformat(),
            c.expires_on.isoformat() if c.expires_on else "",
            CertificateStatus(c.status_on(today)).label,
        ]
        for c in certificates
    ]


EXPORTS = {
    ExportKind.PARTICIPANTS: _participants,
    ExportKind.HOURS: _hours,
    ExportKind.ATTENDANCE: _attendance,
    ExportKind.EXAMS: _exams,
    ExportKind.CERTIFICATES: _certificates,
}
