"""Certification (認定): whether a trainee meets their course's rule, and issuing, renewing and
revoking certificates. Each write is one transaction that locks what it re-checks, so two tabs
or a double click never write twice, and leaves an entry in Wagtail's audit log."""

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from courses.models import (
    CREDITED_STATUSES,
    Attendance,
    Cohort,
    CoursePage,
    Enrollment,
    as_hours,
)
from courses.services import display_name
from roleplay.models import PracticeSession, SessionStatus

from .judging import primary_judgement
from .models import (
    Attempt,
    Certificate,
    CertificateCounter,
    CertificationRule,
    Judgement,
)
from .services import course_exam

MAX_REASON = 300


class CertificationError(Exception):
    """A certification request that cannot be carried out. `code` says why (views map it to
    a status); `message` is safe to show to the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Condition:
    key: str
    label: str
    met: bool
    detail: str


@dataclass
class Eligibility:
    course: CoursePage
    rule: CertificationRule | None
    conditions: list[Condition] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.rule is not None and all(c.met for c in self.conditions)

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]


def rule_for(course: CoursePage) -> CertificationRule | None:
    return (
        CertificationRule.objects.filter(course=course)
        .prefetch_related("required_scenarios__scenario")
        .first()
    )


def _hours(user, course: CoursePage, rule: CertificationRule) -> Condition:
    # Enrollment.credited_minutes counts role-play practice only where the course opts in.
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    minutes = enrollment.credited_minutes() if enrollment else 0
    needed = rule.hours_needed
    done = as_hours(minutes)
    return Condition(
        key="hours",
        label=_("Training hours"),
        met=done >= needed,
        detail=_("%(done)s / %(needed)s hours")
        % {"done": f"{done:.1f}", "needed": f"{needed:.1f}"},
    )


def _exam(user, course: CoursePage) -> Condition:
    label = _("Final exam passed")
    exam = course_exam(course)
    if exam is None:
        return Condition("exam", label, False, _("This course has no final exam yet."))
    attempts = Attempt.objects.filter(user=user, quiz=exam).exclude(status="in_progress")
    passed = attempts.filter(passed=True).order_by("graded_at").first()
    if passed is not None:
        return Condition("exam", label, True, _("Passed"))
    if attempts.filter(passed__isnull=True).exists():
        return Condition("exam", label, False, _("Waiting for grading"))
    if attempts.exists():
        return Condition("exam", label, False, _("Not passed yet"))
    return Condition("exam", label, False, _("Not taken yet"))


def _attendance(user, course: CoursePage, rule: CertificationRule) -> Condition:
    statuses = list(
        Attendance.objects.filter(user=user, session__cohort__course=course).values_list(
            "status", flat=True
        )
    )
    label = _("Attendance at least %(percent)s%%") % {"percent": rule.min_attendance_percent}
    if not statuses:
        # A course taught only online has no sessions to attend.
        return Condition("attendance", label, True, _("No attendance recorded"))
    attended = sum(1 for status in statuses if status in CREDITED_STATUSES)
    percent = round(100 * attended / len(statuses))
    return Condition(
        key="attendance",
        label=label,
        met=attended * 100 >= rule.min_attendance_percent * len(statuses),
        detail=_("%(attended)s of %(recorded)s sessions (%(percent)s%%)")
        % {"attended": attended, "recorded": len(statuses), "percent": percent},
    )


def mean_level(judgement: Judgement) -> Decimal | None:
    levels = [
        score.get("level")
        for score in (judgement.result.get("scores") or {}).values()
        if isinstance(score, dict) and score.get("level") is not None
    ]
    if not levels:
        return None
    return Decimal(sum(levels)) / len(levels)


def best_level(user, scenario) -> tuple[Decimal | None, bool]:
    """(the best mean level of the user's ended sessions of the scenario whose primary
    judgement passed, whether any session of it ended at all)."""
    sessions = list(
        PracticeSession.objects.filter(user=user, scenario=scenario, status=SessionStatus.ENDED)
        .prefetch_related("judgements")
        .only("id", "mode")
    )
    best = None
    for session in sessions:
        primary = primary_judgement(session.mode, session.judgements.all())
        # Judgement.passed already holds the rubric's rule: no blocker at level 1.
        if primary is None or not primary.passed:
            continue
        level = mean_level(primary)
        if level is not None and (best is None or level > best):
            best = level
    return best, bool(sessions)


def _scenario(user, required) -> Condition:
    level, played = best_level(user, required.scenario)
    label = _("Role-play: %(scenario)s (level %(level)s or above)") % {
        "scenario": required.scenario.title,
        "level": required.min_level,
    }
    if level is not None:
        detail = _("Best passed session: level %(level)s") % {"level": f"{level:.1f}"}
    elif played:
        detail = _("No passed session yet")
    else:
        detail = _("Not practised yet")
    met = level is not None and level >= required.min_level
    return Condition(f"scenario-{required.scenario_id}", label, met, detail)


def eligibility(user, course: CoursePage, *, rule: CertificationRule | None = None) -> Eligibility:
    """Each condition of the course's certification rule, met or not, with what was done."""
    rule = rule or rule_for(course)
    if rule is None:
        return Eligibility(course=course, rule=None)
    conditions = [_hours(user, course, rule)]
    if rule.exam_required:
        conditions.append(_exam(user, course))
    conditions.append(_attendance(user, course, rule))
    conditions.extend(_scenario(user, required) for required in rule.required_scenarios.all())
    return Eligibility(course=course, rule=rule, conditions=conditions)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def default_expiry(rule: CertificationRule | None, issued_on: date) -> date | None:
    if rule is None or not rule.valid_years:
        return None
    return add_years(issued_on, rule.valid_years)


