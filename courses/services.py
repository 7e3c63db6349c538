"""Workflows over learning records. Each runs in one transaction and raises RecordError,
with a message fit to show the user, instead of leaving anything half-saved."""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Q, Sum, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from yorisoi.middleware import contains_invalid_text
from yorisoi.roles import TRAINEE, is_org_admin

from .models import (
    CREDITED_STATUSES,
    Attendance,
    AttendanceStatus,
    Audience,
    Cohort,
    CohortInvitation,
    Competency,
    CoursePage,
    Delivery,
    Enrollment,
    HoursEntry,
    HoursSource,
    InPersonSession,
    InvitationStatus,
    JournalEntry,
    LessonCompletion,
    LessonPage,
    ModulePage,
    as_hours,
    bucket_sums,
)

# Trainees whose credited hours fall below this share of the cohort's expected pace are
# flagged as behind, early enough for a trainer to call them.
BEHIND_RATIO = 0.8
# Days a trainee whose cohort has no session scheduled gets before the pace applies to them.
BEHIND_GRACE_DAYS = 14
MAX_JOURNAL_CHARS = 4000


class RecordError(Exception):
    """A request that cannot be carried out; the message is safe to show to the user."""


def family_name_first(user) -> str:
    """A full name as Japanese names are written, family name first: 佐藤 花子. The
    project's user model uses this as get_full_name, so Wagtail's screens agree."""
    return f"{user.last_name} {user.first_name}".strip()


def display_name(user) -> str:
    return family_name_first(user) or user.get_username()


# --- Enrolment ----------------------------------------------------------------------------


@transaction.atomic
def enrol(
    user, course: CoursePage, *, cohort: Cohort | None = None, by=None, invited: bool = False
) -> Enrollment:
    """Enrol a learner; self-enrolment (by is None or the user) needs a self-enrol course,
    unless the learner is accepting an invitation to the cohort (`invited`)."""
    if cohort is not None and cohort.course_id != course.pk:
        raise RecordError(_("This cohort belongs to another course."))
    self_service = by is None or by == user
    if self_service and not course.self_enrol and not invited:
        raise RecordError(_("This course is open by invitation only; ask your trainer."))
    enrollment, created = Enrollment.objects.get_or_create(
        user=user, course=course, defaults={"cohort": cohort, "enrolled_by": by}
    )
    if not created and cohort is not None and enrollment.cohort_id != cohort.pk:
        if enrollment.cohort_id is not None:
            raise RecordError(
                _("%(name)s is already in cohort %(cohort)s of this course.")
                % {"name": display_name(user), "cohort": enrollment.cohort.name}
            )
        enrollment.cohort = cohort
        enrollment.save(update_fields=["cohort"])
    return enrollment


@dataclass
class RosterRow:
    line: int
    name: str
    email: str
    status: str = ""
    already_enrolled: bool = False
    already_invited: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class RosterReport:
    """What a roster import checked or did. It reads the same whether or not an e-mail already
    had an account: a trainer must not learn who has one by typing addresses."""

    rows: list[RosterRow]
    errors: list[str] = field(default_factory=list)
    # Rows invited, new and existing accounts alike.
    added: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for row in self.rows if row.errors)


NAME_HEADERS = {"name", "氏名", "名前"}
EMAIL_HEADERS = {"email", "e-mail", "メール", "メールアドレス"}


def parse_roster(cohort: Cohort, text: str) -> RosterReport:
    """Check a roster CSV (header row with name and e-mail columns) without changing anything."""
    text = text.lstrip("\ufeff")  # Excel writes a BOM at the start of UTF-8 CSV files
    if contains_invalid_text(text):
        return RosterReport(
            rows=[],
            errors=[_("The file contains a character that cannot be saved (such as NUL). "
                      "Save it again as “CSV UTF-8” and try again.")],
        )  # fmt: skip
    # newline="": the csv module then reads Excel for Mac's CR line ends and quoted line breaks.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _roster_report(cohort, reader)
    except csv.Error:
        # A cell past the csv module's size limit (128 KB) or a malformed quote.
        return RosterReport(
            rows=[],
            errors=[_("Line %(line)d: this line cannot be read as CSV. Check the file and "
                      "save it again as “CSV UTF-8”.") % {"line": max(reader.line_num, 1)}],
        )  # fmt: skip


