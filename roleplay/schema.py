"""One typed schema for a scenario's data, and the rules it must keep.

Pack files, the `Scenario` model, the snapshot a practice session plays from, the prompts and
the API all read a scenario as `ScenarioData`. Its stored form (`dump()`: what
`Scenario.as_data()` returns, what a session snapshots and what a pack file holds) is the JSON
format scenarios have always had, so snapshots saved before this schema still load.

Every rule about a scenario's data lives here. A broken rule becomes a `Problem` with the path
of the part at fault (`nodes[2].choices[0].effects`), which the pack loader turns into a file
line and the editor into a message on the field. Messages are in the active language, like the
script checks in `scripts.py`: Japanese in the editor, English in the pack loader.
"""

import re
from typing import Annotated, Any, NamedTuple

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .scripts import ENDING_KINDS, STANDARD_CRITERIA, Condition, format_numbers


class LearnerRole(models.TextChoices):
    HOME_VISITOR = "home_visitor", gettext_lazy("Home visitor")
    COORDINATOR = "coordinator", gettext_lazy("Coordinator")


class Difficulty(models.IntegerChoices):
    EASY = 1, gettext_lazy("Easy")
    MEDIUM = 2, gettext_lazy("Medium")
    HARD = 3, gettext_lazy("Hard")


# Django's slug rule, as Scenario.slug checks it; pack files add their own, stricter one.
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
NODE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Text lengths of the Scenario model's fields (a test keeps the two in step).
MAX_LENGTHS = {
    "slug": 80,
    "title": 120,
    "source": 300,
    "fallback_line": 200,
    "persona.role": 80,
    "persona.name": 60,
    "criterion.key": 40,
    "criterion.label": 80,
}
# Text lengths of the editor's script blocks (roleplay.blocks), so a scenario that loads from a
# pack can also be saved in the editor; a session keeps node and choice ids in 60 characters.
# A test keeps these in step with the blocks.
BLOCK_MAX_LENGTHS = {
    "node.id": 60,
    "choice.id": 60,
    "choice.if": 200,
    "choice.effects": 200,
    "choice.scores": 200,
    "state.label": 40,
    "end_when.if": 120,
}
MAX_TURNS = 100
LEVELS = (1, 4)


def problem(message: str) -> PydanticCustomError:
    """A broken rule, with its message already in the active language."""
    return PydanticCustomError("scenario", "{message}", {"message": message})


def _problem_at(loc: tuple, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=problem(message), loc=loc, input=value)


def _raise(title: str, found: list[InitErrorDetails]) -> None:
    """Report several problems at once; pydantic puts each under the field being checked."""
    if found:
        raise ValidationError.from_exception_data(title, found)


# --- field types ----------------------------------------------------------------------------


def _text_check(max_length: int | None, required: bool, name: str = ""):
    """`name` is the field as a file spells it, where that differs from the attribute (`if`)."""

    def check(value: str, info: ValidationInfo) -> str:
        field = name or info.field_name
        # White space around text is how YAML and forms leave it; it is neither content nor length.
        length = len(value.strip())
        if required and not length:
            raise problem(_("'%(field)s' must not be empty") % {"field": field})
        if max_length and length > max_length:
            raise problem(
                _("'%(field)s' has %(length)d characters; at most %(limit)d fit")
                % {"field": field, "length": length, "limit": max_length}
            )
        return value

    return AfterValidator(check)


def _pattern_check(regex: re.Pattern, rule) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.match(value):
            raise problem(str(rule))
        return value

    return AfterValidator(check)


def text(max_length: int | None = None, *, required: bool = True):
    return Annotated[str, _text_check(max_length, required)]


def code(regex: re.Pattern, rule, max_length: int | None = None):
    """An identifier others refer to: a key, an id or a slug."""
    return Annotated[str, _text_check(max_length, True), _pattern_check(regex, rule)]


def spoken(rule):
    """Words someone says in the conversation: never empty."""

    def check(value: str) -> str:
        if not value.strip():
            raise problem(str(rule))
        return value

    return Annotated[str, AfterValidator(check)]


