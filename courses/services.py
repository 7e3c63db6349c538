"""Workflows over learning records. Each runs in one transaction and raises RecordError,
with a message fit to show the user, instead of leaving anything half-saved."""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yorisoi.roles import TRAINEE

from .models import (
    CREDITED_STATUSES,
    Attendance,
    AttendanceStatus,
    Cohort,
    CoursePage,
    Delivery,
    Enrollment,
    HoursEntry,
    HoursSource,
    InPersonSession,
    JournalEntry,
    LessonCompletion,
    LessonPage,
)

# Trainees whose credited hours fall below this share of the cohort's expected pace are
# flagged as behind, early enough for a trainer to call them.
BEHIND_RATIO = 0.8
MAX_JOURNAL_CHARS = 4000


class RecordError(Exception):
    """A request that cannot be carried out; the message is safe to show to the user."""


def display_name(user) -> str:
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.username


# --- Enrolment ----------------------------------------------------------------------------


@transaction.atomic
def enrol(user, course: CoursePage, *, cohort: Cohort | None = None, by=None) -> Enrollment:
    """Enrol a learner; self-enrolment (by is None or the user) needs a self-enrol course."""
    if cohort is not None and cohort.course_id != course.pk:
        raise RecordError(_("This cohort belongs to another course."))
    self_service = by is None or by == user
    if self_service and not course.self_enrol:
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
    errors: list[str] = field(default_factory=list)


