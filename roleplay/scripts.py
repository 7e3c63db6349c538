"""The branching script of a scenario as plain Python: conditions, graph checks, playing.

One representation serves the Wagtail editor, content-pack files and the engines, so a script
that an author can save is exactly a script the engines can play. Nothing here touches the
database; `Script.from_data` builds a script from a scenario's data once `roleplay.schema` has
checked it, part by part. Messages are in the active language: Japanese in the editor, English
in the content-pack loader, like its other messages.
"""

import operator
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    # The schema builds on this module (conditions, endings), so it is imported for types only.
    from . import schema

# The standard conversation rubric (DESIGN §4): key → (label, what it looks for).
STANDARD_RUBRIC = {
    "empathy": ("受容・共感", "気持ちを受け止めて言葉で返し、助言より先に認めている。"),
    "non_directive": ("上から目線にならない", "説教・指示・決めつけがなく、選択肢を示している。"),
    "strengths": ("ストレングス視点", "具体的な強みや変化に気づき、言葉にして伝えている。"),
    "needs_elicitation": (
        "ニーズの把握と自己決定",
        "開いた質問で要望の奥にあるものを聞き、本人が決めている。",
    ),
    "boundaries": (
        "役割と約束の境界",
        "できること・できないことが明確で、他者が決めることを約束していない。",
    ),
    "confidentiality": ("情報の取り扱い", "必要な範囲で、誰と共有するかを伝えて扱っている。"),
    "safety": (
        "安全の確保とつなぐ判断",
        "子どもや親の危険（けが、ネグレクト、虐待、自傷の訴え、DV）に気づき、"
        "すぐにコーディネーターへ伝える。危険を秘密にする約束はしない。"
        "189・110・119や市区町村の窓口を知っている。",
    ),
}
STANDARD_CRITERIA = tuple(STANDARD_RUBRIC)
ENDING_KINDS = ("good", "mixed", "poor")
COMPARISON = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+)\s*$")
BROKEN_LINK = gettext_lazy(
    "node %(node)r, choice %(choice)r: leads to %(next)r, which is not a node"
)
OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


NUMBER_ITEM = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*([+-]?\s*\d+)\s*$")


def parse_numbers(text: str) -> dict[str, int]:
    """`trust +10, openness -5` (how the admin form writes effects and scores) as a dict."""
    result = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = NUMBER_ITEM.match(part)
        if not match:
            raise ValueError(
                _("cannot read %(part)r; write e.g. 'trust +10, openness -5'") % {"part": part}
            )
        result[match.group(1)] = int(match.group(2).replace(" ", ""))
    return result


def format_numbers(values: dict[str, int], signed: bool = True) -> str:
    return ", ".join(f"{k} {v:+d}" if signed else f"{k} {v}" for k, v in values.items())


