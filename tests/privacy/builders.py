"""A learner with one of every kind of record, for the export and deletion tests."""

from decimal import Decimal

from django.utils import timezone

from assessments.models import Answer, Attempt, Certificate
from courses import services
from courses.models import HoursEntry, JournalEntry
from roleplay.models import ScoreSource, SessionScore
from tests.assessments.reviewing import ended_session, judged

JOURNAL_TEXT = "{name}の振り返り：訪問先で緊張した"
ANSWER_TEXT = "{name}の記述解答"


def give_records(user, people, scenario, *, corrected=True):
    """Journal, a transcript with scores and a judgement, an attempt with an answer, a ledger
    credit (corrected by the trainer), attendance, a lesson completion and a certificate."""
    name = user.get_username()
    lesson = people.lessons[0]
    services.complete_lesson(user, lesson)
    credit = HoursEntry.objects.get(user=user, lesson=lesson)
    if corrected:
        services.correct_entry(credit, 20, "途中退席", by=people.tom)
    JournalEntry.objects.create(
        user=user, lesson=lesson, block_id="b1", prompt="問い", text=JOURNAL_TEXT.format(name=name)
    )
    session = ended_session(user, scenario)
    SessionScore.objects.create(
        session=session,
        source=ScoreSource.PEER,
        scorer=people.tom,
        scores={"empathy": {"level": 3, "evidence": ["気にしないでください"], "comment": ""}},
    )
    judged(session, "heuristic", {"empathy": 3})
    attempt = Attempt.objects.create(
        user=user,
        number=1,
        paper={"title": "第1章の小テスト", "kind": "quiz", "pass_mark": 60, "questions": []},
        status="graded",
        max_score=Decimal(10),
        score=Decimal(8),
        passed=True,
    )
    Answer.objects.create(
        attempt=attempt, question_key="q1", text=ANSWER_TEXT.format(name=name), graded_by=people.tom
    )
    session_a = people.session_a if user != people.charlie else people.session_b
    services.record_attendance(session_a, {user.pk: "present"}, by=people.tom)
    certificate = Certificate.objects.create(
        user=user,
        course=people.course,
        number=f"YH-{name}",
        holder_name=user.get_full_name(),
        course_title=people.course.title,
        issued_on=timezone.localdate(),
        code=f"code-{name}",
        issued_by=people.tom,
    )
    return session, attempt, certificate
