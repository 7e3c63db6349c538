"""Trainers grade written answers from one queue: only their cohorts' trainees (all for an org
admin), and the last written answer graded decides pass or fail."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from assessments import services
from assessments.models import Answer, AttemptStatus
from assessments.services import AssessmentError
from tests.assessments.quiz_builders import build_quiz, right_answer


def submitted(quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    for question in attempt.sheet.questions:
        services.save_answer(attempt, question.key, right_answer(question), user=learner)
    return services.submit_attempt(attempt, user=learner)


def written(attempt) -> list[Answer]:
    return list(attempt.answers.filter(question_key__in=["q2", "q3"]).order_by("question_key"))


@pytest.fixture
def quiz(people):
    # 3 points in all: a single choice answered right, and two written answers of 1 point.
    return build_quiz(course=people.course, types=("single", "written", "written"), pass_mark=75)


@pytest.mark.parametrize("second_points, passed", [("0.5", True), ("0", False)])
def test_it_decides_the_result_when_the_last_written_answer_is_graded(
    people, quiz, second_points, passed
):
    attempt = submitted(quiz, people.alice)
    first, second = written(attempt)
    services.grade_answer(first, Decimal(1), "よく書けています。", by=people.tom)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.passed) == (AttemptStatus.SUBMITTED, None)
    services.grade_answer(second, Decimal(second_points), "", by=people.tom)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == 2 + Decimal(second_points)
    assert attempt.passed is passed
    grades = ModelLogEntry.objects.filter(
        object_id=str(attempt.pk), action="assessments.answer.grade"
    )
    assert [entry.user for entry in grades] == [people.tom, people.tom]


def test_it_refuses_to_grade_twice_or_beyond_the_maximum(people, quiz):
    attempt = submitted(quiz, people.alice)
    first, second = written(attempt)
    with pytest.raises(AssessmentError) as refused:
        services.grade_answer(first, Decimal(2), "", by=people.tom)
    assert refused.value.code == "invalid_points"
    services.grade_answer(first, Decimal(1), "", by=people.tom)
    with pytest.raises(AssessmentError) as refused:
        services.grade_answer(first, Decimal(0), "", by=people.ada)
    assert refused.value.code == "already_graded"
    first.refresh_from_db()
    assert (first.points, first.graded_by) == (Decimal(1), people.tom)


def test_it_refuses_to_grade_an_automatic_question(people, quiz):
    attempt = submitted(quiz, people.alice)
    with pytest.raises(AssessmentError) as refused:
        services.grade_answer(attempt.answers.get(question_key="q1"), Decimal(0), "", by=people.tom)
    assert refused.value.code == "not_gradable"


@pytest.mark.parametrize(
    "who, sees",
    [("tom", ["alice", "bob"]), ("tina", ["charlie"]), ("ada", ["alice", "bob", "charlie"])],
)
def test_it_queues_the_answers_of_the_trainers_own_cohorts(client, people, quiz, who, sees):
    for learner in (people.alice, people.bob, people.charlie):
        submitted(quiz, learner)
    client.force_login(getattr(people, who))
    response = client.get(reverse("assessments:grading"))
    assert response.status_code == 200
    learners = {row["answer"].attempt.user.username for row in response.context["rows"]}
    assert learners == set(sees)
    assert len(response.context["rows"]) == 2 * len(sees)
    assert "気持ちを受け止め、報告することに触れているか。" in response.content.decode()


def test_it_keeps_trainees_out_of_the_queue(client, people, quiz):
    client.force_login(people.alice)
    assert client.get(reverse("assessments:grading")).status_code == 403


def test_it_grades_from_the_queue(client, people, quiz):
    attempt = submitted(quiz, people.alice)
    first, second = written(attempt)
    client.force_login(people.tom)
    url = reverse("assessments:grade", args=[first.pk])
    response = client.post(url, {"points": "1", "comment": "具体的です。"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.points, first.feedback) == (Decimal(1), "具体的です。")
    assert client.post(url, {"points": "1"}).status_code == 409
    bad = client.post(reverse("assessments:grade", args=[second.pk]), {"points": "abc"})
    assert bad.status_code == 400
    second.refresh_from_db()
    assert second.points is None


def test_it_hides_other_cohorts_answers_from_a_trainer(client, people, quiz):
    attempt = submitted(quiz, people.alice)
    first, _second = written(attempt)
    client.force_login(people.tina)
    response = client.post(reverse("assessments:grade", args=[first.pk]), {"points": "0"})
    assert response.status_code == 404
    first.refresh_from_db()
    assert first.points is None


def test_it_shows_the_trainers_comment_to_the_learner(client, people, quiz):
    attempt = submitted(quiz, people.alice)
    for answer in written(attempt):
        services.grade_answer(answer, Decimal(1), "具体的です。", by=people.tom)
    client.force_login(people.alice)
    html = client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "具体的です。" in html
    assert "気持ちを受け止め、報告することに触れているか。" not in html