def next_number(prefix: str, year: int) -> str:
    """The next certificate number of the prefix and year. The caller's transaction holds the
    counter row until it commits, so a failed issue gives its number back: no gaps."""
    key = f"{prefix}-{year}"
    with transaction.atomic():
        CertificateCounter.objects.get_or_create(key=key)
    counter = CertificateCounter.objects.select_for_update().get(key=key)
    CertificateCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{key}-{counter.last:04d}"


def live_certificate(user, course: CoursePage) -> Certificate | None:
    return Certificate.objects.filter(user=user, course=course, revoked_at__isnull=True).first()


def issue(
    user,
    course: CoursePage,
    *,
    by,
    issued_on: date | None = None,
    expires_on: date | None = None,
    cohort: Cohort | None = None,
) -> Certificate:
    """Certify an eligible trainee. Without `expires_on` the expiry follows the rule's
    `valid_years` (none when it has none)."""
    issued_on = issued_on or timezone.localdate()
    try:
        with transaction.atomic():
            enrollment = (
                # Only the enrolment row: PostgreSQL cannot lock the cohort's outer join.
                Enrollment.objects.select_for_update(of=("self",))
                .filter(user=user, course=course)
                .select_related("cohort")
                .first()
            )
            if enrollment is None:
                raise CertificationError(
                    "not_enrolled",
                    _("%(name)s is not enrolled in this course.") % {"name": display_name(user)},
                )
            if live_certificate(user, course) is not None:
                raise CertificationError(
                    "already_certified",
                    _("%(name)s already holds a certificate for this course.")
                    % {"name": display_name(user)},
                )
            status = eligibility(user, course)
            if status.rule is None:
                raise CertificationError("no_rule", _("This course has no certification rule yet."))
            if not status.eligible:
                raise CertificationError(
                    "not_eligible",
                    _("%(name)s does not meet every condition yet: %(conditions)s.")
                    % {
                        "name": display_name(user),
                        "conditions": "、".join(c.label for c in status.unmet),
                    },
                )
            expires_on = expires_on or default_expiry(status.rule, issued_on)
            if expires_on is not None and expires_on <= issued_on:
                raise CertificationError(
                    "expiry_before_issue", _("The expiry date must be after the issue date.")
                )
            certificate = Certificate.objects.create(
                user=user,
                course=course,
                cohort=cohort or enrollment.cohort,
                number=next_number(status.rule.number_prefix, issued_on.year),
                holder_name=display_name(user),
                course_title=course.title,
                issued_on=issued_on,
                expires_on=expires_on,
                code=secrets.token_urlsafe(16),
                issued_by=by,
            )
            log(
                certificate,
                "assessments.certificate.issue",
                user=by,
                data={"holder": user.pk, "course": course.pk, "number": certificate.number},
            )
            return certificate
    except IntegrityError as error:
        # Another request certified the trainee between our check and our write.
        raise CertificationError(
            "already_certified",
            _("%(name)s already holds a certificate for this course.")
            % {"name": display_name(user)},
        ) from error


@dataclass
class CohortCandidate:
    enrollment: Enrollment
    eligibility: Eligibility
    certificate: Certificate | None

    @property
    def name(self) -> str:
        return display_name(self.enrollment.user)

    @property
    def can_issue(self) -> bool:
        return self.certificate is None and self.eligibility.eligible


