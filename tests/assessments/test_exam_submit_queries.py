"""Submitting an exam costs the same number of queries for 5 questions as for 40."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from courses.services import enrol
from tests.assessments.quiz_builders import ALL_TYPES, build_quiz, right_answer
from tests.factories import build_course


def submit_queries(learner, count) -> int:
    course = build_course(f"course-{count}")
    enrol(learner, course)
    types = (ALL_TYPES * count)[:count]
    exam = build_quiz(f"exam-{count}", types=types, course=course, kind="exam")
    attempt = services.start_attempt(learner, exam)
    for question in attempt.sheet.questions:
        services.save_answer(attempt, question.key, right_answer(question), user=learner)
    with CaptureQueriesContext(connection) as queries:
        attempt = services.submit_attempt(attempt, user=learner)
    assert attempt.answers.filter(points__isnull=False).count() == count - count // 5
    return len(queries)


def test_it_submits_an_exam_with_a_fixed_number_of_queries(people):
    assert submit_queries(people.alice, 5) == submit_queries(people.alice, 40)
