"""Feedback on a practice session: rubric scores from the scripted choices, the weakest moments
with a better line, and the debrief that gathers them with the ending and the state curve.

Scoring stays here, together and free of view concerns, so it can move to an assessments app
without taking anything else along.
"""

import math

from courses.services import display_name

from .models import Mode, PracticeSession, Speaker, Turn
from .scripts import STANDARD_RUBRIC, Choice

NO_OCCASION = "この会話では、この観点が表れる場面がありませんでした。"


def _scored_turns(session: PracticeSession):
    """(turn, node, choice) for each learner turn that picked a scripted choice."""
    script = session.script
    for turn in session.turns.filter(speaker=Speaker.LEARNER).exclude(choice=""):
        node = script.nodes.get(turn.node)
        choice = node.choice(turn.choice) if node else None
        if choice is not None:
            yield turn, node, choice


def score_from_choices(session: PracticeSession) -> dict:
    """Rubric scores of a scripted session: the levels its author gave the choices made."""
    found: dict[str, list[tuple[int, Turn, Choice]]] = {}
    for turn, _node, choice in _scored_turns(session):
        for key, level in choice.scores.items():
            found.setdefault(key, []).append((level, turn, choice))
    scores = {}
    for key in session.script.criteria:
        items = found.get(key)
        if not items:
            scores[key] = {"level": None, "evidence": [], "comment": NO_OCCASION}
            continue
        level = math.floor(sum(i[0] for i in items) / len(items) + 0.5)
        # Quote the moments that explain the level: the weakest when it is low.
        items.sort(key=lambda i: i[0], reverse=level >= 3)
        scores[key] = {
            "level": level,
            "evidence": [f"「{i[1].text.strip('「」')}」" for i in items[:2]],
            "comment": items[0][2].feedback,
        }
    return scores


def weakest_moments(session: PracticeSession, limit: int = 3) -> list[dict]:
    """The turns where a better choice was on offer, biggest gap first, with that choice."""
    moments = []
    for turn, node, choice in _scored_turns(session):
        best = node.best_choice()
        if best is None or choice.quality is None or best.id == choice.id:
            continue
        gap = best.quality - choice.quality
        if gap <= 0:
            continue
        moments.append(
            {
                "turn": turn.index,
                "persona_said": node.line,
                "you_said": turn.text,
                "feedback": choice.feedback,
                "better": best.text,
                "why_better": best.feedback,
                "gap": gap,
            }
        )
    moments.sort(key=lambda m: -m["gap"])
    return moments[:limit]


def rubric_criteria(data: dict) -> list[tuple[str, str, str]]:
    """(key, label, what it looks for) of every criterion a session is scored on."""
    rubric = data.get("rubric") or {}
    criteria = []
    if rubric.get("standard", True):
        criteria += [(key, *text) for key, text in STANDARD_RUBRIC.items()]
    for criterion in rubric.get("criteria") or ():
        criteria.append((criterion["key"], criterion["label"], criterion.get("description", "")))
    return criteria


def debrief_of(session: PracticeSession) -> dict:
    data = session.scenario_data
    script = session.script
    curve = [{"turn": 0, **script.initial_state()}] + [
        {"turn": t.index, **t.state_after}
        for t in session.turns.all()
        if t.speaker == Speaker.PERSONA and t.index
    ]
    score = session.scores.select_related("scorer").first()
    ending = session.ending_node
    return {
        "ending": {"kind": ending.ending, "summary": ending.summary} if ending else None,
        "variables": [
            {"key": v.key, "label": v.label, "min": v.minimum, "max": v.maximum}
            for v in script.variables
        ],
        "state_curve": curve,
        "scores": score.scores if score else None,
        "scored_by": score.source if score else None,
        "scorer": display_name(score.scorer) if score and score.scorer else None,
        "comment": score.comment if score else "",
        "criterion_labels": {key: label for key, label, _text in rubric_criteria(data)},
        "moments": weakest_moments(session) if session.mode == Mode.SCRIPTED else [],
        "model_lines": data.get("model_lines") or [],
        "minutes_credited": session.hours_entry.minutes if session.hours_entry else 0,
    }