def _roster_report(cohort: Cohort, reader) -> RosterReport:
    header = next(reader, None)
    if not header:
        return RosterReport(rows=[], errors=[_("The file is empty.")])
    columns = [cell.strip().lower() for cell in header]
    name_col = next((i for i, c in enumerate(columns) if c in NAME_HEADERS), None)
    email_col = next((i for i, c in enumerate(columns) if c in EMAIL_HEADERS), None)
    if name_col is None or email_col is None:
        return RosterReport(
            rows=[],
            errors=[_("Line 1: the header must name the columns 氏名 and メールアドレス.")],
        )

    rows: list[RosterRow] = []
    for line_no, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells += [""] * (max(name_col, email_col) + 1 - len(cells))
        rows.append(RosterRow(line_no, cells[name_col].strip(), cells[email_col].strip().lower()))
    if len(rows) > settings.YORISOI_ROSTER_MAX_ROWS:
        return RosterReport(
            rows=[],
            errors=[_("The file has %(n)d rows; at most %(max)d are accepted at once.")
                    % {"n": len(rows), "max": settings.YORISOI_ROSTER_MAX_ROWS}],
        )  # fmt: skip
    if not rows:
        return RosterReport(rows=[], errors=[_("The file has no trainee rows.")])

    seen = Counter(row.email for row in rows)
    # Only who is in this cohort or invited to it already, which its trainers see on the cohort
    # page anyway.
    in_cohort = {
        email.lower()
        for email in Enrollment.objects.filter(cohort=cohort).values_list("user__email", flat=True)
    }
    invited = {
        email.lower()
        for email in pending_invitations(cohort=cohort).values_list("email", flat=True)
    }
    for row in rows:
        if not row.name:
            row.errors.append(_("the name is empty"))
        elif len(row.name) > 150:
            row.errors.append(_("the name is longer than 150 characters"))
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not a valid e-mail address") % {"email": row.email})
        if seen[row.email] > 1:
            row.errors.append(_("this e-mail address appears more than once in the file"))
        if not row.errors:
            if row.email in in_cohort:
                row.already_enrolled = True
                row.status = _("already in this cohort")
            elif row.email in invited:
                row.already_invited = True
                row.status = _("already invited to this cohort")
            else:
                row.status = _("will be invited to this cohort")
    return RosterReport(rows=rows)


def bulk_enrol(cohort: Cohort, text: str, *, by, dry_run: bool) -> RosterReport:
    """Invite every row of a roster to the cohort, or nobody when any row has an error.

    Every address gets a `CohortInvitation`; one without an account gets a new trainee account
    first, without a password. Nobody is enrolled here: each person joins when they answer with
    their invitation link (a new account chooses its password there) or on their own page, or
    when an org admin confirms, so nothing of theirs is visible to the cohort's trainers before
    that, and the cohort page shows new and existing accounts the same way.
    """
    report = parse_roster(cohort, text)
    if dry_run or not report.ok:
        return report
    User = get_user_model()
    trainee_group, _created = Group.objects.get_or_create(name=TRAINEE)
    with transaction.atomic():
        for row in report.rows:
            if row.already_enrolled or row.already_invited:
                continue
            user = User.objects.filter(email__iexact=row.email).first()
            new_account = user is None
            if new_account:
                last, _sep, first = row.name.partition(" ")
                user = User(username=row.email, email=row.email, last_name=last, first_name=first)
                user.set_unusable_password()
                user.save()
                user.groups.add(trainee_group)
            CohortInvitation.objects.get_or_create(
                cohort=cohort,
                user=user,
                defaults={
                    "name": row.name,
                    "email": row.email,
                    "invited_by": by,
                    "new_account": new_account,
                },
            )
            report.added += 1
    report.applied = True
    return report


def pending_invitations(**filters):
    return CohortInvitation.objects.filter(status=InvitationStatus.PENDING, **filters)


@transaction.atomic
def answer_invitation(invitation: CohortInvitation, *, accept: bool, by) -> None:
    """The invited person accepts or declines; an org admin may accept for them (confirm).
    Either way the answer is recorded in the audit log."""
    invitation = CohortInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise RecordError(_("This invitation has already been answered."))
    own = by.pk == invitation.user_id
    if not own and not (accept and is_org_admin(by)):
        raise RecordError(_("Only the invited person can answer this invitation."))
    if accept:
        enrol(
            invitation.user,
            invitation.cohort.course,
            cohort=invitation.cohort,
            by=invitation.invited_by or by,
            invited=True,
        )
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.answered_at = timezone.now()
    invitation.answered_by = by
    invitation.save(update_fields=["status", "answered_at", "answered_by"])
    if not accept:
        action = CohortInvitation.DECLINED_ACTION
    else:
        action = CohortInvitation.ACCEPTED_ACTION if own else CohortInvitation.CONFIRMED_ACTION
    log(
        invitation,
        action,
        user=by,
        data={"cohort": invitation.cohort_id, "learner": invitation.user_id},
    )


