"""The competency map's evidence roll-up: lessons, quiz and exam items, rubric levels."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.competency_map import competency_map, competency_maps
from assessments.models import Attempt, Question, RubricCriterion
from roleplay.models import Mode, ScenarioCriterion
from tests.assessments.map_builders import (
    answered,
    complete,
    link_lesson,
    two_question_quiz,
)
from tests.assessments.quiz_builders import build_quiz, competency
from tests.assessments.reviewing import ended_session, judged
from tests.factories import make_user
from yorisoi.roles import TRAINEE


def row_of(cmap, code="HV-LISTEN"):
    return next(row for row in cmap.rows if row.competency.code == code)


def link_standard(key, competency_):
    # Parental many-to-many links are written when their owner is saved.
    criterion = RubricCriterion.objects.get(rubric__key="standard", key=key)
    criterion.competencies.add(competency_)
    criterion.save()


@pytest.fixture
def listening(db):
    return competency()


def test_it_counts_lessons_completed_in_the_learners_courses(people, listening):
    for lesson in people.lessons[:2]:
        link_lesson(lesson, listening)
    complete(people.alice, people.lessons[0], days_ago=3)

    row = row_of(competency_map(people.alice))

    assert (row.lessons_done, row.lessons_total) == (1, 2)
    assert row.strength == Decimal("2.0")
    assert row.latest == timezone.localdate() - timedelta(days=3)


def test_it_shows_no_evidence_as_none_not_zero(people, listening):
    link_lesson(people.lessons[0], listening)

    row = row_of(competency_map(people.alice))

    assert row.lessons_total == 1
    assert row.strength is None
    assert row.latest is None
    assert not competency_map(people.alice).has_evidence


def test_it_scores_quiz_items_as_the_share_of_points(people, listening):
    quiz = two_question_quiz(course=people.course)
    answered(people.alice, quiz, right={"q1"})

    row = row_of(competency_map(people.alice))

    assert (row.quiz_items, row.exam_items) == (2, 0)
    assert (row.points, row.max_points) == (Decimal(1), Decimal(2))
    assert row.strength == Decimal("2.0")
    assert row.latest == timezone.localdate()


def test_it_counts_exam_items_apart(people, listening):
    exam = two_question_quiz("map-exam", course=people.course, kind="exam")
    answered(people.alice, exam, right={"q1", "q2"})

    row = row_of(competency_map(people.alice))

    assert (row.quiz_items, row.exam_items) == (0, 2)
    assert row.strength == Decimal("4.0")


def test_it_reads_competencies_from_the_frozen_paper(people, listening):
    quiz = two_question_quiz(course=people.course)
    answered(people.alice, quiz, right={"q1"})
    Question.competencies.through.objects.all().delete()

    assert row_of(competency_map(people.alice)).quiz_items == 2


def test_it_reads_older_papers_through_the_quiz(people, listening):
    quiz = two_question_quiz(course=people.course)
    attempt = answered(people.alice, quiz, right={"q1"})
    for question in attempt.paper["questions"]:
        del question["competencies"]
    Attempt.objects.filter(pk=attempt.pk).update(paper=attempt.paper)

    row = row_of(competency_map(people.alice))

    assert (row.quiz_items, row.points) == (2, Decimal(1))


def test_it_leaves_out_written_answers_waiting_for_a_trainer(people, listening):
    quiz = build_quiz("map-written", types=("single", "written"), course=people.course)
    answered(people.alice, quiz, right={"q1", "q2"})

    row = row_of(competency_map(people.alice))

    assert (row.quiz_items, row.points, row.max_points) == (1, Decimal(1), Decimal(1))


def test_it_ignores_attempts_in_progress(people, listening):
    from assessments import services

    services.start_attempt(people.alice, two_question_quiz(course=people.course))

    assert row_of(competency_map(people.alice)).quiz_items == 0


def test_it_takes_rubric_levels_from_the_primary_judgement(people, scenario, listening):
    link_standard("empathy", listening)
    session = ended_session(people.alice, scenario, mode=Mode.LLM)
    judged(session, "heuristic", {"empathy": 2})
    judged(session, "llm", {"empathy": 4})
    judged(session, "trainer", {"empathy": 1}, by=people.tom)

    row = row_of(competency_map(people.alice))

    assert row.levels == [4]
    assert row.strength == Decimal("4.0")
    assert row.latest == timezone.localdate()


def test_it_uses_the_rules_until_the_model_has_judged(people, scenario, listening):
    link_standard("empathy", listening)
    session = ended_session(people.alice, scenario, mode=Mode.LLM)
    judged(session, "heuristic", {"empathy": 2})
    judged(session, "llm", {"empathy": 4}, status="pending")

    assert row_of(competency_map(people.alice)).levels == [2]


def test_it_maps_scenario_criteria_to_their_competencies(people, scenario, listening):
    criterion = ScenarioCriterion.objects.create(
        scenario=scenario, key="pacing", label="間合い", description="急がない"
    )
    criterion.competencies.add(listening)
    criterion.save()
    session = ended_session(people.alice, scenario, mode=Mode.LLM)
    judged(session, "heuristic", {"empathy": 3})
    judgement = session.judgements.get()
    judgement.result["scores"]["pacing"] = {"level": 3}
    judgement.save()

    assert row_of(competency_map(people.alice)).levels == [3]


def test_it_dates_the_latest_evidence_of_any_kind(people, scenario, listening):
    link_lesson(people.lessons[0], listening)
    complete(people.alice, people.lessons[0], days_ago=10)
    link_standard("empathy", listening)
    judged(
        ended_session(people.alice, scenario, minutes_ago=60 * 24 * 2), "heuristic", {"empathy": 3}
    )

    row = row_of(competency_map(people.alice))

    assert row.latest == timezone.localdate(timezone.now() - timedelta(days=2))
    assert row.strength == Decimal("3.5")  # lessons 4 × 1/1, rubric 3


def test_it_keeps_each_learners_evidence_apart(people, listening):
    link_lesson(people.lessons[0], listening)
    complete(people.alice, people.lessons[0])

    maps = competency_maps([people.alice, people.bob])

    assert row_of(maps[people.alice.pk]).lessons_done == 1
    assert row_of(maps[people.bob.pk]).lessons_done == 0


def _learners_with_evidence(people, scenario, listening, n):
    learners = []
    for i in range(n):
        learner = make_user(f"learner-{n}-{i}", TRAINEE)
        complete(learner, people.lessons[0])
        judged(ended_session(learner, scenario), "heuristic", {"empathy": 3})
        learners.append(learner)
    return learners


def test_it_builds_maps_in_a_constant_number_of_queries(people, scenario, listening):
    link_lesson(people.lessons[0], listening)
    link_standard("empathy", listening)
    quiz = two_question_quiz(course=None)
    few = _learners_with_evidence(people, scenario, listening, 2)
    many = _learners_with_evidence(people, scenario, listening, 6)
    for learner in few + many:
        answered(learner, quiz, right={"q1"})

    with CaptureQueriesContext(connection) as small:
        competency_maps(few)
    with CaptureQueriesContext(connection) as large:
        maps = competency_maps(many)

    assert len(large) == len(small)
    assert all(row_of(m).rubric_scores == 1 for m in maps.values())