def one_of(choices: type[models.Choices]):
    def check(value, info: ValidationInfo):
        if value not in choices.values:
            raise problem(
                _("'%(field)s' %(value)r is not one of: %(choices)s")
                % {
                    "field": info.field_name,
                    "value": value,
                    "choices": ", ".join(map(str, choices.values)),
                }
            )
        return value

    return BeforeValidator(check)


def _difficulty(value):
    if isinstance(value, bool) or value not in Difficulty.values:
        raise problem(_("'difficulty' must be 1 (easy), 2 (medium) or 3 (hard)"))
    return value


def _turn_limit(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise problem(
            _("'turn_limit' must be a whole number above zero, not %(value)r") % {"value": value}
        )
    if value > MAX_TURNS:
        raise problem(_("'turn_limit' must be at most %(limit)d") % {"limit": MAX_TURNS})
    return value


def _age(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 120:
        raise problem(_("'age' must be a whole number of years"))
    return value


def _condition(value: str) -> str:
    try:
        Condition.parse(value)
    except ValueError as exc:
        raise problem(str(exc)) from None
    return value


def _written_within(max_length: int, signed: bool):
    """Effects and scores as the editor writes them (`trust +10, openness -5`) fit its field."""

    def check(values: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        length = len(format_numbers(values, signed=signed))
        if length > max_length:
            raise problem(
                _(
                    "'%(field)s' has %(length)d characters as the editor writes them; "
                    "at most %(limit)d fit"
                )
                % {"field": info.field_name, "length": length, "limit": max_length}
            )
        return values

    return AfterValidator(check)


def _levels(scores: dict[str, int]) -> dict[str, int]:
    low, high = LEVELS
    for name, level in scores.items():
        if not low <= level <= high:
            raise problem(
                _("%(name)s must be between %(low)d and %(high)d")
                % {"name": name, "low": low, "high": high}
            )
    return scores


KEY_RULE = gettext_lazy("use lower-case letters, digits and _")
NODE_RULE = gettext_lazy("use lower-case letters, digits, - and _")


def condition_text(max_length: int):
    return Annotated[str, _text_check(max_length, False, "if"), AfterValidator(_condition)]


class Part(BaseModel):
    """A part of a scenario: exactly the fields it knows, each of the type it must have."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_absent(cls, data):
        # An empty YAML value (`source:`) is the field left out, as it always was in packs.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


# --- the parts of a scenario ----------------------------------------------------------------


class Persona(Part):
    """The persona card's visible part; the hidden facts are kept apart on the scenario."""

    role: text(MAX_LENGTHS["persona.role"])
    name: text(MAX_LENGTHS["persona.name"])
    age: Annotated[int, BeforeValidator(_age)] | None = None
    family: str = ""
    speaking_style: str = ""
    wants: str = ""


class StateVariable(Part):
    key: code(KEY, KEY_RULE)
    label: text(BLOCK_MAX_LENGTHS["state.label"], required=False) = ""
    initial: int = 0
    minimum: int = Field(0, alias="min")
    maximum: int = Field(100, alias="max")

    @model_validator(mode="after")
    def _initial_within_bounds(self):
        if not self.minimum <= self.initial <= self.maximum:
            raise problem(
                _("initial value %(value)d is outside %(low)d–%(high)d")
                % {"value": self.initial, "low": self.minimum, "high": self.maximum}
            )
        return self


class EndRule(Part):
    condition: condition_text(BLOCK_MAX_LENGTHS["end_when.if"]) = Field("", alias="if")
    goto: str = ""


class Criterion(Part):
    """A rubric criterion particular to this scenario, scored 1–4 like the standard ones."""

    key: code(KEY, KEY_RULE, MAX_LENGTHS["criterion.key"])
    label: text(MAX_LENGTHS["criterion.label"])
    description: text()
    competencies: list[str] = []


class Rubric(Part):
    standard: bool = True
    criteria: list[Criterion] = []

    @field_validator("criteria")
    @classmethod
    def _keys_unique(cls, criteria: list[Criterion]):
        seen, found = set(), []
        for index, criterion in enumerate(criteria):
            if criterion.key in seen:
                message = _("the criterion key %(key)r is used twice") % {"key": criterion.key}
                found.append(_problem_at((index, "key"), message, criterion.key))
            seen.add(criterion.key)
        _raise("criteria", found)
        return criteria

    @property
    def keys(self) -> tuple[str, ...]:
        """Every criterion a session is scored on: the standard ones first, when used."""
        standard = STANDARD_CRITERIA if self.standard else ()
        return standard + tuple(c.key for c in self.criteria)


class ModelLine(Part):
    criterion: str
    line: text()
    note: str = Field("", exclude_if=lambda note: not note)


class Choice(Part):
    """One thing the learner can say.

    `safe: true` marks the step a learner must always be able to take when there is risk: calling
    189, 110 or 119, or telling the coordinator at once. Such a choice is never punished for it:
    it must not lead straight to a poor ending nor score 1 on any criterion, and a good ending
    must still be reachable after it (see `safety_problems`). Left out, it is false.
    """

    id: code(NODE_ID, NODE_RULE, BLOCK_MAX_LENGTHS["choice.id"])
    text: spoken(gettext_lazy("a choice needs the learner's words"))
    next: str = ""
    effects: Annotated[
        dict[str, int], _written_within(BLOCK_MAX_LENGTHS["choice.effects"], signed=True)
    ] = {}
    scores: Annotated[
        dict[str, int],
        AfterValidator(_levels),
        _written_within(BLOCK_MAX_LENGTHS["choice.scores"], signed=False),
    ] = {}
    feedback: str = ""
    safe: bool = Field(False, exclude_if=lambda safe: not safe)
    condition: condition_text(BLOCK_MAX_LENGTHS["choice.if"]) = Field(
        "", alias="if", exclude_if=lambda condition: not condition
    )


class Node(Part):
    id: code(NODE_ID, NODE_RULE, BLOCK_MAX_LENGTHS["node.id"])
    line: spoken(gettext_lazy("every node needs the persona's line"))
    choices: list[Choice] = Field([], exclude_if=lambda choices: not choices)
    ending: str = Field("", exclude_if=lambda ending: not ending)
    summary: str = ""

    @field_validator("ending")
    @classmethod
    def _known_ending(cls, ending: str) -> str:
        if ending and ending not in ENDING_KINDS:
            raise problem(_("use one of %(kinds)s") % {"kinds": ", ".join(ENDING_KINDS)})
        return ending

    @field_validator("choices")
    @classmethod
    def _choice_ids_unique(cls, choices: list[Choice]):
        seen, found = set(), []
        for index, choice in enumerate(choices):
            if choice.id in seen:
                message = _("the choice id %(id)r is used twice") % {"id": choice.id}
                found.append(_problem_at((index, "id"), message, choice.id))
            seen.add(choice.id)
        _raise("choices", found)
        return choices

    @model_validator(mode="after")
    def _ending_has_no_choices(self):
        if self.ending and self.choices:
            raise problem(_("an ending node cannot offer choices"))
        return self

    @model_serializer(mode="wrap")
    def _summary_only_for_endings(self, handler):
        data = handler(self)
        if not self.ending:
            data.pop("summary", None)
        return data


# --- the scenario ---------------------------------------------------------------------------


class ScenarioData(Part):
    """A practice conversation: who the learner and the persona are, and the branching script.

    Field order is the order of a pack file. `state`, `rubric` and `end_when` come before
    `model_lines` and `nodes`, which refer to them.
    """

    slug: code(SLUG, gettext_lazy("use letters, digits, - and _"), MAX_LENGTHS["slug"])
    title: text(MAX_LENGTHS["title"])
    learner_role: Annotated[str, one_of(LearnerRole)]
    difficulty: Annotated[int, BeforeValidator(_difficulty)]
    competencies: list[str] = []
    source: text(MAX_LENGTHS["source"], required=False) = ""
    content_note: str = ""
    brief: text()
    goals: list[str]
    persona: Persona
    hidden_facts: list[str] = []
    fallback_line: text(MAX_LENGTHS["fallback_line"], required=False) = ""
    state: list[StateVariable]
    turn_limit: Annotated[int, BeforeValidator(_turn_limit)]
    end_when: list[EndRule] = []
    rubric: Rubric = Rubric()
    model_lines: list[ModelLine] = []
    nodes: list[Node]

    # -- the rules between parts: each checks only against parts that are themselves sound --

    @field_validator("state")
    @classmethod
    def _tracks_trust_once(cls, state: list[StateVariable]):
        keys = [v.key for v in state]
        if len(set(keys)) != len(keys):
            raise problem(_("two state variables share a key"))
        if "trust" not in keys:
            raise problem(_("every scenario tracks 'trust' (信頼, 0–100)"))
        return state

    @field_validator("end_when")
    @classmethod
    def _rules_use_known_variables(cls, rules: list[EndRule], info: ValidationInfo):
        keys = _variables(info)
        if keys is not None:
            found = [
                _unknown_state(keys, rule.condition, (index, "if"))
                for index, rule in enumerate(rules)
            ]
            _raise("end_when", [f for f in found if f])
        return rules

    @field_validator("model_lines")
    @classmethod
    def _lines_use_known_criteria(cls, lines: list[ModelLine], info: ValidationInfo):
        rubric = info.data.get("rubric")
        if rubric is not None:
            found = [
                _problem_at(
                    (index, "criterion"),
                    _("model line criterion %(name)r is not in the rubric")
                    % {"name": line.criterion},
                    line.criterion,
                )
                for index, line in enumerate(lines)
                if line.criterion not in rubric.keys
            ]
            _raise("model_lines", found)
        return lines

    @field_validator("nodes")
    @classmethod
    def _nodes_refer_to_known_parts(cls, nodes: list[Node], info: ValidationInfo):
        if not nodes:
            raise problem(_("the script has no nodes"))
        keys, rubric = _variables(info), info.data.get("rubric")
        found, seen = [], set()
        for i, node in enumerate(nodes):
            if node.id in seen:
                message = _("the node id %(id)r is used twice") % {"id": node.id}
                found.append(_problem_at((i, "id"), message, node.id))
            seen.add(node.id)
            for j, choice in enumerate(node.choices):
                where = (i, "choices", j)
                if keys is not None:
                    found.append(_unknown_state(keys, choice.condition, (*where, "if")))
                    found.append(
                        _unknown_name(
                            choice.effects, keys, _("unknown variable %(name)r"), where, "effects"
                        )
                    )
                if rubric is not None:
                    found.append(
                        _unknown_name(
                            choice.scores,
                            set(rubric.keys),
                            _("unknown criterion %(name)r"),
                            where,
                            "scores",
                        )
                    )
        _raise("nodes", [f for f in found if f])
        return nodes

    # -- reading and writing -------------------------------------------------------------------

    @classmethod
    def parse(cls, data: "ScenarioData | dict") -> "ScenarioData":
        """The scenario in `data` (its stored form, or already parsed), or InvalidScenario."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidScenario(problems(exc)) from None

    def dump(self) -> dict:
        """The stored form: a pack file's content, a session's snapshot."""
        return self.model_dump(mode="json", by_alias=True)

    @property
    def criteria(self) -> tuple[str, ...]:
        return self.rubric.keys

    @property
    def competency_codes(self) -> set[str]:
        """The competencies the scenario and its own rubric criteria are linked to."""
        codes = set(self.competencies)
        for criterion in self.rubric.criteria:
            codes.update(criterion.competencies)
        return codes

    def public_persona(self) -> "PublicPersona":
        return PublicPersona(role=self.persona.role, name=self.persona.name, age=self.persona.age)


def _variables(info: ValidationInfo) -> set[str] | None:
    """The state variables' keys, or None when `state` is itself broken (reported there)."""
    state = info.data.get("state")
    return None if state is None else {v.key for v in state}


def _unknown_state(keys: set[str], condition: str, loc: tuple) -> InitErrorDetails | None:
    unknown = Condition.parse(condition).variables - keys
    if not unknown:
        return None
    message = _("unknown state variable %(name)r") % {"name": sorted(unknown)[0]}
    return _problem_at(loc, message, condition)


def _unknown_name(values: dict, known: set[str], message: str, where: tuple, field: str):
    unknown = [name for name in values if name not in known]
    if not unknown:
        return None
    return _problem_at((*where, field), message % {"name": unknown[0]}, values)


# --- the safe way through -------------------------------------------------------------------


def safety_problems(data: ScenarioData) -> list["Problem"]:
    """What would teach that the safe step does not pay: a scenario no good ending can be reached
    in, or a choice marked `safe` that leads straight to a poor ending, scores 1 on a criterion
    or leaves no good ending reachable. Paths follow the choices whatever their conditions."""
    nodes = {node.id: node for node in data.nodes}
    can_end_well = {node.id for node in data.nodes if node.ending == "good"}
    changed = True
    while changed:
        changed = False
        for node in data.nodes:
            if node.id not in can_end_well and any(c.next in can_end_well for c in node.choices):
                can_end_well.add(node.id)
                changed = True
    found = []
    if data.nodes[0].id not in can_end_well:
        found.append(Problem(("nodes", 0), _("no good ending can be reached from the start")))
    for i, node in enumerate(data.nodes):
        for j, choice in enumerate(node.choices):
            target = nodes.get(choice.next)
            if not choice.safe or target is None:  # a broken link is reported by the script
                continue
            where = ("nodes", i, "choices", j)
            if target.ending == "poor":
                message = _("a safe choice must not lead straight to a poor ending")
                found.append(Problem((*where, "next"), message))
            elif target.id not in can_end_well:
                message = _("no good ending can be reached after this safe choice")
                found.append(Problem((*where, "next"), message))
            low = [name for name, level in choice.scores.items() if level == LEVELS[0]]
            if low:
                found.append(
                    Problem(
                        (*where, "scores"),
                        _("a safe choice must not score %(level)d (%(names)s)")
                        % {"level": LEVELS[0], "names": ", ".join(low)},
                    )
                )
    return found


# --- what the learner may see ---------------------------------------------------------------


class PublicPersona(BaseModel):
    """The persona as the learner meets it: never the hidden facts or what it wants."""

    role: str
    name: str
    age: int | None = None


# --- problems -------------------------------------------------------------------------------


class Problem(NamedTuple):
    """One broken rule: where (a path of keys and list indexes, as in the stored form) and why."""

    path: tuple
    message: str

    @property
    def where(self) -> str:
        """The path as an author reads it: `nodes[2].choices[0].effects`."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text.lstrip(".")

    def __str__(self):
        return f"{self.where}: {self.message}" if self.path else self.message


class InvalidScenario(ValueError):
    """Scenario data that breaks the schema's rules; `problems` lists every one found."""

    def __init__(self, found: list[Problem]):
        super().__init__("\n".join(map(str, found)))
        self.problems = found


def problems(exc: ValidationError) -> list[Problem]:
    """Pydantic's errors as problems, each message in the words an author uses."""
    return [Problem(tuple(error["loc"]), _message(error)) for error in exc.errors()]


def _message(error: dict) -> str:
    names = [part for part in error["loc"] if isinstance(part, str)]
    field = names[-1] if names else ""
    kind, value = error["type"], error.get("input")
    if kind == "scenario":
        return error["ctx"]["message"]
    if kind == "missing":
        return _("missing required field '%(field)s'") % {"field": field}
    if kind == "extra_forbidden":
        return _("unknown field '%(field)s'") % {"field": field}
    if kind == "string_type":
        return _("'%(field)s' must be text") % {"field": field}
    if kind.startswith("int_"):
        return _("'%(field)s' must be a whole number, not %(value)r") % {
            "field": field,
            "value": value,
        }
    if kind == "bool_type":
        return _("'%(field)s' must be true or false") % {"field": field}
    if kind == "list_type":
        return _("'%(field)s' must be a list") % {"field": field}
    if kind in ("dict_type", "model_type"):
        return _("'%(field)s' must be a mapping of fields") % {"field": field}
    return error["msg"]
