"""Quiz and exam workflows. Each runs in one transaction: lock the attempt, re-check its state
under the lock, write, then log to Wagtail's audit log; a refusal raises AssessmentError."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from courses.models import CoursePage, Enrollment
from yorisoi.roles import is_trainer

from .models import Answer, Attempt, AttemptStatus, Quiz, QuizKind
from .papers import PaperQuestion, QuestionType


class AssessmentError(Exception):
    """A request that cannot be carried out. `code` says why (views map it to a status);
    `message` is safe to show to the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class AnswerInput:
    """One answer as the learner gave it: chosen option ids, true/false, or written text."""

    choices: list[int] = field(default_factory=list)
    flag: bool | None = None
    text: str = ""


@dataclass
class QuizStatus:
    """Where a learner stands with a quiz: what they may do next and their latest result."""

    quiz: Quiz
    in_progress: Attempt | None
    last_result: Attempt | None
    used: int
    refusal: AssessmentError | None

    @property
    def can_start(self) -> bool:
        return self.in_progress is None and self.refusal is None

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.attempts_allowed:
            return None
        return max(0, self.quiz.attempts_allowed - self.used)


def quiz_status(user, quiz: Quiz, now=None, enrolled: bool | None = None) -> QuizStatus:
    """Where the user stands with the quiz. `enrolled`, when the caller knows it, saves asking
    the database whether the user is enrolled in the quiz's course."""
    attempts = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("-number"))
    in_progress = next((a for a in attempts if a.is_in_progress), None)
    finished = [a for a in attempts if not a.is_in_progress]
    refusal = None
    if in_progress is None:
        refusal = _refusal(user, quiz, attempts, now or timezone.now(), enrolled)
    return QuizStatus(
        quiz=quiz,
        in_progress=in_progress,
        last_result=finished[0] if finished else None,
        used=len(attempts),
        refusal=refusal,
    )


def _refusal(
    user, quiz: Quiz, attempts: list[Attempt], now, enrolled: bool | None = None
) -> AssessmentError | None:
    """Why the user may not start a new attempt now, or None when they may."""
    if quiz.is_exam and quiz.course_id is None:
        return AssessmentError("not_open", _("This exam is not linked to a course yet."))
    if quiz.course_id and enrolled is None:
        enrolled = Enrollment.objects.filter(user=user, course_id=quiz.course_id).exists()
    if quiz.course_id and not enrolled:
        return AssessmentError(
            "not_enrolled", _("Only learners enrolled in the course can take this.")
        )
    if quiz.available_from and now < quiz.available_from:
        when = date_format(timezone.localtime(quiz.available_from), "DATETIME_FORMAT")
        return AssessmentError("not_open", _("This opens on %(when)s.") % {"when": when})
    if quiz.available_until and now >= quiz.available_until:
        return AssessmentError("closed", _("This is closed; answers are no longer accepted."))
    if quiz.is_exam and any(a.passed for a in attempts):
        return AssessmentError("already_passed", _("You have already passed this exam."))
    if quiz.is_exam and any(a.status == AttemptStatus.SUBMITTED for a in attempts):
        return AssessmentError(
            "awaiting_grading",
            _("Your last attempt is waiting for a trainer to grade it. Wait for the result."),
        )
    if quiz.attempts_allowed and len(attempts) >= quiz.attempts_allowed:
        return AssessmentError(
            "no_attempts_left",
            _("You have used all %(n)d attempts allowed.") % {"n": quiz.attempts_allowed},
        )
    return None


def start_attempt(user, quiz: Quiz, *, now=None) -> Attempt:
    """Start an attempt, or resume the one in progress (a second tab, a reopened page)."""
    now = now or timezone.now()
    with transaction.atomic():
        # One learner's starts go one at a time, so the attempts-allowed count holds.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        attempts = list(Attempt.objects.filter(user=user, quiz=quiz))
        current = next((a for a in attempts if a.is_in_progress), None)
        if current is not None:
            return current
        refusal = _refusal(user, quiz, attempts, now)
        if refusal is not None:
            raise refusal
        paper = quiz.build_paper()
        if not paper.questions:
            raise AssessmentError("empty", _("This quiz has no questions yet."))
        attempt = Attempt.objects.create(
            user=user,
            quiz=quiz,
            course_id=quiz.course_id,
            number=max((a.number for a in attempts), default=0) + 1,
            paper=paper.model_dump(mode="json"),
            started_at=now,
            deadline=Attempt.deadline_for(quiz, now),
            max_score=paper.max_score,
        )
        log(attempt, "assessments.attempt.start", user=user)
    return attempt


def _validated(question, payload: AnswerInput) -> AnswerInput:
    """The payload fitted to the question's type; anything a real form cannot send is refused."""
    forged = AssessmentError(
        "invalid_answer", _("The answer does not fit the question. Reload the page and try again.")
    )
    choices = list(dict.fromkeys(payload.choices))
    if not set(choices) <= question.option_ids:
        raise forged
    if question.type in (QuestionType.SINGLE, QuestionType.SITUATIONAL):
        if len(choices) > 1:
            raise forged
        return AnswerInput(choices=choices)
    if question.type == QuestionType.MULTIPLE:
        return AnswerInput(choices=choices)
    if choices:
        raise forged
    if question.type == QuestionType.TRUE_FALSE:
        return AnswerInput(flag=payload.flag)
    return AnswerInput(text=payload.text)