# --- Invitations --------------------------------------------------------------------------

INVITATION_SALT = "yorisoi.cohort-invitation"


class InvitationError(RecordError):
    """An invitation link that cannot be used; the message says why."""


class InvitationNotFound(InvitationError):
    """A link that names no invitation, or not one for the account signed in (404)."""


class InvitationGone(InvitationError):
    """A real invitation whose link no longer works: answered or expired (410)."""


def awaits_invitation(user) -> bool:
    """A trainee created from a roster who has not chosen a password yet. Staff accounts are
    never handed to a trainer this way, whatever their password."""
    return (
        user.is_active
        and not (user.is_staff or user.is_superuser)
        and not user.has_usable_password()
        and user.last_login is None
    )


def chooses_password(invitation: CohortInvitation) -> bool:
    """Whether the link lets its holder choose the account's first password: only for the
    account this roster created, until it has a password or has signed in."""
    return invitation.new_account and awaits_invitation(invitation.user)


def invitation_token(invitation: CohortInvitation) -> str:
    """A signed, dated token for the invitation's link; a fresh one is made each time a link is
    shown or sent. It carries the invitation's id and nothing of the account (whose id would
    tell an old account from one the roster just created)."""
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_path(invitation: CohortInvitation) -> str:
    return reverse("invitation", args=[invitation_token(invitation)])


def open_invitation(token: str, user) -> CohortInvitation:
    """The invitation a link stands for, as `user` (the visitor, maybe anonymous) may use it.

    Raises InvitationNotFound for a link that is not one of ours, or when someone other than
    the invited person is signed in (the same for new and existing accounts), and
    InvitationGone for a link that has expired or an invitation already answered. A new
    account that an org admin let in before its holder chose a password keeps its link for that.
    """
    try:
        pk = int(
            signing.loads(token, salt=INVITATION_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        )
    except signing.SignatureExpired:
        raise InvitationGone(
            _("This invitation link has expired. Ask your trainer for a new one.")
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvitationNotFound(_("This invitation link is not valid.")) from None
    invitation = (
        CohortInvitation.objects.select_related("cohort__course", "user").filter(pk=pk).first()
    )
    if invitation is None:
        raise InvitationNotFound(_("This invitation link is not valid."))
    if user.is_authenticated and user.pk != invitation.user_id:
        raise InvitationNotFound(
            _("This invitation is for another account. Sign out, then open the link again.")
        )
    if not invitation.pending and not (
        invitation.status == InvitationStatus.ACCEPTED and chooses_password(invitation)
    ):
        raise InvitationGone(_("This invitation has already been answered."))
    return invitation


@transaction.atomic
def join_with_password(invitation: CohortInvitation, password: str) -> None:
    """The holder of a new account chooses its first password with their link and joins the
    cohort (unless an org admin already let them in). The caller checked the password."""
    if not chooses_password(invitation):
        raise RecordError(_("This link cannot set a password for this account."))
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    if invitation.pending:
        answer_invitation(invitation, accept=True, by=user)


def email_enabled() -> bool:
    return settings.EMAIL_BACKEND != "django.core.mail.backends.dummy.EmailBackend"


def invitation_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))


def send_invitations(cohort: Cohort, base_url: str, *, by) -> int:
    """E-mail everyone invited to the cohort who has not answered a fresh link, in the same
    words for new and existing accounts."""
    if not email_enabled():
        raise RecordError(_("This site cannot send e-mail. Copy the links instead."))
    sent = 0
    for invitation in pending_invitations(cohort=cohort).select_related("cohort__course"):
        context = {
            "name": invitation.name,
            "course": cohort.course.title,
            "cohort": cohort.name,
            "trainer": display_name(by),
            "link": base_url.rstrip("/") + invitation_path(invitation),
            "days": invitation_days(),
        }
        send_mail(
            render_to_string("registration/invitation_subject.txt", context).strip(),
            render_to_string("registration/invitation_email.txt", context),
            None,
            [invitation.email],
        )
        sent += 1
    return sent


# --- Lessons and the journal -----------------------------------------------------------------


