"""The one result structure every judge returns.

A heuristic rule, a language model, the learner, a peer observer and a trainer all produce a
`Judgement`: per criterion a level (1–4, or None when the conversation gave no occasion), the
learner's own words as evidence, a comment, a better line, and the rules that fired. That is
the shape `assess_transcript` prints and the debrief shows, with the conversation-skill
counts beside it.
"""

from enum import StrEnum

from pydantic import BaseModel, Field

from assessments.rubrics import RubricSpec

from .skills import SkillSummary

NO_OCCASION = "この会話では、この観点が表れる場面がありませんでした。"
EVIDENCE_LIMIT = 3


class JudgeKind(StrEnum):
    HEURISTIC = "heuristic"
    LLM = "llm"
    # The levels a scripted scenario's author gave the choices the learner made.
    SCRIPTED = "scripted"
    SELF = "self"
    OBSERVER = "observer"
    TRAINER = "trainer"


class RuleHit(BaseModel):
    """One rule that fired: which, on which turn, on which words."""

    rule: str
    label: str
    turn: int
    quote: str = ""


class CriterionScore(BaseModel):
    level: int | None = Field(default=None, ge=1, le=4)
    evidence: list[str] = Field(default_factory=list)
    comment: str = ""
    better_line: str = ""
    rules: list[RuleHit] = Field(default_factory=list)


class Judgement(BaseModel):
    rubric: str
    judge: JudgeKind
    scores: dict[str, CriterionScore]
    passed: bool
    # Set when the judge asked for could not answer and these scores are the heuristic's
    # ("timeout", "malformed", "not_configured", ...).
    error: str = ""
    # Criteria whose level came from the heuristic judge although another judge was asked
    # (e.g. the model quoted words the learner never said).
    fallback: list[str] = Field(default_factory=list)
    model: str = ""
    skills: SkillSummary | None = None

    @classmethod
    def of(cls, rubric: RubricSpec, judge: JudgeKind, scores: dict[str, CriterionScore], **extra):
        """A judgement with the pass rule applied in code, criteria in the rubric's order."""
        missing = CriterionScore(comment=NO_OCCASION)
        ordered = {key: scores.get(key) or missing for key in rubric.keys}
        return cls(
            rubric=rubric.key,
            judge=judge,
            scores=ordered,
            passed=rubric.passed(ordered),
            **extra,
        )


class JudgeError(Exception):
    """Input a judge cannot read; `code` names the problem for callers and the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message
