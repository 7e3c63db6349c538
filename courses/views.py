from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail import hooks

from privacy.access import AccessKind, record_access
from yorisoi import two_factor
from yorisoi.roles import is_org_admin, is_trainer

from . import services
from .exports import csv_response
from .forms import AttendanceForm, CorrectionForm, PasswordResetForm, RosterForm
from .models import (
    Cohort,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    HoursEntry,
    HoursSource,
    InPersonSession,
    JournalEntry,
    LessonPage,
    as_hours,
)
from .templatetags.yorisoi_hours import hours

JOURNAL_PAGE_SIZE = 20
LEDGER_PAGE_SIZE = 50


def hooked_links(name: str, *args) -> list[tuple[str, str]]:
    """(label, url) links other apps add to our pages through a Wagtail hook, so courses
    links to their pages without importing them (DESIGN §3)."""
    return [link for add_links in hooks.get_hooks(name) for link in add_links(*args)]


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


# --- Accounts -----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Trainers and org admins land on their cohorts, learners on their own page; a ?next=
    the login was asked for still wins."""

    def get_default_redirect_url(self):
        if self.next_page:
            return resolve_url(self.next_page)
        return resolve_url("trainer_cohorts" if is_trainer(self.request.user) else "home")

    def get_success_url(self):
        """After the password, the authenticator code (or its setup) when the account needs
        one; the page the sign-in was for comes after that."""
        url = super().get_success_url()
        step = two_factor.next_step(self.request)
        return two_factor.step_url(step, url) if step else url

    def get_context_data(self, **kwargs):
        return super().get_context_data(email_enabled=services.email_enabled(), **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm


@never_cache
def invitation(request, token):
    """Where an invitation link leads. A new account chooses its password here and joins; an
    existing one signs in, then joins or declines. A link that is not valid, not for the
    account signed in, or answered already gets a page that says so (404 or 410)."""
    try:
        invitation = services.open_invitation(token, request.user)
    except services.InvitationError as error:
        return invitation_gone(request, error)
    context = {"invitation": invitation, "cohort": invitation.cohort}
    answer = request.POST.get("answer") if request.method == "POST" else None
    if services.chooses_password(invitation):
        form = SetPasswordForm(invitation.user, request.POST if answer == "join" else None)
        if answer == "decline":
            return _answer(request, invitation, accept=False)
        if answer == "join" and form.is_valid():
            try:
                services.join_with_password(invitation, form.cleaned_data["new_password1"])
            except services.RecordError as error:
                return invitation_gone(request, services.InvitationGone(str(error)))
            # Several sign-in backends are configured (the login throttle first); name the one
            # that holds the account.
            login(request, invitation.user, backend="yorisoi.roles.RolesBackend")
            messages.success(request, joined_message(invitation))
            return redirect("home")
        return render(
            request,
            "courses/invitation.html",
            {**context, "form": form},
            status=400 if form.errors else 200,
        )
    if not request.user.is_authenticated:
        return render(request, "courses/invitation.html", {**context, "sign_in": True})
    if answer in ("accept", "decline"):
        return _answer(request, invitation, accept=answer == "accept")
    return render(request, "courses/invitation.html", context)


def invitation_gone(request, error: services.InvitationError):
    status = 410 if isinstance(error, services.InvitationGone) else 404
    return render(request, "courses/invitation_gone.html", {"message": str(error)}, status=status)


def joined_message(invitation) -> str:
    return _("You joined %(cohort)s.") % {"cohort": str(invitation.cohort)}


def _answer(request, invitation, *, accept: bool):
    try:
        services.answer_invitation(invitation, accept=accept, by=invitation.user)
    except services.RecordError as error:
        messages.error(request, str(error))
    else:
        if accept:
            messages.success(request, joined_message(invitation))
        else:
            messages.success(request, _("You declined the invitation."))
    return redirect("home" if request.user.is_authenticated else "login")


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
            "progress": [
                (progress[c.pk], hooked_links("yorisoi_course_links", request, c)) for c in courses
            ],
            "sessions": services.upcoming_sessions(request.user),
            "journal": JournalEntry.objects.filter(user=request.user).select_related("lesson")[:3],
            "open_courses": open_courses,
            "catalogue": catalogue,
            "cohort_invitations": services.pending_invitations(user=request.user).select_related(
                "cohort__course"
            ),
        },
    )


@require_POST
@login_required
def answer_invitation(request, invitation_id):
    """The invited person joins the cohort (or says no) from their own page."""
    invitation = get_object_or_404(
        services.pending_invitations(user=request.user).select_related("cohort__course"),
        pk=invitation_id,
    )
    return _answer(request, invitation, accept=request.POST.get("answer") == "accept")


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
    # The message is shown in the reflection block itself, where the learner is, unless the
    # block no longer exists on the page.
    inline = f"inline reflection-{block_id}" if lesson.reflection_prompt(block_id) else ""
    try:
        entry = services.save_reflection(
            request.user, lesson, block_id, request.POST.get("text", "")
        )
    except services.RecordError as error:
        messages.error(request, str(error), extra_tags=inline)
    else:
        messages.success(
            request, _("Saved to your journal. Only you can read it."), extra_tags=inline
        )
        # Kept in the learner's own words, but a real person's details deserve a second look;
        # the privacy guard that spots them lives in roleplay, which adds it through a hook.
        for notice_of in hooks.get_hooks("yorisoi_kept_text_notices"):
            if notice := notice_of(entry.text):
                messages.warning(request, notice, extra_tags=inline)
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
        .select_related("lesson", "session", "created_by", "corrects__lesson", "corrects__session")
        .prefetch_related("corrections")
        .order_by("-created_at", "-id")
    )
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    total_minutes, practice_minutes = enrollment.minutes_totals()
    context = {
        "enrollment": enrollment,
        "page": page,
        "total_minutes": total_minutes,
        "practice_minutes": practice_minutes,
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


def matrix_rows(matrix: services.CohortMatrix) -> list[dict]:
    """The progress matrix's rows ready to print. A 300 × 60 cohort is 1,800 cells and 300
    links: formatted here they cost a fraction of what the template language takes for them."""
    required = hours(matrix.cohort.course.required_minutes)
    return [
        {
            "name": row.name,
            "behind": row.behind,
            "ledger_url": reverse("trainee_ledger", args=[row.enrollment.pk]),
            "cells": format_html_join("", "<td>{}/{}</td>", row.cells),
            "hours": f"{hours(row.credited_minutes)} / {required}",
            "practice": hours(row.practice_minutes),
            "attendance_rate": row.attendance_rate,
        }
        for row in matrix.rows
    ]


@trainer_required
def cohort_dashboard(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    matrix = services.cohort_matrix(cohort)
    sessions = cohort.sessions.all()
    # Everyone invited and not joined yet, new and existing accounts alike: the roster's name
    # and e-mail and a link of the same kind, so the page does not tell who had an account.
    invitations = [
        {
            "pk": invitation.pk,
            "name": invitation.name,
            "email": invitation.email,
            "link": request.build_absolute_uri(services.invitation_path(invitation)),
        }
        for invitation in services.pending_invitations(cohort=cohort).order_by("name", "pk")
    ]
    return render(
        request,
        "courses/trainer/cohort_dashboard.html",
        {
            "cohort": cohort,
            "links": hooked_links("yorisoi_cohort_links", request, cohort),
            "matrix": matrix,
            "rows": matrix_rows(matrix),
            "sessions": sessions,
            "now": timezone.now(),
            "invitations": invitations,
            "invitation_days": services.invitation_days(),
            "email_enabled": services.email_enabled(),
        },
    )


@require_POST
@trainer_required
def confirm_invitation(request, invitation_id):
    """An org admin adds an invited person to the cohort for them (someone who cannot sign in
    to accept, for example)."""
    if not is_org_admin(request.user):
        raise PermissionDenied
    invitation = get_object_or_404(services.pending_invitations(), pk=invitation_id)
    try:
        services.answer_invitation(invitation, accept=True, by=request.user)
    except services.RecordError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s joined the cohort.") % {"name": invitation.name})
    dashboard = reverse("cohort_dashboard", args=[invitation.cohort_id])
    return redirect(dashboard + "#invitations")


@require_POST
@trainer_required
def send_invitations(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    try:
        sent = services.send_invitations(cohort, request.build_absolute_uri("/"), by=request.user)
    except services.RecordError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)d invitation e-mails sent.") % {"n": sent})
    return redirect(reverse("cohort_dashboard", args=[cohort.pk]) + "#invitations")


@trainer_required
def cohort_export(request, cohort_id):
    cohort = visible_cohort(request, cohort_id)
    matrix = services.cohort_matrix(cohort)
    # Done and total in separate columns: "1/2" in one cell becomes a date in Excel.
    header = [_("Name"), _("E-mail")]
    for module in matrix.modules:
        header += [
            _("%(module)s: lessons done") % {"module": module.title},
            _("%(module)s: lessons") % {"module": module.title},
        ]
    header += [
        _("Hours credited"),
        _("Hours required"),
        _("Role-play practice (hours)"),
        _("Attendance rate (%)"),
        _("Behind"),
    ]
    rows = [header]
    for row in matrix.rows:
        rows.append(
            [row.name, row.enrollment.user.email]
            + [count for cell in row.cells for count in cell]
            + [
                row.credited_hours,
                as_hours(cohort.course.required_minutes),
                row.practice_hours,
                "" if row.attendance_rate is None else row.attendance_rate,
                _("yes") if row.behind else "",
            ]
        )
    return csv_response(f"cohort-{cohort.pk}-progress.csv", rows)


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
            # One wording and one count for new and existing accounts: the result must not tell
            # a trainer which addresses already had an account.
            messages.success(
                request,
                _("%(n)d people invited to the cohort. They appear in it once they join.")
                % {"n": report.added},
            )
            return redirect(reverse("cohort_dashboard", args=[cohort.pk]) + "#invitations")
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
    enrollments = (
        Enrollment.objects.filter(cohort=session.cohort)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    recorded = dict(session.attendances.values_list("user_id", "status"))
    form = AttendanceForm(
        request.POST or None,
        trainees=[
            (e.user_id, services.display_name(e.user), recorded.get(e.user_id, ""))
            for e in enrollments
        ],
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.record_attendance(session, form.statuses(), by=request.user)
        except services.RecordError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Attendance saved (%(n)d changed).") % {"n": changed})
            return redirect("attendance", session_id=session.pk)
    return render(
        request,
        "courses/trainer/attendance.html",
        {"session": session, "form": form},
        status=400 if form.errors else 200,
    )


@trainer_required
def trainee_ledger(request, enrollment_id):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("course", "user", "cohort"),
        pk=enrollment_id,
        cohort__in=Cohort.objects.visible_to(request.user),
    )
    record_access(request, AccessKind.HOURS, enrollment)
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