def complete_lesson(user, lesson: LessonPage) -> bool:
    """Mark a lesson done and credit its minutes once; returns False if it was already done."""
    enrollment = Enrollment.objects.filter(user=user, course=lesson.course()).first()
    if enrollment is None:
        raise RecordError(_("Enrol in the course before completing its lessons."))
    if lesson.delivery != Delivery.ONLINE:
        # In-person hours come from attendance, so they cannot be claimed twice.
        raise RecordError(
            _("This lesson is credited when your trainer records your attendance at it.")
        )
    try:
        with transaction.atomic():
            LessonCompletion.objects.create(user=user, lesson=lesson)
            enrollment.credit(lesson.duration_minutes, HoursSource.LESSON, by=user, lesson=lesson)
    except IntegrityError:
        # A double click or a second tab: the first request already credited the lesson.
        return False
    return True


def save_reflection(user, lesson: LessonPage, block_id: str, text: str) -> JournalEntry:
    prompt = lesson.reflection_prompt(block_id)
    if prompt is None:
        raise RecordError(_("This reflection question no longer exists in the lesson."))
    text = text.strip()
    if not text:
        raise RecordError(_("Write an answer before saving."))
    if len(text) > MAX_JOURNAL_CHARS:
        raise RecordError(
            _("Answers can be at most %(max)d characters.") % {"max": MAX_JOURNAL_CHARS}
        )
    entry, _created = JournalEntry.objects.update_or_create(
        user=user, lesson=lesson, block_id=block_id, defaults={"prompt": prompt, "text": text}
    )
    return entry


# --- Attendance and the ledger ---------------------------------------------------------------


@transaction.atomic
def record_attendance(session: InPersonSession, statuses: dict[int, str], *, by) -> int:
    """Record attendance for trainees of the session's cohort; returns how many changed.

    A trainee's first attended status credits the session once. When a change moves them
    between attended (present, late) and not attended (excused, absent), a reversal line
    brings that credit's net value to what they are now due (0, or the session's minutes),
    so the history stays and the session never counts twice. A change within the same group
    leaves the ledger, and any trainer's correction in it, alone.
    """
    valid = set(AttendanceStatus.values)
    # Locked so two saves of this form cannot both credit a trainee or reverse one credit.
    session = InPersonSession.objects.select_for_update().get(pk=session.pk)
    enrollments = {e.user_id: e for e in Enrollment.objects.filter(cohort_id=session.cohort_id)}
    for user_id, status in statuses.items():
        if user_id not in enrollments:
            raise RecordError(_("A trainee in this form is not in the session's cohort."))
        if status not in valid:
            raise RecordError(_("“%(status)s” is not an attendance status.") % {"status": status})

    current = {a.user_id: a for a in Attendance.objects.filter(session=session)}
    credits = {
        credit.user_id: credit
        for credit in HoursEntry.objects.select_for_update()
        .filter(session=session, source=HoursSource.SESSION, corrects=None)
        .prefetch_related("corrections")
    }
    changed = 0
    for user_id, status in statuses.items():
        attendance = current.get(user_id)
        if attendance is None:
            attendance = Attendance(session=session, user_id=user_id)
            was_attended = False
        elif attendance.status == status:
            continue
        else:
            was_attended = attendance.status in CREDITED_STATUSES
        attendance.status = status
        attendance.recorded_by = by
        attendance.save()
        changed += 1
        attended = status in CREDITED_STATUSES
        if session.lesson_id and attended:
            LessonCompletion.objects.get_or_create(user_id=user_id, lesson_id=session.lesson_id)
        elif session.lesson_id:
            LessonCompletion.objects.filter(user_id=user_id, lesson_id=session.lesson_id).delete()
        if attended == was_attended:
            continue
        enrollment, credit = enrollments[user_id], credits.get(user_id)
        label = attendance.get_status_display()
        if credit is None:
            if attended:
                enrollment.credit(
                    session.minutes,
                    HoursSource.SESSION,
                    by=by,
                    session=session,
                    reason=_("Attendance: %(status)s") % {"status": label},
                )
            continue
        delta = (session.minutes if attended else 0) - credit.net_minutes()
        if delta:
            enrollment.credit(
                delta,
                HoursSource.SESSION,
                by=by,
                corrects=credit,
                reason=_("Attendance changed to %(status)s") % {"status": label},
            )
    return changed


