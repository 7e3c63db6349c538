"""Builders for certification tests: a rule for the course, and a trainee who meets it."""

from decimal import Decimal

from assessments.models import Attempt, CertificationRule, Judgement, RequiredScenario
from courses.models import Attendance, Enrollment, HoursSource
from roleplay.models import PracticeSession
from tests.assessments.quiz_builders import build_quiz


def build_rule(course, *, scenario=None, **fields) -> CertificationRule:
    rule = CertificationRule.objects.create(course=course, **fields)
    if scenario is not None:
        RequiredScenario.objects.create(rule=rule, scenario=scenario, min_level=3)
    return rule


def build_exam(course):
    return build_quiz(f"exam-{course.slug}", types=("single",), course=course, kind="exam")


def credit_hours(user, course, minutes):
    Enrollment.objects.get(user=user, course=course).credit(minutes, HoursSource.LESSON, by=None)


def pass_exam(user, exam, passed=True):
    number = Attempt.objects.filter(user=user, quiz=exam).count() + 1
    return Attempt.objects.create(
        user=user,
        quiz=exam,
        course=exam.course,
        number=number,
        paper={},
        status="graded" if passed is not None else "submitted",
        max_score=Decimal(10),
        score=Decimal(10 if passed else 2),
        passed=passed,
    )


def attend(user, session, status="present"):
    return Attendance.objects.create(session=session, user=user, status=status)


def practise(user, scenario, levels, passed=True, judge="scripted", status="ended"):
    """An ended scripted session of `scenario` whose author's scores are `levels`."""
    session = PracticeSession.objects.create(
        user=user, scenario=scenario, scenario_data={}, mode="scripted", status=status
    )
    Judgement.objects.create(
        session=session,
        judge=judge,
        result={"scores": {key: {"level": level} for key, level in levels.items()}},
        passed=passed,
    )
    return session


GOOD = {"empathy": 3, "safety": 3, "needs_elicitation": 4}


def make_eligible(user, people, exam, scenario):
    """Everything the rule asks: the course's 3 hours, the exam, attendance, the scenario."""
    credit_hours(user, people.course, 180)
    pass_exam(user, exam)
    session = people.session_a if user != people.charlie else people.session_b
    attend(user, session)
    practise(user, scenario, GOOD)
