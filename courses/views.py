import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yorisoi.roles import is_trainer

from . import services
from .forms import CorrectionForm, RosterForm
from .models import (
    AttendanceStatus,
    Cohort,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    HoursEntry,
    HoursSource,
    InPersonSession,
    JournalEntry,
    LessonPage,
)

JOURNAL_PAGE_SIZE = 20
LEDGER_PAGE_SIZE = 50


def trainer_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_trainer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def visible_cohort(request, pk) -> Cohort:
    """A cohort the trainer runs; any other id is a 404, so ids reveal nothing."""
    return get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("course"), pk=pk
    )


# --- Learners -----------------------------------------------------------------------------


@login_required
def learner_home(request):
    enrollments = Enrollment.objects.filter(user=request.user).select_related("course")
    courses = [e.course for e in enrollments]
    progress = services.learner_progress(request.user, courses)
    catalogue = CourseIndexPage.objects.first()
    open_courses = (
        CoursePage.objects.live().filter(self_enrol=True).exclude(pk__in=[c.pk for c in courses])
    )
    return render(
        request,
        "courses/learner_home.html",
        {
            "progress": [progress[c.pk] for c in courses],
            "sessions": services.upcoming_sessions(request.user),
            "journal": JournalEntry.objects.filter(user=request.user).select_related("lesson")[:3],
            "open_courses": open_courses,
            "catalogue": catalogue,
        },
    )


@require_POST
@login_required
def enrol(request, course_id):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        services.enrol(request.user, course)
    except services.RecordError as error:
        messages.error(request, str(error))
        return redirect(course.url)
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    first = course.lessons().first()
    return redirect(first.url if first else course.url)


@require_POST
@login_required
def complete_lesson(request, lesson_id):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    try:
        credited = services.complete_lesson(request.user, lesson)
    except services.RecordError as error:
        messages.error(request, str(error))
        return redirect(lesson.url)
    if credited:
        messages.success(
            request,
            _("Lesson complete: %(minutes)d minutes added to your hours.")
            % {"minutes": lesson.duration_minutes},
        )
    next_lesson = lesson.course().lessons().filter(path__gt=lesson.path).first()
    return redirect(next_lesson.url if next_lesson else lesson.url)


@require_POST
@login_required
def save_reflection(request, lesson_id, block_id):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    if not Enrollment.objects.filter(user=request.user, course=lesson.course()).exists():
        raise PermissionDenied
    try:
        services.save_reflection(request.user, lesson, block_id, request.POST.get("text", ""))
    except services.RecordError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved to your journal. Only you can read it."))
    return redirect(f"{lesson.url}#reflection-{block_id}")


@login_required
def journal(request):
    entries = JournalEntry.objects.filter(user=request.user).select_related("lesson")
    page = Paginator(entries, JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "courses/journal.html", {"page": page})


@login_required
def my_hours(request, course_id):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("course"), user=request.user, course_id=course_id
    )
    return _ledger(request, enrollment, "courses/my_hours.html")


def _ledger(request, enrollment, template, extra=None):
    entries = (
        HoursEntry.objects.filter(user=enrollment.user, course=enrollment.course)
        .select_related("lesson", "session", "created_by", "corrects")
        .order_by("-created_at", "-id")
    )
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "enrollment": enrollment,
        "page": page,
        "total_minutes": enrollment.credited_minutes(),
        "trainee_name": services.display_name(enrollment.user),
        **(extra or {}),
    }
    return render(request, template, context)


# --- Trainers -----------------------------------------------------------------------------


@trainer_required
def trainer_cohorts(request):
    cohorts = Cohort.objects.visible_to(request.user).select_related("course")
    page = Paginator(cohorts, 30).get_page(request.GET.get("page"))
    return render(request, "courses/trainer/cohort_list.html", {"page": page})


