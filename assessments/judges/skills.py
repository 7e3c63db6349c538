"""Conversation-skill counts, after MITI 4 (Motivational Interviewing Treatment Integrity).

Each learner turn is coded with what it does: open or closed questions, reflections,
affirmations, advice given with or without permission. The summary gives the counts, the
reflection-to-question ratio and the share of open questions, each against the MITI 4
thresholds for trainees, so a learner sees not only "how well" but "what I actually did".
Counts are of turns: a turn with two open questions counts once.
"""

from pydantic import BaseModel

from .reading import Reading

CODES = (
    "open_question",
    "closed_question",
    "reflection",
    "affirmation",
    "advice_with_permission",
    "advice_without_permission",
)
# MITI 4 for trainees: reflection:question 1:1 is fair, 2:1 good; open questions ≥ 50% of all
# questions is fair, ≥ 70% good.
TARGETS = {
    "reflection_to_question": {"fair": 1.0, "good": 2.0},
    "open_question_share": {"fair": 0.5, "good": 0.7},
}


class TurnSkills(BaseModel):
    turn: int
    codes: list[str]


class SkillSummary(BaseModel):
    learner_turns: int
    counts: dict[str, int]
    reflection_to_question: float | None
    open_question_share: float | None
    # "good", "fair" or "below" against TARGETS; None when there was nothing to measure.
    bands: dict[str, str | None]
    targets: dict[str, dict[str, float]] = TARGETS
    turns: list[TurnSkills]


def _codes(reading: Reading, turn) -> list[str]:
    codes = []
    if turn.has("needs.open_question"):
        codes.append("open_question")
    if turn.has("needs.closed_question"):
        codes.append("closed_question")
    if turn.has("empathy.reflection", "empathy.validation"):
        codes.append("reflection")
    if turn.has("strengths.concrete", "strengths.praise"):
        codes.append("affirmation")
    if turn.has("advice"):
        permitted = reading.advice_permitted(turn)
        codes.append("advice_with_permission" if permitted else "advice_without_permission")
    return codes


def _band(value: float | None, target: dict[str, float]) -> str | None:
    if value is None:
        return None
    if value >= target["good"]:
        return "good"
    return "fair" if value >= target["fair"] else "below"


def summarise(reading: Reading) -> SkillSummary:
    turns = [TurnSkills(turn=t.index, codes=_codes(reading, t)) for t in reading.learner]
    counts = {code: sum(code in t.codes for t in turns) for code in CODES}
    questions = counts["open_question"] + counts["closed_question"]
    reflections = counts["reflection"]
    ratio = round(reflections / questions, 2) if questions else None
    share = round(counts["open_question"] / questions, 2) if questions else None
    # Reflections with no questions at all meet any ratio.
    ratio_band = _band(ratio, TARGETS["reflection_to_question"])
    if ratio is None and reflections:
        ratio_band = "good"
    return SkillSummary(
        learner_turns=len(turns),
        counts=counts,
        reflection_to_question=ratio,
        open_question_share=share,
        bands={
            "reflection_to_question": ratio_band,
            "open_question_share": _band(share, TARGETS["open_question_share"]),
        },
        turns=turns,
    )