class ScriptError(ValueError):
    """Editor text that cannot be read as a script, such as effects typed as `trust +x`;
    `path` says where (e.g. "node 'start', choice 'listen'")."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path, self.message = path, message


@dataclass(frozen=True)
class Condition:
    """`trust >= 40 and openness > 10`: every comparison must hold. Empty means always."""

    comparisons: tuple[tuple[str, str, int], ...] = ()

    @classmethod
    def parse(cls, text: str) -> "Condition":
        text = (text or "").strip()
        if not text:
            return cls()
        comparisons = []
        for part in re.split(r"\s+and\s+", text):
            match = COMPARISON.match(part)
            if not match:
                raise ValueError(
                    _(
                        "cannot read the condition %(part)r; write e.g. 'trust >= 40' and join "
                        "several with 'and'"
                    )
                    % {"part": part.strip()}
                )
            name, op, number = match.groups()
            comparisons.append((name, op, int(number)))
        return cls(tuple(comparisons))

    @property
    def variables(self) -> set[str]:
        return {name for name, _, _ in self.comparisons}

    def holds(self, state: dict[str, int]) -> bool:
        return all(OPERATORS[op](state.get(name, 0), n) for name, op, n in self.comparisons)

    def __str__(self):
        return " and ".join(f"{name} {op} {n}" for name, op, n in self.comparisons)


@dataclass(frozen=True)
class StateVariable:
    key: str
    label: str
    initial: int
    minimum: int = 0
    maximum: int = 100

    @classmethod
    def from_data(cls, data: "schema.StateVariable") -> "StateVariable":
        return cls(data.key, data.label or data.key, data.initial, data.minimum, data.maximum)

    def clamp(self, value: int) -> int:
        return max(self.minimum, min(self.maximum, value))


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    next: str
    effects: dict[str, int] = field(default_factory=dict)
    scores: dict[str, int] = field(default_factory=dict)
    feedback: str = ""
    condition: Condition = Condition()

    @classmethod
    def from_data(cls, data: "schema.Choice") -> "Choice":
        return cls(
            id=data.id,
            text=data.text.strip(),
            next=data.next,
            effects=dict(data.effects),
            scores=dict(data.scores),
            feedback=data.feedback.strip(),
            condition=Condition.parse(data.condition),
        )

    @property
    def quality(self) -> float | None:
        """Mean rubric level of this choice, or None when the author scored nothing."""
        if not self.scores:
            return None
        return sum(self.scores.values()) / len(self.scores)


@dataclass(frozen=True)
class Node:
    id: str
    line: str
    choices: tuple[Choice, ...] = ()
    ending: str = ""
    summary: str = ""

    @classmethod
    def from_data(cls, data: "schema.Node") -> "Node":
        return cls(
            id=data.id,
            line=data.line.strip(),
            choices=tuple(Choice.from_data(choice) for choice in data.choices),
            ending=data.ending,
            summary=data.summary.strip(),
        )

    def available(self, state: dict[str, int]) -> list[Choice]:
        return [c for c in self.choices if c.condition.holds(state)]

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    def best_choice(self) -> Choice | None:
        scored = [c for c in self.choices if c.quality is not None]
        return max(scored, key=lambda c: c.quality) if scored else None


@dataclass(frozen=True)
class EndRule:
    condition: Condition
    goto: str

    @classmethod
    def from_data(cls, data: "schema.EndRule") -> "EndRule":
        return cls(Condition.parse(data.condition), data.goto)


@dataclass
class Script:
    """A scenario's script: the state it tracks, its nodes and when it ends early."""

    variables: tuple[StateVariable, ...]
    nodes: dict[str, Node]
    start: str
    end_rules: tuple[EndRule, ...] = ()
    turn_limit: int = 0
    criteria: tuple[str, ...] = STANDARD_CRITERIA

    @classmethod
    def from_data(cls, data: "schema.ScenarioData") -> "Script":
        """The playable script of a scenario whose data the schema has checked.

        Graph problems (unreachable nodes, dead ends) are not raised here: `problems()` lists
        them all, so an editor can show every one at once.
        """
        nodes = {node.id: Node.from_data(node) for node in data.nodes}
        return cls(
            variables=tuple(StateVariable.from_data(v) for v in data.state),
            nodes=nodes,
            start=data.nodes[0].id,
            end_rules=tuple(EndRule.from_data(rule) for rule in data.end_when),
            turn_limit=data.turn_limit,
            criteria=data.criteria,
        )

    # -- checks -------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything that would stop a learner: broken links, unreachable nodes, dead ends."""
        found = []
        for node in self.nodes.values():
            for choice in node.choices:
                if choice.next not in self.nodes:
                    found.append(
                        BROKEN_LINK % {"node": node.id, "choice": choice.id, "next": choice.next}
                    )
            if not node.ending and not node.choices:
                found.append(
                    _("node %(node)r is a dead end: no choices and not an ending")
                    % {"node": node.id}
                )
            elif node.choices and all(c.condition.comparisons for c in node.choices):
                found.append(
                    _(
                        "node %(node)r: every choice has a condition; give at least one choice "
                        "no condition so the learner is never stuck"
                    )
                    % {"node": node.id}
                )
        for i, rule in enumerate(self.end_rules):
            target = self.nodes.get(rule.goto)
            if target is None or not target.ending:
                found.append(
                    _("end rule %(n)d leads to %(goto)r, which is not an ending")
                    % {"n": i + 1, "goto": rule.goto}
                )
        if not self.endings:
            found.append(_("the script has no ending node"))
        reachable = self.reachable()
        for node_id in self.nodes:
            if node_id not in reachable:
                found.append(
                    _("node %(node)r cannot be reached from the start") % {"node": node_id}
                )
        can_finish = self._can_reach_an_ending()
        for node_id in reachable:
            if node_id not in can_finish and not self.nodes[node_id].ending:
                found.append(
                    _("node %(node)r: no ending can be reached from here") % {"node": node_id}
                )
        return found

    @property
    def endings(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.ending]

    def successors(self, node: Node) -> set[str]:
        return {c.next for c in node.choices if c.next in self.nodes}

    def reachable(self) -> set[str]:
        """Nodes reachable from the start, counting the endings the end rules can jump to."""
        seen = {self.start} | {r.goto for r in self.end_rules if r.goto in self.nodes}
        stack = list(seen)
        while stack:
            for nxt in self.successors(self.nodes[stack.pop()]):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def _can_reach_an_ending(self) -> set[str]:
        done = {n.id for n in self.endings}
        changed = True
        while changed:
            changed = False
            for node in self.nodes.values():
                if node.id not in done and self.successors(node) & done:
                    done.add(node.id)
                    changed = True
        return done

    # -- playing ------------------------------------------------------------------------------

    def initial_state(self) -> dict[str, int]:
        return {v.key: v.initial for v in self.variables}

    def apply(self, state: dict[str, int], effects: dict[str, int]) -> dict[str, int]:
        """The state after `effects`, each variable kept within its bounds."""
        new = dict(state)
        for var in self.variables:
            if var.key in effects:
                new[var.key] = var.clamp(new.get(var.key, var.initial) + effects[var.key])
        return new

    def forced_ending(self, state: dict[str, int], turns_taken: int) -> Node | None:
        """The ending an end rule or the turn limit imposes now, if any."""
        for rule in self.end_rules:
            if rule.condition.holds(state):
                return self.nodes[rule.goto]
        if self.turn_limit and turns_taken >= self.turn_limit:
            return self.closest_ending(state)
        return None

    def closest_ending(self, state: dict[str, int]) -> Node:
        """When time runs out, the ending that matches how trust stands."""
        by_kind = {n.ending: n for n in reversed(self.endings)}
        trust = state.get("trust", 0)
        kind = "good" if trust >= 70 else "mixed" if trust >= 40 else "poor"
        for preferred in (kind, "mixed", "poor", "good"):
            if preferred in by_kind:
                return by_kind[preferred]
        return self.endings[0]

    def outline(self) -> list[dict]:
        """The script as an outline for authors: each node, depth-first from the start."""
        order, seen = [], set()

        def visit(node_id: str, depth: int):
            if node_id in seen or node_id not in self.nodes:
                return
            seen.add(node_id)
            order.append({"node": self.nodes[node_id], "depth": depth})
            for choice in self.nodes[node_id].choices:
                visit(choice.next, depth + 1)

        visit(self.start, 0)
        for node_id in self.nodes:
            if node_id not in seen:
                order.append({"node": self.nodes[node_id], "depth": 0, "unreachable": True})
        return order