@trainer_required
def cohort_dashboard(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    matrix = services.cohort_matrix(cohort)
    sessions = cohort.sessions.all()
    return render(
        request,
        "courses/trainer/cohort_dashboard.html",
        {"cohort": cohort, "matrix": matrix, "sessions": sessions, "now": timezone.now()},
    )


@trainer_required
def cohort_export(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    matrix = services.cohort_matrix(cohort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-progress.csv"'
    response.write("\ufeff")  # so Excel opens the Japanese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Name"), _("E-mail")]
        + [module.title for module in matrix.modules]
        + [_("Hours credited"), _("Hours required"), _("Attendance rate (%)"), _("Behind")]
    )
    for row in matrix.rows:
        writer.writerow(
            [row.name, row.enrollment.user.email]
            + [f"{done}/{total}" for done, total in row.cells]
            + [
                row.credited_hours,
                cohort.course.required_hours,
                "" if row.attendance_rate is None else row.attendance_rate,
                _("yes") if row.behind else "",
            ]
        )
    return response


@trainer_required
def roster(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    report = None
    form = RosterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        apply = request.POST.get("apply") == "1"
        report = services.bulk_enrol(
            cohort, form.cleaned_data["text"], by=request.user, dry_run=not apply
        )
        if report.applied:
            messages.success(
                request,
                _("%(enrolled)d trainees enrolled, %(created)d new accounts created.")
                % {"enrolled": report.enrolled, "created": report.created_users},
            )
            return redirect("cohort_dashboard", cohort_id=cohort.pk)
    status = 400 if report is not None and not report.ok else 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    return render(
        request,
        "courses/trainer/roster.html",
        {"cohort": cohort, "form": form, "report": report},
        status=status,
    )


@trainer_required
def attendance(request, session_id):
    session = get_object_or_404(
        InPersonSession.objects.select_related("cohort__course", "lesson"),
        pk=session_id,
        cohort__in=Cohort.objects.visible_to(request.user),
    )
    if request.method == "POST":
        statuses = {}
        for key, value in request.POST.items():
            if key.startswith("status-"):
                try:
                    statuses[int(key.removeprefix("status-"))] = value
                except ValueError:
                    return HttpResponseBadRequest(_("The form is malformed."))
        try:
            changed = services.record_attendance(session, statuses, by=request.user)
        except services.RecordError as error:
            messages.error(request, str(error))
            return _attendance_page(request, session, status=400)
        messages.success(request, _("Attendance saved (%(n)d changed).") % {"n": changed})
        return redirect("attendance", session_id=session.pk)
    return _attendance_page(request, session)


def _attendance_page(request, session, status=200):
    enrollments = (
        Enrollment.objects.filter(cohort=session.cohort)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    recorded = dict(session.attendances.values_list("user_id", "status"))
    trainees = [
        {
            "user_id": e.user_id,
            "name": services.display_name(e.user),
            "status": recorded.get(e.user_id, ""),
        }
        for e in enrollments
    ]
    return render(
        request,
        "courses/trainer/attendance.html",
        {"session": session, "trainees": trainees, "statuses": AttendanceStatus.choices},
        status=status,
    )


@trainer_required
def trainee_ledger(request, enrollment_id):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("course", "user", "cohort"),
        pk=enrollment_id,
        cohort__in=Cohort.objects.visible_to(request.user),
    )
    return _ledger(request, enrollment, "courses/trainer/ledger.html", {"form": CorrectionForm()})


@require_POST
@trainer_required
def correct_entry(request, entry_id):
    entry = get_object_or_404(
        HoursEntry.objects.exclude(source=HoursSource.CORRECTION), pk=entry_id
    )
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("course", "user"),
        user=entry.user,
        course=entry.course,
        cohort__in=Cohort.objects.visible_to(request.user),
    )
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correct_entry(
                entry, form.cleaned_data["minutes"], form.cleaned_data["reason"], by=request.user
            )
        except services.RecordError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The correction was added to the ledger."))
            return redirect("trainee_ledger", enrollment_id=enrollment.pk)
    response = _ledger(
        request,
        enrollment,
        "courses/trainer/ledger.html",
        {"form": form, "correcting": entry.pk},
    )
    response.status_code = 400
    return response