@dataclass
class RosterReport:
    rows: list[RosterRow]
    errors: list[str] = field(default_factory=list)
    created_users: int = 0
    enrolled: int = 0
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
    reader = csv.reader(io.StringIO(text))
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

    User = get_user_model()
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
    existing = {u.email.lower(): u for u in User.objects.filter(email__in=list(seen))}
    enrolled = {
        e.user_id: e
        for e in Enrollment.objects.filter(course_id=cohort.course_id, user__in=existing.values())
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
        user = existing.get(row.email)
        enrollment = enrolled.get(user.pk) if user else None
        if enrollment and enrollment.cohort_id not in (None, cohort.pk):
            row.errors.append(
                _("already enrolled in cohort %(cohort)s") % {"cohort": enrollment.cohort.name}
            )
        if not row.errors:
            if enrollment and enrollment.cohort_id == cohort.pk:
                row.already_enrolled = True
                row.status = _("already in this cohort")
            elif user:
                row.status = _("existing account, will be enrolled")
            else:
                row.status = _("new account, will be created and enrolled")
    return RosterReport(rows=rows)


def bulk_enrol(cohort: Cohort, text: str, *, by, dry_run: bool) -> RosterReport:
    """Enrol every row of a roster, or nothing at all when any row has an error."""
    report = parse_roster(cohort, text)
    if dry_run or not report.ok:
        return report
    User = get_user_model()
    trainee_group, _created = Group.objects.get_or_create(name=TRAINEE)
    with transaction.atomic():
        for row in report.rows:
            if row.already_enrolled:
                continue
            user = User.objects.filter(email__iexact=row.email).first()
            if user is None:
                last, _sep, first = row.name.partition(" ")
                user = User(username=row.email, email=row.email, last_name=last, first_name=first)
                user.set_unusable_password()
                user.save()
                user.groups.add(trainee_group)
                report.created_users += 1
            enrol(user, cohort.course, cohort=cohort, by=by)
            report.enrolled += 1
    report.applied = True
    return report


# --- Lessons and the journal -----------------------------------------------------------------


def complete_lesson(user, lesson: LessonPage) -> bool:
    """Mark a lesson done and credit its minutes once; returns False if it was already done."""
    course = lesson.course()
    if not Enrollment.objects.filter(user=user, course=course).exists():
        raise RecordError(_("Enrol in the course before completing its lessons."))
    if lesson.delivery != Delivery.ONLINE:
        # In-person hours come from attendance, so they cannot be claimed twice.
        raise RecordError(
            _("This lesson is credited when your trainer records your attendance at it.")
        )
    try:
        with transaction.atomic():
            LessonCompletion.objects.create(user=user, lesson=lesson)
            HoursEntry.objects.create(
                user=user,
                course=course,
                minutes=lesson.duration_minutes,
                source=HoursSource.LESSON,
                lesson=lesson,
                created_by=user,
            )
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

    Credit follows the status: the ledger gets a line for each change, so moving a trainee
    from present to absent takes the hours back without erasing the history.
    """
    valid = set(AttendanceStatus.values)
    members = set(
        Enrollment.objects.filter(cohort=session.cohort).values_list("user_id", flat=True)
    )
    for user_id, status in statuses.items():
        if user_id not in members:
            raise RecordError(_("A trainee in this form is not in the session's cohort."))
        if status not in valid:
            raise RecordError(_("“%(status)s” is not an attendance status.") % {"status": status})

    course = session.cohort.course
    current = {a.user_id: a for a in Attendance.objects.filter(session=session)}
    credited = dict(
        HoursEntry.objects.filter(session=session, source=HoursSource.SESSION)
        .values("user_id")
        .annotate(total=Sum("minutes"))
        .values_list("user_id", "total")
    )
    changed = 0
    for user_id, status in statuses.items():
        attendance = current.get(user_id)
        if attendance is None:
            attendance = Attendance(session=session, user_id=user_id)
        elif attendance.status == status:
            continue
        attendance.status = status
        attendance.recorded_by = by
        attendance.save()
        changed += 1
        attended = status in CREDITED_STATUSES
        if session.lesson_id and attended:
            LessonCompletion.objects.get_or_create(user_id=user_id, lesson_id=session.lesson_id)
        elif session.lesson_id:
            LessonCompletion.objects.filter(user_id=user_id, lesson_id=session.lesson_id).delete()
        due = session.minutes if attended else 0
        delta = due - credited.get(user_id, 0)
        if delta:
            HoursEntry.objects.create(
                user_id=user_id,
                course=course,
                minutes=delta,
                source=HoursSource.SESSION,
                session=session,
                reason=_("Attendance: %(status)s") % {"status": attendance.get_status_display()},
                created_by=by,
            )
    return changed


@transaction.atomic
def correct_entry(entry: HoursEntry, corrected_minutes: int, reason: str, *, by) -> HoursEntry:
    """Set an entry's net value to corrected_minutes by adding a correction line."""
    reason = reason.strip()
    if not reason:
        raise RecordError(_("Give a reason for the correction."))
    if entry.source == HoursSource.CORRECTION:
        raise RecordError(_("Correct the original entry, not a correction."))
    if corrected_minutes < 0:
        raise RecordError(_("An entry cannot be worth fewer than 0 minutes."))
    entry = HoursEntry.objects.select_for_update().get(pk=entry.pk)
    delta = corrected_minutes - entry.net_minutes()
    if delta == 0:
        raise RecordError(_("The entry is already worth %(m)d minutes.") % {"m": corrected_minutes})
    return HoursEntry.objects.create(
        user=entry.user,
        course=entry.course,
        minutes=delta,
        source=HoursSource.CORRECTION,
        corrects=entry,
        reason=reason,
        created_by=by,
    )


# --- Progress ----------------------------------------------------------------------------------


@dataclass
class CourseProgress:
    course: CoursePage
    enrollment: Enrollment | None
    credited_minutes: int
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
    def credited_hours(self) -> float:
        return round(self.credited_minutes / 60, 1)

    @property
    def complete(self) -> bool:
        return self.credited_minutes >= self.required_minutes and self.lessons_total > 0


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
    minutes = dict(
        HoursEntry.objects.filter(user=user, course__in=courses)
        .values("course_id")
        .annotate(total=Sum("minutes"))
        .values_list("course_id", "total")
    )
    done = set(LessonCompletion.objects.filter(user=user).values_list("lesson_id", flat=True))
    lessons_by_course = defaultdict(list)
    in_courses = reduce(or_, (Q(path__startswith=c.path) for c in courses))
    for lesson in (
        LessonPage.objects.live()
        .filter(in_courses)
        .order_by("path")
        .only("id", "title", "path", "url_path", "duration_minutes")
    ):
        course = next(c for c in courses if lesson.path.startswith(c.path))
        lessons_by_course[course.pk].append(lesson)
    result = {}
    for course in courses:
        lessons = lessons_by_course[course.pk]
        result[course.pk] = CourseProgress(
            course=course,
            enrollment=enrollments.get(course.pk),
            credited_minutes=minutes.get(course.pk, 0),
            lessons_done=sum(1 for lesson in lessons if lesson.pk in done),
            lessons_total=len(lessons),
            next_lesson=next((lesson for lesson in lessons if lesson.pk not in done), None),
        )
    return result


@dataclass
class TraineeRow:
    enrollment: Enrollment
    cells: list[tuple[int, int]]  # (done, total) per module
    credited_minutes: int
    attended: int
    recorded: int
    behind: bool

    @property
    def name(self) -> str:
        return display_name(self.enrollment.user)

    @property
    def credited_hours(self) -> float:
        return round(self.credited_minutes / 60, 1)

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
    minutes = dict(
        HoursEntry.objects.filter(course=course, user__enrollments__cohort=cohort)
        .values("user_id")
        .annotate(total=Sum("minutes"))
        .values_list("user_id", "total")
    )
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
    expected = int(cohort.expected_fraction(today) * course.required_minutes)
    rows = []
    for enrollment in enrollments:
        user_id = enrollment.user_id
        credited = minutes.get(user_id, 0)
        rows.append(
            TraineeRow(
                enrollment=enrollment,
                cells=[(done[user_id][m.path], totals[m.path]) for m in modules],
                credited_minutes=credited,
                attended=attended[user_id],
                recorded=recorded[user_id],
                behind=credited < expected * BEHIND_RATIO,
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


# --- Competency coverage -------------------------------------------------------------------

# What can cover a competency, by the reverse relation name other apps give their
# ManyToMany to Competency. courses cannot import roleplay or assessments, so it finds
# their links by name; an app that is not installed simply counts zero.
COVERAGE_RELATIONS = {"lessons": "lessons", "scenarios": "scenarios", "criteria": "rubric_criteria"}


def competency_coverage() -> dict:
    from .models import Competency

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
