import pytest

from assessments import certification
from tests.assessments.cert_builders import (
    GOOD,
    attend,
    build_exam,
    build_rule,
    credit_hours,
    make_eligible,
    pass_exam,
    practise,
)


@pytest.fixture
def setup(people, scenario):
    rule = build_rule(people.course, scenario=scenario, valid_years=3)
    exam = build_exam(people.course)
    return people, rule, exam, scenario


def conditions(user, course):
    return {c.key.split("-")[0]: c for c in certification.eligibility(user, course).conditions}


def test_it_is_eligible_when_every_condition_is_met(setup):
    people, rule, exam, scenario = setup
    make_eligible(people.alice, people, exam, scenario)
    status = certification.eligibility(people.alice, people.course)
    assert status.eligible
    assert [c.key for c in status.conditions] == [
        "hours",
        "exam",
        "attendance",
        f"scenario-{scenario.pk}",
    ]


def test_it_is_not_eligible_without_a_rule(people):
    status = certification.eligibility(people.alice, people.course)
    assert status.rule is None
    assert not status.eligible


def test_it_counts_course_hours_against_the_rule(setup):
    people, rule, exam, scenario = setup
    credit_hours(people.alice, people.course, 150)
    hours = conditions(people.alice, people.course)["hours"]
    assert not hours.met
    assert "2.5 / 3.0" in hours.detail
    credit_hours(people.alice, people.course, 30)
    assert conditions(people.alice, people.course)["hours"].met


def test_it_uses_the_rules_own_minimum_hours(setup):
    people, rule, exam, scenario = setup
    rule.min_hours = 1
    rule.save()
    credit_hours(people.alice, people.course, 60)
    assert conditions(people.alice, people.course)["hours"].met


def test_it_needs_the_exam_passed(setup):
    people, rule, exam, scenario = setup
    assert not conditions(people.alice, people.course)["exam"].met
    pass_exam(people.alice, exam, passed=False)
    assert not conditions(people.alice, people.course)["exam"].met
    pass_exam(people.alice, exam, passed=None)
    assert not conditions(people.alice, people.course)["exam"].met
    pass_exam(people.alice, exam)
    assert conditions(people.alice, people.course)["exam"].met


def test_it_skips_the_exam_when_the_rule_does_not_ask_for_it(setup):
    people, rule, exam, scenario = setup
    rule.exam_required = False
    rule.save()
    assert "exam" not in conditions(people.alice, people.course)


def test_it_needs_attendance_at_the_threshold(setup, django_user_model):
    people, rule, exam, scenario = setup
    second = people.cohort_a.sessions.create(
        title="二回目", starts_at=people.session_a.starts_at, place="会議室", hours=2
    )
    attend(people.alice, people.session_a)
    attend(people.alice, second, "absent")
    attendance = conditions(people.alice, people.course)["attendance"]
    assert not attendance.met
    assert "50" in attendance.detail
    rule.min_attendance_percent = 50
    rule.save()
    assert conditions(people.alice, people.course)["attendance"].met


def test_it_counts_late_as_attended(setup):
    people, rule, exam, scenario = setup
    attend(people.alice, people.session_a, "late")
    assert conditions(people.alice, people.course)["attendance"].met


def test_it_needs_the_scenario_at_the_level(setup):
    people, rule, exam, scenario = setup
    assert not conditions(people.alice, people.course)["scenario"].met
    practise(people.alice, scenario, {"empathy": 3, "safety": 2, "strengths": 2})
    assert not conditions(people.alice, people.course)["scenario"].met
    practise(people.alice, scenario, GOOD)
    assert conditions(people.alice, people.course)["scenario"].met


def test_it_does_not_count_a_session_with_a_blocker_at_one(setup):
    people, rule, exam, scenario = setup
    # High levels elsewhere, but safety at 1: the judgement did not pass.
    practise(people.alice, scenario, {"empathy": 4, "strengths": 4, "safety": 1}, passed=False)
    assert not conditions(people.alice, people.course)["scenario"].met


def test_it_does_not_count_a_session_still_in_progress(setup):
    people, rule, exam, scenario = setup
    practise(people.alice, scenario, GOOD, status="active")
    assert not conditions(people.alice, people.course)["scenario"].met


def test_it_does_not_count_another_trainees_session(setup):
    people, rule, exam, scenario = setup
    practise(people.bob, scenario, GOOD)
    assert not conditions(people.alice, people.course)["scenario"].met
