"""Where assessments hooks into roleplay (connected in `AssessmentsConfig.ready`): every ended
session is judged, and the debrief shows the judgements as a section of its own.

Roleplay knows nothing of this module (DESIGN §3): it sends `session_ended` and renders the
sections registered in `roleplay.debrief.debrief_sections`.
"""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.services import display_name
from roleplay import llm
from roleplay.debrief import Section
from roleplay.models import Mode, PracticeSession

from . import judging
from .judges.skills import CODES, TARGETS
from .models import JudgeKind, Judgement
from .rubrics import RubricSpec

TEMPLATE = "assessments/debrief_judgements.html"
# The judgements a session gets without a person; a debrief that finds none judges first.
DERIVED = (JudgeKind.SCRIPTED, JudgeKind.HEURISTIC, JudgeKind.LLM, JudgeKind.OBSERVER)

# The conversation-skill codes as the debrief names them.
SKILL_LABELS = {
    "open_question": gettext_lazy("Open questions"),
    "closed_question": gettext_lazy("Closed questions"),
    "reflection": gettext_lazy("Reflections"),
    "affirmation": gettext_lazy("Affirmations"),
    "advice_with_permission": gettext_lazy("Advice with permission"),
    "advice_without_permission": gettext_lazy("Advice without permission"),
}
BANDS = {
    "good": gettext_lazy("good"),
    "fair": gettext_lazy("fair"),
    "below": gettext_lazy("below the target"),
}


def judge_ended_session(sender, session: PracticeSession, **kwargs) -> None:
    """`session_ended` receiver: store the session's judgements (idempotent)."""
    judging.judge_session(session)


def _band(key: str | None) -> dict | None:
    return {"key": key, "label": BANDS[key]} if key in BANDS else None


def _skills(summary: dict | None) -> dict | None:
    if not summary or not summary.get("learner_turns"):
        return None
    ratio, share = summary["reflection_to_question"], summary["open_question_share"]
    ratio_target, share_target = TARGETS["reflection_to_question"], TARGETS["open_question_share"]
    return {
        "counts": [(SKILL_LABELS[code], summary["counts"].get(code, 0)) for code in CODES],
        "ratio": None if ratio is None else f"{ratio:g} : 1",
        "ratio_band": _band(summary["bands"].get("reflection_to_question")),
        "ratio_targets": _("%(fair)s fair, %(good)s good")
        % {"fair": f"{ratio_target['fair']:g} : 1", "good": f"{ratio_target['good']:g} : 1"},
        "share": None if share is None else f"{share:.0%}",
        "share_band": _band(summary["bands"].get("open_question_share")),
        "share_targets": _("%(fair)s fair, %(good)s good")
        % {"fair": f"{share_target['fair']:.0%}", "good": f"{share_target['good']:.0%}"},
    }


def _why_not_passed(rubric: RubricSpec, scores: dict) -> dict:
    """What kept a session from passing: blockers at level 1, no level at all, or the mean of
    the levels below the mark."""
    levels = {key: (score or {}).get("level") for key, score in scores.items()}
    return {
        "blockers": "、".join(
            c.label for c in rubric.criteria if c.blocker and levels.get(c.key) == 1
        ),
        "none_given": all(level is None for level in levels.values()),
        "pass_mean": f"{rubric.pass_mean:g}",
    }


def _rows(rubric: RubricSpec, primary: Judgement | None, others: list[tuple[str, Judgement]]):
    scores = primary.result.get("scores", {}) if primary else {}
    rows = []
    for criterion in rubric.criteria:
        score = scores.get(criterion.key) or {}
        rows.append(
            {
                "key": criterion.key,
                "label": criterion.label,
                "blocker": criterion.blocker,
                "level": score.get("level"),
                "evidence": score.get("evidence") or [],
                "comment": score.get("comment", ""),
                "better_line": score.get("better_line", ""),
                "rules": score.get("rules") or [],
                "beside": [
                    {
                        "name": name,
                        "level": (j.result.get("scores", {}).get(criterion.key) or {}).get("level"),
                    }
                    for name, j in others
                ],
            }
        )
    return rows


def judgement_section(session: PracticeSession, request: HttpRequest | None) -> Section | None:
    """The debrief's rubric section. A session whose judgements never arrived (the signal was
    lost with its process, or it ended before judging existed) is judged here first."""
    if session.is_active:
        return None
    judgements = list(session.judgements.select_related("by"))
    if not any(j.judge in DERIVED for j in judgements) and judging.judge_session(session):
        judgements = list(session.judgements.select_related("by"))
    rubric = judging.rubric_of(session)
    by_kind = {j.judge: j for j in judgements if j.judge in DERIVED}
    primary = judging.primary_judgement(session.mode, by_kind.values())
    model = by_kind.get(JudgeKind.LLM)
    typed = by_kind.get(JudgeKind.HEURISTIC) if session.mode == Mode.SCRIPTED else None
    own = next((j for j in judgements if j.judge == JudgeKind.SELF), None)
    trainers = [j for j in judgements if j.judge == JudgeKind.TRAINER]
    viewer = request.user.pk if request is not None else session.user_id
    is_owner = viewer == session.user_id
    others = [(JudgeKind.SELF.label, own)] if own else []
    # A trainer who has not rated the session yet does not see colleagues' ratings, so a
    # blind calibration rating stays blind.
    if is_owner or any(j.by_id == viewer for j in trainers):
        others += [
            (
                f"{JudgeKind.TRAINER.label} {display_name(j.by)}"
                if j.by
                else JudgeKind.TRAINER.label,
                j,
            )
            for j in trainers
        ]
    observer = primary if primary is not None and primary.judge == JudgeKind.OBSERVER else None
    skills_from = typed if typed is not None else primary
    scores = primary.result.get("scores", {}) if primary else {}
    data = {
        "scores": scores or None,
        "scored_by": primary.judge if primary else None,
        "scorer": display_name(observer.by) if observer and observer.by else None,
        "comment": observer.result.get("comment", "") if observer else "",
        "passed": primary.passed if primary else None,
        "judging": model.status if model else None,
        "criterion_labels": {c.key: c.label for c in rubric.criteria},
        "moments": primary.result.get("moments", []) if primary else [],
        "skills": skills_from.result.get("skills") if skills_from else None,
        "judgements": [
            {"judge": j.judge, "status": j.status, "passed": j.passed, "error": j.error or None}
            for j in judgements
        ],
    }
    context = {
        "primary": primary,
        "rows": _rows(rubric, primary, others),
        "why": _why_not_passed(rubric, scores),
        "model": model,
        "can_retry": llm.is_configured(),
        "typed": typed,
        "typed_rows": _rows(rubric, typed, []) if typed else [],
        "moments": data["moments"],
        "comment": data["comment"],
        "scorer": data["scorer"],
        "skills": _skills(data["skills"]),
        "own": own,
        "self_url": reverse("assessments:self_assessment", args=[session.pk]) if is_owner else "",
    }
    return Section(template=TEMPLATE, context=context, data=data)
