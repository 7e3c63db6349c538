"""Starting, answering and submitting an attempt through the services."""

from decimal import Decimal

import pytest
from wagtail.models import ModelLogEntry

from assessments import services
from assessments.models import Answer, AttemptStatus
from assessments.services import AnswerInput, AssessmentError
from tests.assessments.quiz_builders import build_quiz, right_answer, wrong_answer

AUTO_TYPES = ("single", "multiple", "true_false", "situational")


def answer_all(attempt, user, pick=right_answer):
    for question in attempt.sheet.questions:
        services.save_answer(attempt, question.key, pick(question), user=user)


def actions(attempt) -> list[str]:
    return list(
        ModelLogEntry.objects.filter(object_id=str(attempt.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_it_resumes_the_attempt_in_progress(people):
    quiz = build_quiz(course=people.course)
    first = services.start_attempt(people.alice, quiz)
    services.save_answer(first, "q1", right_answer(first.sheet.question("q1")), user=people.alice)
    again = services.start_attempt(people.alice, quiz)
    assert again.pk == first.pk
    assert again.answers.get().question_key == "q1"
    assert actions(first) == ["assessments.attempt.start"]


def test_it_replaces_an_answer_instead_of_adding_one(people):
    quiz = build_quiz(course=people.course, types=("single",))
    attempt = services.start_attempt(people.alice, quiz)
    question = attempt.sheet.question("q1")
    services.save_answer(attempt, "q1", wrong_answer(question), user=people.alice)
    services.save_answer(attempt, "q1", right_answer(question), user=people.alice)
    assert list(Answer.objects.values_list("choices", flat=True)) == [question.correct_ids]


def test_it_scores_every_automatic_type_and_passes(people):
    quiz = build_quiz(course=people.course, types=AUTO_TYPES, pass_mark=100)
    attempt = services.start_attempt(people.alice, quiz)
    answer_all(attempt, people.alice)
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.status == AttemptStatus.GRADED
    # single 1 + multiple 1 + true/false 1 + situational 2
    assert attempt.score == attempt.max_score == Decimal(5)
    assert attempt.passed is True
    assert actions(attempt) == ["assessments.attempt.start", "assessments.attempt.submit"]


def test_it_fails_below_the_pass_mark_and_counts_blanks_as_zero(people):
    quiz = build_quiz(course=people.course, types=AUTO_TYPES, pass_mark=60)
    attempt = services.start_attempt(people.alice, quiz)
    services.save_answer(
        attempt, "q1", right_answer(attempt.sheet.question("q1")), user=people.alice
    )
    services.save_answer(attempt, "q2", AnswerInput(), user=people.alice)
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.score == Decimal(1)
    assert attempt.passed is False


def test_it_gives_half_points_to_the_second_best_response(people):
    quiz = build_quiz(course=people.course, types=("situational",) * 3)
    attempt = services.start_attempt(people.alice, quiz)
    for key, rank in (("q1", 1), ("q2", 2), ("q3", 3)):
        options = attempt.sheet.question(key).options
        chosen = next(o.id for o in options if o.rank == rank)
        services.save_answer(attempt, key, AnswerInput(choices=[chosen]), user=people.alice)
    attempt = services.submit_attempt(attempt, user=people.alice)
    points = dict(attempt.answers.values_list("question_key", "points"))
    assert points == {"q1": Decimal(2), "q2": Decimal(1), "q3": Decimal(0)}


def test_it_gives_no_partial_credit_for_multiple_choice(people):
    quiz = build_quiz(course=people.course, types=("multiple", "multiple"))
    attempt = services.start_attempt(people.alice, quiz)
    q1, q2 = attempt.sheet.questions
    services.save_answer(attempt, "q1", AnswerInput(choices=q1.correct_ids[:1]), user=people.alice)
    every = AnswerInput(choices=[o.id for o in q2.options])
    services.save_answer(attempt, "q2", every, user=people.alice)
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.score == 0


def test_it_waits_for_a_trainer_when_a_written_answer_was_given(people):
    quiz = build_quiz(course=people.course)
    attempt = services.start_attempt(people.alice, quiz)
    answer_all(attempt, people.alice)
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.passed is None
    assert attempt.score == Decimal(5)


def test_it_needs_no_trainer_for_a_blank_written_answer(people):
    quiz = build_quiz(course=people.course, types=("single", "written"), pass_mark=50)
    attempt = services.start_attempt(people.alice, quiz)
    answer_all(attempt, people.alice, pick=wrong_answer)
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.passed is False


def test_it_yields_one_result_when_submitted_twice(people):
    quiz = build_quiz(course=people.course, types=AUTO_TYPES)
    attempt = services.start_attempt(people.alice, quiz)
    answer_all(attempt, people.alice)
    first = services.submit_attempt(attempt, user=people.alice)
    second = services.submit_attempt(attempt, user=people.alice)
    assert (second.score, second.submitted_at, second.passed) == (
        first.score,
        first.submitted_at,
        first.passed,
    )
    assert actions(attempt).count("assessments.attempt.submit") == 1


def test_it_refuses_answers_to_a_submitted_attempt(people):
    quiz = build_quiz(course=people.course, types=("single",))
    attempt = services.start_attempt(people.alice, quiz)
    services.submit_attempt(attempt, user=people.alice)
    with pytest.raises(AssessmentError) as refused:
        services.save_answer(
            attempt, "q1", right_answer(attempt.sheet.question("q1")), user=people.alice
        )
    assert refused.value.code == "already_submitted"
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "key, payload",
    [
        ("q99", "no choice"),
        ("q1", "an unknown option"),
        ("q1", "both options"),
        ("q1", "an option of q2"),
        ("q3", "an option of q1"),
        ("q4", "an option of q1"),
    ],
)
def test_it_refuses_forged_questions_and_options_and_saves_nothing(people, key, payload):
    quiz = build_quiz(course=people.course)
    attempt = services.start_attempt(people.alice, quiz)
    q1, q2 = attempt.sheet.question("q1"), attempt.sheet.question("q2")
    forged = {
        "no choice": AnswerInput(),
        "an unknown option": AnswerInput(choices=[987654]),
        "both options": AnswerInput(choices=[o.id for o in q1.options[:2]]),
        "an option of q2": AnswerInput(choices=[q2.options[0].id]),
        "an option of q1": AnswerInput(choices=[q1.options[0].id]),
    }
    with pytest.raises(AssessmentError) as refused:
        services.save_answer(attempt, key, forged[payload], user=people.alice)
    assert refused.value.code == "invalid_answer"
    assert not Answer.objects.exists()


def test_it_lets_only_the_owner_answer_or_submit(people):
    quiz = build_quiz(course=people.course, types=("single",))
    attempt = services.start_attempt(people.alice, quiz)
    answer = right_answer(attempt.sheet.question("q1"))
    for act in (
        lambda: services.save_answer(attempt, "q1", answer, user=people.bob),
        lambda: services.submit_attempt(attempt, user=people.bob),
    ):
        with pytest.raises(AssessmentError) as refused:
            act()
        assert refused.value.code == "not_found"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert not Answer.objects.exists()


def test_it_keeps_an_attempt_unchanged_when_the_quiz_is_edited(people):
    quiz = build_quiz(course=people.course, types=("single", "true_false"))
    attempt = services.start_attempt(people.alice, quiz)
    answer_all(attempt, people.alice)
    quiz.questions.filter(key="q2").update(answer=False)
    quiz.questions.filter(key="q1").delete()
    attempt = services.submit_attempt(attempt, user=people.alice)
    assert attempt.score == attempt.max_score == Decimal(2)
