"""Builders for the trainer review tests: ended sessions and judgements stored directly, so the
tests do not depend on which judgements ending a session adds by itself."""

from datetime import timedelta

from django.utils import timezone

from assessments.judges.base import CriterionScore
from assessments.judges.base import JudgeKind as Judge
from assessments.judges.base import Judgement as Judged
from assessments.models import Judgement
from assessments.rubrics import STANDARD
from roleplay.models import Mode, PracticeSession, SessionStatus, Speaker, Turn

LINES = (
    (Speaker.PERSONA, "散らかっててすみません……。"),
    (Speaker.LEARNER, "気にしないでください。最近、眠れていますか？"),
    (Speaker.PERSONA, "夜が……ほとんど寝られなくて。"),
    (Speaker.LEARNER, "それはお疲れですね。"),
)


def ended_session(learner, scenario, *, mode=Mode.LLM, minutes_ago=0, status=SessionStatus.ENDED):
    now = timezone.now() - timedelta(minutes=minutes_ago)
    session = PracticeSession.objects.create(
        user=learner,
        scenario=scenario,
        scenario_data=scenario.as_data(),
        mode=mode,
        status=status,
        node="start",
        started_at=now - timedelta(minutes=10),
        ended_at=now if status == SessionStatus.ENDED else None,
    )
    Turn.objects.bulk_create(
        Turn(session=session, index=n, speaker=speaker, text=text)
        for n, (speaker, text) in enumerate(LINES)
    )
    return session


def judged(session, judge: str, levels: dict, *, by=None, blind=False, status="done"):
    """A stored judgement giving `levels` ({criterion: level or None}); other criteria null."""
    scores = {key: CriterionScore(level=level, comment=f"{judge}") for key, level in levels.items()}
    result = Judged.of(STANDARD, Judge(judge), scores)
    return Judgement.objects.create(
        session=session,
        judge=judge,
        status=status,
        result=result.model_dump(mode="json"),
        passed=result.passed,
        by=by,
        blind=blind,
    )


def rubric_form(levels: dict, **fields) -> dict:
    """The posted rubric form: `<key>-level` for every standard criterion, plus `fields`."""
    form = {f"{key}-level": "" for key in STANDARD.keys}
    form.update({f"{key}-level": str(level or "") for key, level in levels.items()})
    form.update(fields)
    return form