def save_answer(attempt: Attempt, question_key: str, payload: AnswerInput, *, user, now=None):
    """Save (or replace) one answer of an attempt in progress, before its deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.user_id != user.pk:
            raise AssessmentError("not_found", _("This attempt does not exist."))
        if not attempt.is_in_progress:
            raise AssessmentError(
                "already_submitted", _("This attempt has been submitted; answers are closed.")
            )
        if attempt.is_overdue(now):
            raise AssessmentError(
                "time_up", _("Time is up. Answers saved before the deadline are kept.")
            )
        question = attempt.sheet.question(question_key)
        if question is None:
            raise AssessmentError("invalid_answer", _("This question is not part of your attempt."))
        answer = _validated(question, payload)
        saved, _created = Answer.objects.update_or_create(
            attempt=attempt,
            question_key=question_key,
            defaults={
                "choices": answer.choices,
                "flag": answer.flag,
                "text": answer.text,
                "saved_at": now,
            },
        )
    return saved


def submit_attempt(attempt: Attempt, *, user, now=None) -> Attempt:
    """Grade what was saved and close the attempt. Submitting again returns the first result,
    and a submission after the deadline grades the answers saved before it."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.user_id != user.pk:
            raise AssessmentError("not_found", _("This attempt does not exist."))
        if not attempt.is_in_progress:
            return attempt
        questions = {q.key: q for q in attempt.sheet.questions}
        answers = [a for a in attempt.answers.all() if a.question_key in questions]
        for answer in answers:
            answer.points = questions[answer.question_key].score(
                answer.choices, answer.flag, answer.text
            )
        Answer.objects.bulk_update(answers, ["points"])
        attempt.submitted_at = now
        attempt.finish(answers, now)
        attempt.save(update_fields=["status", "submitted_at", "graded_at", "score", "passed"])
        log(attempt, "assessments.attempt.submit", user=user, data=_outcome(attempt))
    return attempt


def submit_if_overdue(attempt: Attempt, *, user, now=None) -> Attempt:
    """Close an attempt whose time ran out while nobody was looking (a closed tab)."""
    if attempt.is_in_progress and attempt.is_overdue(now):
        return submit_attempt(attempt, user=user, now=now)
    return attempt


def grade_answer(answer: Answer, points: Decimal, comment: str, *, by, now=None) -> Answer:
    """A trainer's points for a written answer; the last one graded decides pass or fail."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=answer.attempt_id)
        answer = Answer.objects.get(pk=answer.pk)
        if not is_trainer(by) or attempt.user_id == by.pk:
            raise AssessmentError("not_found", _("This answer does not exist."))
        question = attempt.sheet.question(answer.question_key)
        if question is None or not question.needs_trainer:
            raise AssessmentError("not_gradable", _("Only written answers are graded by hand."))
        if attempt.is_in_progress:
            raise AssessmentError("not_submitted", _("This attempt has not been submitted yet."))
        if answer.points is not None:
            raise AssessmentError("already_graded", _("This answer has already been graded."))
        if not Decimal(0) <= points <= question.points:
            raise AssessmentError(
                "invalid_points",
                _("Give between 0 and %(max)s points.") % {"max": _points(question.points)},
            )
        answer.points = points
        answer.feedback = comment.strip()
        answer.graded_by = by
        answer.graded_at = now
        answer.save(update_fields=["points", "feedback", "graded_by", "graded_at"])
        attempt.finish(list(attempt.answers.all()), now)
        attempt.save(update_fields=["status", "graded_at", "score", "passed"])
        log(
            attempt,
            "assessments.answer.grade",
            user=by,
            data={"question": answer.question_key, "points": str(points), **_outcome(attempt)},
        )
    return answer


def _outcome(attempt: Attempt) -> dict:
    return {"status": attempt.status, "score": str(attempt.score), "passed": attempt.passed}


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass
class ReviewItem:
    """One question of a paper with the learner's answer, for the attempt and result pages."""

    number: int
    question: PaperQuestion
    answer: Answer | None

    @property
    def chosen(self) -> set[int]:
        return set(self.answer.choices) if self.answer else set()

    @property
    def points(self) -> Decimal | None:
        return self.answer.points if self.answer else Decimal(0)

    @property
    def outcome(self) -> str:
        """correct, partial, wrong, unanswered or waiting (for a trainer)."""
        if self.answer is None or self.answer.is_blank:
            return "unanswered"
        if self.answer.points is None:
            return "waiting"
        if self.answer.points >= self.question.points:
            return "correct"
        return "partial" if self.answer.points > 0 else "wrong"


def answers_revealed(attempt: Attempt, viewer) -> bool:
    """Whether the result page may show the right answers and explanations.

    An exam keeps them back from a learner who may still sit it again, or the second attempt
    would test memory of the first result; quizzes are practice and always show them.
    Trainers reading a result always see them."""
    quiz = attempt.quiz
    if quiz is None or not quiz.is_exam or viewer.pk != attempt.user_id or attempt.passed:
        return True
    status = quiz_status(attempt.user, quiz)
    return status.attempts_left == 0


def review(attempt: Attempt) -> list[ReviewItem]:
    answers = {a.question_key: a for a in attempt.answers.all()}
    return [
        ReviewItem(number=n, question=q, answer=answers.get(q.key))
        for n, q in enumerate(attempt.sheet.questions, start=1)
    ]


def grading_queue(user):
    """Written answers waiting for a trainer, oldest submission first, from the attempts the
    user may see (their cohorts' trainees; everyone for an org admin), never their own."""
    visible = Attempt.objects.visible_to(user).exclude(user=user)
    return (
        Answer.objects.filter(
            points__isnull=True, attempt__status=AttemptStatus.SUBMITTED, attempt__in=visible
        )
        .select_related("attempt__user")
        .order_by("attempt__submitted_at", "attempt_id", "id")
    )


def course_exam(course: CoursePage) -> Quiz | None:
    return Quiz.objects.filter(kind=QuizKind.EXAM, course=course).first()