@transaction.atomic
def correct_entry(entry: HoursEntry, corrected_minutes: int, reason: str, *, by) -> HoursEntry:
    """Set a credit's net value to corrected_minutes by adding a correction line.

    A correction states what the credit it concerns is worth, counting every line already
    made to it (earlier corrections and attendance reversals). Lines that adjust a credit
    are not corrected themselves.
    """
    reason = reason.strip()
    if not reason:
        raise RecordError(_("Give a reason for the correction."))
    if corrected_minutes < 0:
        raise RecordError(_("An entry cannot be worth fewer than 0 minutes."))
    entry = HoursEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.source == HoursSource.CORRECTION:
        raise RecordError(_("Correct the original entry, not a correction."))
    if entry.is_reversal:
        raise RecordError(
            _(
                "This line records an attendance change and cannot be corrected. Correct the "
                "original credit line for the session instead, or change the attendance."
            )
        )
    enrollment = Enrollment.objects.filter(user_id=entry.user_id, course_id=entry.course_id).first()
    if enrollment is None:
        raise RecordError(_("The learner is no longer enrolled in this course."))
    delta = corrected_minutes - entry.net_minutes()
    if delta == 0:
        raise RecordError(_("The entry is already worth %(m)d minutes.") % {"m": corrected_minutes})
    return enrollment.credit(delta, HoursSource.CORRECTION, by=by, corrects=entry, reason=reason)


# --- Role-play practice ------------------------------------------------------------------------


def practice_enrollment(user, audience: str) -> Enrollment | None:
    """The course practice for this audience is credited to: one for that audience, else one
    for everyone, else any; the newest first within each."""
    fit = Case(
        When(course__audience=audience, then=0),
        When(course__audience=Audience.ALL, then=1),
        default=2,
    )
    return (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .order_by(fit, "-enrolled_at", "-pk")
        .first()
    )


def uncovered_seconds(start, end, covered) -> float:
    """Seconds of [start, end] outside every (start, end) interval in covered."""
    total, cursor = 0.0, start
    for covered_start, covered_end in sorted(covered):
        if covered_start > cursor:
            total += (min(covered_start, end) - cursor).total_seconds()
        cursor = max(cursor, covered_end)
        if cursor >= end:
            return total
    return total + max((end - cursor).total_seconds(), 0.0)


def credit_practice(user, *, audience, started_at, ended_at, reason, by) -> HoursEntry | None:
    """Credit role-play practice time to the learner's practice bucket; None if nothing is due.

    Only the whole minutes of [started_at, ended_at] that none of the learner's earlier
    practice credits covers count, so sessions run side by side count once; then at most
    YORISOI_ROLEPLAY_MAX_MINUTES per session and YORISOI_ROLEPLAY_DAILY_MINUTES per learner
    and day (the day the practice ended). The credit goes to practice_enrollment's course and
    records the interval it covers. None without an enrolment.
    """
    if ended_at <= started_at:
        return None
    with transaction.atomic():
        # Two sessions ending at once must not both count the same stretch of time.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        enrollment = practice_enrollment(user, audience)
        if enrollment is None:
            return None
        credits = HoursEntry.objects.filter(
            user=user, source=HoursSource.ROLEPLAY, corrects=None, period_start__isnull=False
        )
        covered = credits.filter(period_start__lt=ended_at, period_end__gt=started_at)
        new_minutes = int(
            uncovered_seconds(
                started_at, ended_at, covered.values_list("period_start", "period_end")
            )
            // 60
        )
        day = timezone.localtime(ended_at).replace(hour=0, minute=0, second=0, microsecond=0)
        used_today = credits.filter(
            period_end__gte=day, period_end__lt=day + timedelta(days=1)
        ).aggregate(total=Sum("minutes", default=0))["total"]
        minutes = min(
            new_minutes,
            settings.YORISOI_ROLEPLAY_MAX_MINUTES,
            settings.YORISOI_ROLEPLAY_DAILY_MINUTES - used_today,
        )
        if minutes <= 0:
            return None
        return enrollment.credit(
            minutes,
            HoursSource.ROLEPLAY,
            by=by,
            reason=reason[:300],
            period=(started_at, ended_at),
        )


# --- Progress ----------------------------------------------------------------------------------


@dataclass
class CourseProgress:
    course: CoursePage
    enrollment: Enrollment | None
    credited_minutes: int  # what counts toward the required hours
    practice_minutes: int  # role-play practice, shown beside them
    lessons_done: int
    lessons_total: int
    next_lesson: LessonPage | None

    @property
    def required_minutes(self) -> int:
        return self.course.required_minutes

    @property
    def percent(self) -> int:
        if not self.required_minutes:
            return 100 if self.lessons_done >= self.lessons_total else 0
        return min(100, round(100 * self.credited_minutes / self.required_minutes))

    @property
    def credited_hours(self) -> Decimal:
        return as_hours(self.credited_minutes)

    @property
    def practice_hours(self) -> Decimal:
        return as_hours(self.practice_minutes)

    @property
    def complete(self) -> bool:
        return self.credited_minutes >= self.required_minutes and self.lessons_total > 0