def cohort_candidates(cohort: Cohort) -> list[CohortCandidate]:
    """The cohort's trainees with their eligibility and live certificate, by name."""
    course = cohort.course
    rule = rule_for(course)
    enrollments = (
        Enrollment.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    certificates = {
        c.user_id: c
        for c in Certificate.objects.filter(
            course=course, revoked_at__isnull=True, user__enrollments__cohort=cohort
        )
    }
    return [
        CohortCandidate(
            enrollment=e,
            eligibility=eligibility(e.user, course, rule=rule),
            certificate=certificates.get(e.user_id),
        )
        for e in enrollments
    ]


def issue_cohort(cohort: Cohort, *, by, preview: bool, user_ids=None) -> list:
    """With `preview`, the candidates who would be certified; otherwise certify them (only
    those among `user_ids`, the ones the trainer saw in the preview, when given) in one
    transaction and return the certificates. A trainee certified meanwhile in another tab is
    skipped."""
    candidates = [c for c in cohort_candidates(cohort) if c.can_issue]
    if user_ids is not None:
        wanted = set(user_ids)
        candidates = [c for c in candidates if c.enrollment.user_id in wanted]
    if preview:
        return candidates
    issued = []
    with transaction.atomic():
        for candidate in candidates:
            try:
                issued.append(issue(candidate.enrollment.user, cohort.course, by=by, cohort=cohort))
            except CertificationError as error:
                if error.code != "already_certified":
                    raise
    return issued


def revoke(certificate: Certificate, reason: str, *, by) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError("reason_required", _("Give the reason for the revocation."))
    if len(reason) > MAX_REASON:
        raise CertificationError(
            "reason_too_long",
            _("Keep the reason within %(max)s characters.") % {"max": MAX_REASON},
        )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise CertificationError(
                "already_revoked", _("This certificate has already been revoked.")
            )
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        log(locked, "assessments.certificate.revoke", user=by, data={"number": locked.number})
    return locked


def renew(certificate: Certificate, *, by, unless_renewed_since=None) -> Certificate:
    """Extend the expiry by the rule's `valid_years`, counted from the old expiry date. With
    `unless_renewed_since`, a certificate renewed at or after that moment is left as it is
    (checked under the lock, so two credits at once renew it once)."""
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        since = unless_renewed_since
        if since is not None and locked.renewed_at is not None and locked.renewed_at >= since:
            return locked
        if locked.revoked_at is not None:
            raise CertificationError("revoked", _("A revoked certificate cannot be renewed."))
        rule = CertificationRule.objects.filter(course_id=locked.course_id).first()
        if locked.expires_on is None or rule is None or not rule.valid_years:
            raise CertificationError("no_expiry", _("This certificate does not expire."))
        old = locked.expires_on
        locked.expires_on = add_years(old, rule.valid_years)
        locked.renewed_at = timezone.now()
        locked.save(update_fields=["expires_on", "renewed_at"])
        log(
            locked,
            "assessments.certificate.renew",
            user=by,
            data={
                "number": locked.number,
                "from": old.isoformat(),
                "to": locked.expires_on.isoformat(),
            },
        )
    return locked


def renew_after_follow_up(user, renewal_course: CoursePage) -> list[Certificate]:
    """Renew the user's certificates whose rule names `renewal_course`, once the user's hours
    in it are complete; returns those certificates. One renewed since the user enrolled in the
    follow-up is left alone, so further credits do not renew it again."""
    enrollment = Enrollment.objects.filter(user=user, course=renewal_course).first()
    if enrollment is None:
        return []
    rules = CertificationRule.objects.filter(
        renewal_course=renewal_course, valid_years__isnull=False
    )
    if not rules.exists():
        return []
    if enrollment.credited_minutes() < renewal_course.required_minutes:
        return []
    return [
        renew(certificate, by=None, unless_renewed_since=enrollment.enrolled_at)
        for certificate in Certificate.objects.filter(
            user=user,
            course__in=rules.values("course"),
            revoked_at__isnull=True,
            expires_on__isnull=False,
        )
    ]


def renew_on_credit(sender, instance, created, **kwargs) -> None:
    """`post_save` receiver for hours ledger lines: a credit in a renewal course may complete
    it (courses knows nothing of certificates, DESIGN §3)."""
    if created and CertificationRule.objects.filter(renewal_course_id=instance.course_id).exists():
        renew_after_follow_up(instance.user, instance.course)
