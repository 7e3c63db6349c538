"""Rubrics as plain data: what each criterion looks for, which ones are blockers, and the
pass rule. Judges, forms and the debrief read a `RubricSpec`; trainers edit the `Rubric`
model in Wagtail, and `Rubric.spec()` turns a stored rubric into one.

Levels and the pass rule live here, in code, whoever produced the levels (a rule, a model or a
person): the judges only propose levels.
"""

from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, Field

from roleplay.scripts import STANDARD_RUBRIC

STANDARD_KEY = "standard"
LEVELS = (1, 2, 3, 4)
DEFAULT_PASS_MEAN = Decimal("2.5")

BLOCKERS = frozenset({"confidentiality", "safety"})


class CriterionSpec(BaseModel):
    key: str
    label: str
    description: str = ""
    blocker: bool = False


class RubricSpec(BaseModel):
    key: str
    name: str
    criteria: list[CriterionSpec]
    # The mean of the levels given (criteria without an occasion left out) a pass needs.
    pass_mean: Decimal = DEFAULT_PASS_MEAN

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.criteria]

    def criterion(self, key: str) -> CriterionSpec | None:
        return next((c for c in self.criteria if c.key == key), None)

    def passed(self, scores: Mapping) -> bool:
        """Whether a session with these scores counts as passed.

        `scores` maps criterion keys to objects or dicts with a `level` (1–4 or None). A blocker
        at level 1 fails the session whatever the other levels; otherwise the mean of the
        levels given must reach `pass_mean`. A session with no level at all has shown nothing
        and does not pass.
        """
        levels = {key: _level(score) for key, score in scores.items()}
        if any(levels.get(c.key) == 1 for c in self.criteria if c.blocker):
            return False
        given = [levels[c.key] for c in self.criteria if levels.get(c.key) is not None]
        if not given:
            return False
        return Decimal(sum(given)) / len(given) >= self.pass_mean

    def with_extra(self, criteria: list[CriterionSpec]) -> "RubricSpec":
        """This rubric plus a scenario's own criteria (never blockers: those are the rubric's)."""
        known = set(self.keys)
        extra = [c.model_copy(update={"blocker": False}) for c in criteria if c.key not in known]
        return self.model_copy(update={"criteria": [*self.criteria, *extra]})


def _level(score) -> int | None:
    if score is None:
        return None
    if isinstance(score, Mapping):
        return score.get("level")
    return getattr(score, "level", None)


# The built-in definition of the standard rubric. The data migration stores a copy that
# trainers may edit; this one serves code that must not depend on the database (the bench,
# pure unit tests).
STANDARD = RubricSpec(
    key=STANDARD_KEY,
    name="標準ルーブリック",
    criteria=[
        CriterionSpec(key=key, label=label, description=text, blocker=key in BLOCKERS)
        for key, (label, text) in STANDARD_RUBRIC.items()
    ],
)


class ScenarioRubric(BaseModel):
    """The rubric part of a scenario snapshot (`PracticeSession.scenario_data["rubric"]`)."""

    standard: bool = True
    criteria: list[CriterionSpec] = Field(default_factory=list)


def rubric_for_scenario(base: RubricSpec, scenario_data: Mapping) -> RubricSpec:
    """The rubric a practice session is judged on: `base` (the standard rubric) when the
    scenario uses it, plus the scenario's own criteria."""
    rubric = ScenarioRubric.model_validate(scenario_data.get("rubric") or {})
    if rubric.standard:
        return base.with_extra(rubric.criteria)
    return RubricSpec(
        key=f"scenario:{scenario_data.get('slug', '')}",
        name=scenario_data.get("title", ""),
        criteria=[c.model_copy(update={"blocker": False}) for c in rubric.criteria],
        pass_mean=base.pass_mean,
    )
