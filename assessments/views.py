from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CoursePage
from courses.services import display_name
from courses.views import trainer_required
from privacy.access import AccessKind, record_access

from . import services
from .forms import AnswerForm, GradeForm
from .models import Answer, Attempt, Quiz
from .services import AssessmentError

# How each refusal reaches the browser: a malformed request is a 400, a request that comes at
# the wrong moment (submitted, time up, no attempts left) a 409.
STATUS_BY_CODE = {
    "not_found": 404,
    "not_enrolled": 403,
    "invalid_answer": 400,
    "not_gradable": 400,
    "invalid_points": 400,
    "not_open": 409,
    "closed": 409,
    "already_passed": 409,
    "awaiting_grading": 409,
    "no_attempts_left": 409,
    "empty": 409,
    "already_submitted": 409,
    "time_up": 409,
    "not_submitted": 409,
    "already_graded": 409,
}
GRADING_PAGE_SIZE = 20


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def refuse(request, error: AssessmentError, *, back: str):
    status = STATUS_BY_CODE[error.code]
    if wants_json(request):
        return JsonResponse({"code": error.code, "message": error.message}, status=status)
    return render(
        request, "assessments/refused.html", {"message": error.message, "back": back}, status=status
    )


def own_attempt(request, attempt_id) -> Attempt:
    """The user's own attempt; anyone else's id is a 404, so ids reveal nothing."""
    return get_object_or_404(
        Attempt.objects.select_related("quiz"), pk=attempt_id, user=request.user
    )


# --- Learners -----------------------------------------------------------------------------------


@login_required
def quiz_detail(request, slug):
    quiz = get_object_or_404(Quiz.objects.select_related("course"), slug=slug)
    status = services.quiz_status(request.user, quiz)
    if status.in_progress and status.in_progress.is_overdue():
        services.submit_if_overdue(status.in_progress, user=request.user)
        status = services.quiz_status(request.user, quiz)
    return render(request, "assessments/quiz.html", {"quiz": quiz, "status": status})


@require_POST
@login_required
def start(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug)
    try:
        attempt = services.start_attempt(request.user, quiz)
    except AssessmentError as error:
        return refuse(request, error, back=reverse("assessments:quiz", args=[quiz.slug]))
    return redirect("assessments:attempt", attempt_id=attempt.pk)


@login_required
def attempt_page(request, attempt_id):
    attempt = services.submit_if_overdue(own_attempt(request, attempt_id), user=request.user)
    if not attempt.is_in_progress:
        return redirect("assessments:result", attempt_id=attempt.pk)
    items = services.review(attempt)
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "items": items,
            "answered": sum(1 for item in items if item.outcome != "unanswered"),
        },
    )


@require_POST
@login_required
def save_answer(request, attempt_id):
    attempt = own_attempt(request, attempt_id)
    back = reverse("assessments:attempt", args=[attempt.pk])
    form = AnswerForm(request.POST)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return refuse(request, AssessmentError("invalid_answer", message), back=back)
    data = form.cleaned_data
    payload = services.AnswerInput(
        choices=data["choice"], flag=data["flag"], text=data["text"] or ""
    )
    try:
        answer = services.save_answer(attempt, data["question"], payload, user=request.user)
    except AssessmentError as error:
        return refuse(request, error, back=back)
    if wants_json(request):
        return JsonResponse({"question": answer.question_key, "saved_at": answer.saved_at})
    # The question's own status line says "Saved" when the page comes back.
    return redirect(f"{back}#q-{answer.question_key}")


@require_POST
@login_required
def submit(request, attempt_id):
    attempt = services.submit_attempt(own_attempt(request, attempt_id), user=request.user)
    return redirect("assessments:result", attempt_id=attempt.pk)


@login_required
def result(request, attempt_id):
    attempt = get_object_or_404(
        Attempt.objects.visible_to(request.user).select_related("user", "quiz"), pk=attempt_id
    )
    is_owner = attempt.user_id == request.user.pk
    if attempt.is_in_progress:
        if is_owner:
            return redirect("assessments:attempt", attempt_id=attempt.pk)
        raise Http404
    record_access(request, AccessKind.RESULT, attempt)
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "items": services.review(attempt),
            "reveal": services.answers_revealed(attempt, request.user),
            "is_owner": is_owner,
            "learner_name": display_name(attempt.user),
        },
    )


@login_required
def course_exam(request, course_id):
    """The final exam of a course, for links that know only the course."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    exam = services.course_exam(course)
    if exam is None:
        raise Http404
    return redirect("assessments:quiz", slug=exam.slug)


# --- Trainers -----------------------------------------------------------------------------------


def gradable_answer(request, answer_id) -> Answer:
    visible = Attempt.objects.visible_to(request.user).exclude(user=request.user)
    return get_object_or_404(
        Answer.objects.select_related("attempt"), pk=answer_id, attempt__in=visible
    )


@trainer_required
def grading_queue(request):
    return grading_page(request)


def grading_page(request, form=None, graded_id=None, status=200):
    answers = services.grading_queue(request.user)
    page = Paginator(answers, GRADING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "answer": answer,
            "question": answer.question,
            "learner": display_name(answer.attempt.user),
            "form": form if answer.pk == graded_id else GradeForm(),
        }
        for answer in page
    ]
    return render(request, "assessments/grading.html", {"page": page, "rows": rows}, status=status)


@require_POST
@trainer_required
def grade(request, answer_id):
    answer = gradable_answer(request, answer_id)
    form = GradeForm(request.POST)
    if not form.is_valid():
        return grading_page(request, form=form, graded_id=answer.pk, status=400)
    try:
        services.grade_answer(
            answer, form.cleaned_data["points"], form.cleaned_data["comment"], by=request.user
        )
    except AssessmentError as error:
        return refuse(request, error, back=reverse("assessments:grading"))
    messages.success(request, _("The answer is graded."))
    return redirect("assessments:grading")
