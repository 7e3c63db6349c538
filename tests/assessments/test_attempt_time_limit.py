"""Time limits and opening windows are enforced on the server. Time is moved by setting
started_at / deadline in the past, never by waiting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Attempt, AttemptStatus
from assessments.services import AssessmentError
from tests.assessments.quiz_builders import build_quiz, right_answer


def expire(attempt):
    past = timezone.now() - timedelta(minutes=1)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=past - timedelta(minutes=30), deadline=past
    )


def test_it_sets_the_deadline_to_the_start_plus_the_time_limit(people):
    quiz = build_quiz(course=people.course, time_limit_minutes=30)
    now = timezone.now()
    attempt = services.start_attempt(people.alice, quiz, now=now)
    assert attempt.deadline == now + timedelta(minutes=30)


def test_it_cuts_the_time_limit_short_at_the_closing_time(people):
    now = timezone.now()
    quiz = build_quiz(
        course=people.course, time_limit_minutes=60, available_until=now + timedelta(minutes=10)
    )
    attempt = services.start_attempt(people.alice, quiz, now=now)
    assert attempt.deadline == now + timedelta(minutes=10)


def test_it_refuses_an_answer_after_the_deadline(people):
    quiz = build_quiz(course=people.course, types=("single",), time_limit_minutes=30)
    attempt = services.start_attempt(people.alice, quiz)
    expire(attempt)
    with pytest.raises(AssessmentError) as refused:
        services.save_answer(
            attempt, "q1", right_answer(attempt.sheet.question("q1")), user=people.alice
        )
    assert refused.value.code == "time_up"
    assert not Answer.objects.exists()


def test_it_grades_a_late_submit_from_what_was_saved_in_time(people):
    quiz = build_quiz(course=people.course, types=("single", "true_false"), time_limit_minutes=30)
    attempt = services.start_attempt(people.alice, quiz)
    services.save_answer(
        attempt, "q1", right_answer(attempt.sheet.question("q1")), user=people.alice
    )
    expire(attempt)
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == Decimal(1)


def test_it_submits_an_expired_attempt_when_reopened(client, people):
    quiz = build_quiz(course=people.course, types=("single",), time_limit_minutes=30)
    attempt = services.start_attempt(people.alice, quiz)
    services.save_answer(
        attempt, "q1", right_answer(attempt.sheet.question("q1")), user=people.alice
    )
    expire(attempt)
    client.force_login(people.alice)
    response = client.get(reverse("assessments:attempt", args=[attempt.pk]))
    assert response.url == reverse("assessments:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == (AttemptStatus.GRADED, Decimal(1))


def test_it_answers_409_after_the_deadline(client, people):
    quiz = build_quiz(course=people.course, types=("true_false",), time_limit_minutes=5)
    attempt = services.start_attempt(people.alice, quiz)
    expire(attempt)
    client.force_login(people.alice)
    response = client.post(
        reverse("assessments:save_answer", args=[attempt.pk]),
        {"question": "q1", "flag": "true"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "time_up"


@pytest.mark.parametrize(
    "window, code",
    [
        ({"available_from": timedelta(hours=1)}, "not_open"),
        ({"available_until": timedelta(hours=-1)}, "closed"),
    ],
)
def test_it_refuses_to_start_outside_the_window(client, people, window, code):
    now = timezone.now()
    quiz = build_quiz(course=people.course, kind="exam", **{k: now + v for k, v in window.items()})
    with pytest.raises(AssessmentError) as refused:
        services.start_attempt(people.alice, quiz)
    assert refused.value.code == code
    client.force_login(people.alice)
    response = client.post(reverse("assessments:start", args=[quiz.slug]))
    assert response.status_code == 409
    assert not Attempt.objects.exists()
