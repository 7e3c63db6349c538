"""Feedback on a practice session: the ending, the state curve and the model lines, plus the
sections other apps add.

Roleplay never imports the apps that judge its sessions (DESIGN §3). They add their part of
the debrief (rubric scores, evidence, skill counts) by appending a section source to
`debrief_sections` when they start; the page renders each section's template and the JSON
debrief gains each section's data.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest

from .models import PracticeSession, Speaker
from .scripts import STANDARD_RUBRIC


@dataclass
class Section:
    """One app's part of a debrief.

    `template` is rendered in the debrief page with `context` as `section` (the page's own
    context, such as `session`, `is_owner` and `learner`, is there too); `data` is merged
    into the JSON debrief, so its keys must be declared in `roleplay.api.DebriefOut`.
    """

    template: str
    context: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)


# A section source gets the session and the request (None for the JSON API) and returns its
# section, or None when it has nothing to show for this session.
SectionSource = Callable[[PracticeSession, HttpRequest | None], Section | None]
debrief_sections: list[SectionSource] = []


def sections_of(session: PracticeSession, request: HttpRequest | None = None) -> list[Section]:
    found = (source(session, request) for source in debrief_sections)
    return [section for section in found if section is not None]


def rubric_criteria(data: dict) -> list[tuple[str, str, str]]:
    """(key, label, what it looks for) of every criterion an observer scores a session on."""
    rubric = data.get("rubric") or {}
    criteria = []
    if rubric.get("standard", True):
        criteria += [(key, *text) for key, text in STANDARD_RUBRIC.items()]
    for criterion in rubric.get("criteria") or ():
        criteria.append((criterion["key"], criterion["label"], criterion.get("description", "")))
    return criteria


def debrief_of(
    session: PracticeSession,
    request: HttpRequest | None = None,
    sections: list[Section] | None = None,
) -> dict:
    """The debrief as data: roleplay's own part, then each section's data. Pass `sections`
    when they are already built (the page renders them too)."""
    data = session.scenario_data
    script = session.script
    curve = [{"turn": 0, **script.initial_state()}] + [
        {"turn": t.index, **t.state_after}
        for t in session.turns.all()
        if t.speaker == Speaker.PERSONA and t.index
    ]
    ending = session.ending_node
    debrief = {
        "ending": {"kind": ending.ending, "summary": ending.summary} if ending else None,
        "variables": [
            {"key": v.key, "label": v.label, "min": v.minimum, "max": v.maximum}
            for v in script.variables
        ],
        "state_curve": curve,
        "model_lines": data.get("model_lines") or [],
        "minutes_credited": session.hours_entry.minutes if session.hours_entry else 0,
    }
    for section in sections_of(session, request) if sections is None else sections:
        debrief |= section.data
    return debrief