def can_do_now(lesson: LessonPage) -> bool:
    """Online lessons can be done any time; in-person ones only at their session."""
    return lesson.delivery == Delivery.ONLINE


def course_progress(user, course: CoursePage) -> CourseProgress | None:
    if not user.is_authenticated:
        return None
    return learner_progress(user, [course]).get(course.pk)


def learner_progress(user, courses) -> dict[int, CourseProgress]:
    """Progress in each course for one learner, with a fixed number of queries."""
    courses = list(courses)
    if not courses:
        return {}
    enrollments = {
        e.course_id: e
        for e in Enrollment.objects.filter(user=user, course__in=courses).select_related("cohort")
    }
    minutes = {
        course_id: (course_minutes, practice_minutes)
        for course_id, course_minutes, practice_minutes in HoursEntry.objects.filter(
            user=user, course__in=courses
        )
        .values("course_id")
        .annotate(**bucket_sums())
        .values_list("course_id", "course_minutes", "practice_minutes")
    }
    done = set(LessonCompletion.objects.filter(user=user).values_list("lesson_id", flat=True))
    lessons_by_course = defaultdict(list)
    in_courses = reduce(or_, (Q(path__startswith=c.path) for c in courses))
    for lesson in (
        LessonPage.objects.live()
        .filter(in_courses)
        .order_by("path")
        .only("id", "title", "path", "url_path", "duration_minutes", "delivery")
    ):
        course = next(c for c in courses if lesson.path.startswith(c.path))
        lessons_by_course[course.pk].append(lesson)
    result = {}
    for course in courses:
        lessons = lessons_by_course[course.pk]
        course_minutes, practice_minutes = minutes.get(course.pk, (0, 0))
        result[course.pk] = CourseProgress(
            course=course,
            enrollment=enrollments.get(course.pk),
            credited_minutes=course.counted_minutes(course_minutes, practice_minutes),
            practice_minutes=practice_minutes,
            lessons_done=sum(1 for lesson in lessons if lesson.pk in done),
            lessons_total=len(lessons),
            next_lesson=next(
                (lesson for lesson in lessons if lesson.pk not in done and can_do_now(lesson)),
                None,
            ),
        )
    return result


@dataclass
class TraineeRow:
    enrollment: Enrollment
    cells: list[tuple[int, int]]  # (done, total) per module
    credited_minutes: int  # what counts toward the required hours
    practice_minutes: int  # role-play practice, shown beside them
    attended: int
    recorded: int
    behind: bool

    @property
    def name(self) -> str:
        return display_name(self.enrollment.user)

    @property
    def credited_hours(self) -> Decimal:
        return as_hours(self.credited_minutes)

    @property
    def practice_hours(self) -> Decimal:
        return as_hours(self.practice_minutes)

    @property
    def attendance_rate(self) -> int | None:
        return round(100 * self.attended / self.recorded) if self.recorded else None


@dataclass
class CohortMatrix:
    cohort: Cohort
    modules: list
    rows: list[TraineeRow]
    expected_minutes: int

    @property
    def behind_count(self) -> int:
        return sum(1 for row in self.rows if row.behind)


def is_behind(
    cohort: Cohort, enrollment: Enrollment, credited_minutes: int, session_days, today
) -> bool:
    """Whether a trainee is behind the pace expected of them (BEHIND_RATIO of it).

    The pace starts on the trainee's own first day, the later of the cohort's start and the
    day they were enrolled, and rises to the course's required hours on the cohort's last
    day. Until the day after their first in-person session (the cohort's first session from
    that day on; BEHIND_GRACE_DAYS when none is scheduled) nothing was expected of them yet,
    so a newly enrolled trainee is never flagged.
    """
    first_day = max(cohort.starts_on, timezone.localdate(enrollment.enrolled_at))
    first_session = next((day for day in session_days if day >= first_day), None)
    grace_ends = first_session or first_day + timedelta(days=BEHIND_GRACE_DAYS)
    if today <= grace_ends:
        return False
    expected = cohort.expected_fraction(today, start=first_day) * cohort.course.required_minutes
    return credited_minutes < expected * BEHIND_RATIO


