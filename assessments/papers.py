"""The paper of one attempt: the quiz's questions as they stood when the attempt started, in
the order this learner sees them.

An attempt is answered, graded and shown from its paper, never from the live quiz, so editing
or deleting a quiz cannot change a result or break an attempt in progress.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

HALF = Decimal("0.5")


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    WRITTEN = "written", _("Written answer (graded by a trainer)")
    SITUATIONAL = "situational", _("Situational judgement")


class PaperOption(BaseModel):
    id: int
    text: str
    correct: bool = False
    rank: int | None = None
    reason: str = ""


class PaperQuestion(BaseModel):
    key: str
    type: str
    text: str
    case: str = ""
    points: Decimal
    explanation: str
    guidance: str = ""
    competencies: list[str] = []
    answer: bool | None = None
    options: list[PaperOption] = []

    @property
    def option_ids(self) -> set[int]:
        return {option.id for option in self.options}

    @property
    def correct_ids(self) -> list[int]:
        return [option.id for option in self.options if option.correct]

    @property
    def ranked_options(self) -> list[PaperOption]:
        return sorted(self.options, key=lambda option: option.rank or 0)

    @property
    def needs_trainer(self) -> bool:
        return self.type == QuestionType.WRITTEN

    def score(self, choices: list[int], flag: bool | None, text: str) -> Decimal | None:
        """Points for an answer, or None when a trainer has to grade it.

        Multiple choice is all or nothing: a learner who ticks every option must not collect
        partial credit. A situational item gives full points for the best response and half for
        the second best, as the quiz format promises authors.
        """
        if self.type == QuestionType.WRITTEN:
            return None if text.strip() else Decimal(0)
        if self.type == QuestionType.TRUE_FALSE:
            return self.points if flag is not None and flag == self.answer else Decimal(0)
        if self.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            right = bool(choices) and set(choices) == set(self.correct_ids)
            return self.points if right else Decimal(0)
        ranks = {option.id: option.rank for option in self.options}
        rank = ranks.get(choices[0]) if len(choices) == 1 else None
        if rank == 1:
            return self.points
        if rank == 2:
            return self.points * HALF
        return Decimal(0)


class Paper(BaseModel):
    title: str
    kind: str
    pass_mark: int
    questions: list[PaperQuestion]

    @property
    def max_score(self) -> Decimal:
        return sum((q.points for q in self.questions), Decimal(0))

    def question(self, key: str) -> PaperQuestion | None:
        return next((q for q in self.questions if q.key == key), None)


def question_problems(
    question_type: str, options: list[dict], answer: bool | None, case: str
) -> list[str]:
    """What is wrong with a question's shape; shared by the editor and the pack loader.

    `options` holds dicts with `correct` and `rank` for the question's options or responses.
    """
    problems = []
    correct = sum(1 for o in options if o.get("correct"))
    if question_type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(options) < 2:
            problems.append(_("a choice question needs at least two options"))
        if question_type == QuestionType.SINGLE and correct != 1:
            problems.append(_("a single-choice question needs exactly one correct option"))
        if question_type == QuestionType.MULTIPLE and correct < 1:
            problems.append(_("a multiple-choice question needs at least one correct option"))
    elif question_type == QuestionType.SITUATIONAL:
        if not case.strip():
            problems.append(_("a situational item needs a case"))
        ranks = sorted(o.get("rank") or 0 for o in options)
        if not 3 <= len(options) <= 5:
            problems.append(_("a situational item needs 3 to 5 responses"))
        elif ranks != list(range(1, len(options) + 1)):
            problems.append(_("the responses' ranks must be 1, 2, … up to the number of responses"))
    elif options:
        problems.append(_("this type of question has no options"))
    if question_type == QuestionType.TRUE_FALSE and answer is None:
        problems.append(_("say whether the statement is true or false"))
    return problems
