"""Builders for the competency map, registry and export tests: evidence of each kind, and
certificates stored directly (issuing is tested with the certification service)."""

from datetime import timedelta

from django.utils import timezone

from assessments import services
from assessments.models import Certificate
from courses.models import LessonCompletion, LessonPage
from tests.assessments.quiz_builders import build_quiz, right_answer, wrong_answer


def link_lesson(lesson, competency) -> None:
    LessonPage.competencies.through.objects.create(lessonpage=lesson, competency=competency)


def complete(user, lesson, days_ago=0) -> LessonCompletion:
    return LessonCompletion.objects.create(
        user=user, lesson=lesson, completed_at=timezone.now() - timedelta(days=days_ago)
    )


def answered(user, quiz, right: set[str], now=None):
    """A submitted attempt at `quiz` answering the questions keyed in `right` correctly and
    the others wrongly."""
    attempt = services.start_attempt(user, quiz, now=now)
    for question in attempt.sheet.questions:
        answer = right_answer(question) if question.key in right else wrong_answer(question)
        services.save_answer(attempt, question.key, answer, user=user, now=now)
    return services.submit_attempt(attempt, user=user, now=now)


def two_question_quiz(slug="map-quiz", **kwargs):
    return build_quiz(slug, types=("single", "true_false"), **kwargs)


def certificate(user, course, number, *, issued_on=None, expires_on=None, revoked=False, **kw):
    issued_on = issued_on or timezone.localdate()
    return Certificate.objects.create(
        user=user,
        course=course,
        number=number,
        holder_name=kw.pop("holder_name", f"{user.last_name} {user.first_name}".strip()),
        course_title=course.title,
        issued_on=issued_on,
        expires_on=expires_on,
        code=f"code-{number}",
        revoked_at=timezone.now() if revoked else None,
        revoked_reason="取消" if revoked else "",
        **kw,
    )