def cohort_matrix(cohort: Cohort, today=None) -> CohortMatrix:
    """Trainees × modules progress for a cohort in a constant number of queries."""
    course = cohort.course
    modules = list(course.modules().only("id", "title", "path"))
    lessons = list(course.lessons().values_list("id", "path"))
    module_of = {}
    totals = Counter()
    for lesson_id, path in lessons:
        module_path = path[: len(course.path) + LessonPage.steplen]
        module_of[lesson_id] = module_path
        totals[module_path] += 1
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    done = defaultdict(Counter)
    for user_id, lesson_id in LessonCompletion.objects.filter(
        user__enrollments__cohort=cohort, lesson__in=module_of.keys()
    ).values_list("user_id", "lesson_id"):
        done[user_id][module_of[lesson_id]] += 1
    minutes = {
        user_id: (course_minutes, practice_minutes)
        for user_id, course_minutes, practice_minutes in HoursEntry.objects.filter(
            course=course, user__enrollments__cohort=cohort
        )
        .values("user_id")
        .annotate(**bucket_sums())
        .values_list("user_id", "course_minutes", "practice_minutes")
    }
    attended, recorded = Counter(), Counter()
    for user_id, status, n in (
        Attendance.objects.filter(session__cohort=cohort)
        .values("user_id", "status")
        .annotate(n=Count("id"))
        .values_list("user_id", "status", "n")
    ):
        recorded[user_id] += n
        if status in CREDITED_STATUSES:
            attended[user_id] += n
    today = today or timezone.localdate()
    expected = int(cohort.expected_fraction(today) * course.required_minutes)
    session_days = [
        timezone.localdate(starts_at)
        for starts_at in cohort.sessions.order_by("starts_at").values_list("starts_at", flat=True)
    ]
    rows = []
    for enrollment in enrollments:
        user_id = enrollment.user_id
        course_minutes, practice_minutes = minutes.get(user_id, (0, 0))
        credited = course.counted_minutes(course_minutes, practice_minutes)
        rows.append(
            TraineeRow(
                enrollment=enrollment,
                cells=[(done[user_id][m.path], totals[m.path]) for m in modules],
                credited_minutes=credited,
                practice_minutes=practice_minutes,
                attended=attended[user_id],
                recorded=recorded[user_id],
                behind=is_behind(cohort, enrollment, credited, session_days, today),
            )
        )
    return CohortMatrix(cohort=cohort, modules=modules, rows=rows, expected_minutes=expected)


def upcoming_sessions(user, now=None):
    now = now or timezone.now()
    return (
        InPersonSession.objects.filter(cohort__enrollments__user=user, starts_at__gte=now)
        .select_related("cohort", "lesson")
        .order_by("starts_at")[:5]
    )


# --- The course outline ---------------------------------------------------------------------


@dataclass
class OutlineLesson:
    lesson: LessonPage
    done: bool = False
    # For an in-person lesson: the reader's cohort's session for it (None: not scheduled yet).
    session: InPersonSession | None = None
    # A live role-play scenario on the lesson's competencies: {"slug", "title"}.
    scenario: dict | None = None

    @property
    def in_person(self) -> bool:
        return not can_do_now(self.lesson)


@dataclass
class OutlineModule:
    module: ModulePage
    lessons: list[OutlineLesson]


def course_outline(user, course: CoursePage, now=None) -> list[OutlineModule]:
    """The course's modules and lessons as one reader sees them, in a fixed number of queries:
    which lessons they completed, when and where their cohort meets for the in-person ones,
    and a scenario to practise each lesson with."""
    modules = list(course.modules())
    lessons = list(course.lessons())
    ids = [lesson.pk for lesson in lessons]
    done, sessions = set(), {}
    if user.is_authenticated:
        done = set(
            LessonCompletion.objects.filter(user=user, lesson__in=ids).values_list(
                "lesson_id", flat=True
            )
        )
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        if enrollment and enrollment.cohort_id:
            sessions = cohort_sessions_by_lesson(enrollment.cohort_id, ids, now)
    scenarios = practice_scenarios(ids)
    by_module = defaultdict(list)
    for lesson in lessons:
        by_module[lesson.path[: len(course.path) + LessonPage.steplen]].append(
            OutlineLesson(
                lesson=lesson,
                done=lesson.pk in done,
                session=sessions.get(lesson.pk),
                scenario=scenarios.get(lesson.pk),
            )
        )
    return [OutlineModule(module=m, lessons=by_module[m.path]) for m in modules]


def lesson_plan(user, lesson: LessonPage, now=None) -> dict:
    """For a lesson page: the reader's session for an in-person lesson, the lesson's
    competencies and a scenario to practise them with."""
    session = None
    if user.is_authenticated and not can_do_now(lesson):
        enrolment = lesson.enrolment_of(user)
        if enrolment and enrolment.cohort_id:
            session = cohort_sessions_by_lesson(enrolment.cohort_id, [lesson.pk], now).get(
                lesson.pk
            )
    competencies, scenario = lesson_competencies(lesson)
    return {"session": session, "competencies": competencies, "scenario": scenario}


def lesson_competencies(lesson: LessonPage) -> tuple[list[dict], dict | None]:
    """One lesson's competencies (code and name, in framework order) and the live scenario
    that shares the most of them, read together in one query: each competency with each of its
    scenarios (a left join), the ones not live dropped here, which is cheaper than a join with
    a condition. practice_scenarios does the same for many lessons at once."""
    fields = ["pk", "code", "name"]
    if _has_scenarios():
        fields += ["scenarios__slug", "scenarios__title", "scenarios__live"]
    competencies: dict[int, dict] = {}
    shared = []
    for pk, code, name, *scenario in Competency.objects.filter(lessons=lesson).values_list(*fields):
        competencies.setdefault(pk, {"code": code, "name": name})
        if scenario and scenario[2]:
            shared.append((lesson.pk, scenario[0], scenario[1]))
    return list(competencies.values()), _most_shared(shared).get(lesson.pk)


def cohort_sessions_by_lesson(cohort_id, lesson_ids, now=None) -> dict[int, InPersonSession]:
    """Per lesson, the cohort's next session for it, or its latest one when all are past."""
    now = now or timezone.now()
    chosen: dict[int, InPersonSession] = {}
    for session in InPersonSession.objects.filter(
        cohort_id=cohort_id, lesson__in=lesson_ids
    ).order_by("starts_at"):
        current = chosen.get(session.lesson_id)
        if current is None or current.starts_at < now:
            chosen[session.lesson_id] = session
    return chosen


def practice_scenarios(lesson_ids) -> dict[int, dict]:
    """Per lesson, the live scenario that shares the most competencies with it."""
    if not lesson_ids or not _has_scenarios():
        return {}
    return _most_shared(
        Competency.objects.filter(lessons__in=lesson_ids, scenarios__live=True).values_list(
            "lessons", "scenarios__slug", "scenarios__title"
        )
    )


def _has_scenarios() -> bool:
    """courses cannot import roleplay, so scenarios are found through the reverse relation
    `scenarios` on Competency, as competency_coverage finds them; without roleplay there are
    none."""
    return "scenarios" in {rel.name for rel in Competency._meta.related_objects}


def _most_shared(rows) -> dict[int, dict]:
    """From (lesson id, scenario slug, scenario title) rows, one per competency the two share:
    per lesson, the scenario sharing the most, the first by title on a tie."""
    best: dict[int, dict] = {}
    shared = Counter(rows)
    for (lesson_id, slug, title), _n in sorted(shared.items(), key=lambda i: (-i[1], i[0][2])):
        best.setdefault(lesson_id, {"slug": slug, "title": title})
    return best


# --- Competency coverage -------------------------------------------------------------------

# What can cover a competency, by the reverse relation name other apps give their
# ManyToMany to Competency. courses cannot import roleplay or assessments, so it finds
# their links by name; an app that is not installed simply counts zero.
COVERAGE_RELATIONS = {
    "lessons": "lessons",
    "scenarios": "scenarios",
    "criteria": "rubric_criteria",
    "questions": "questions",
}


def competency_coverage() -> dict:
    reverse_names = {rel.name for rel in Competency._meta.related_objects}
    annotations = {
        key: Count(relation, distinct=True)
        for key, relation in COVERAGE_RELATIONS.items()
        if relation in reverse_names
    }
    competencies = []
    uncovered = []
    for competency in Competency.objects.select_related("category__framework").annotate(
        **{f"n_{key}": value for key, value in annotations.items()}
    ):
        counts = {key: getattr(competency, f"n_{key}", 0) for key in COVERAGE_RELATIONS}
        competencies.append(
            {
                "code": competency.code,
                "name": competency.name,
                "framework": competency.category.framework.code,
                **counts,
            }
        )
        if not any(counts.values()):
            uncovered.append(competency.code)
    return {"competencies": competencies, "uncovered": uncovered}
