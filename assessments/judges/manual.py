"""Assessments by people: the learner (self), a peer observer and a trainer.

They fill in the same rubric form and produce the same `Judgement` as the automatic judges,
so a debrief, the agreement figures and the pass rule treat them alike. The form is flat, as
an HTML form posts it: `<criterion>-level` (1–4, or empty when there was no occasion),
`<criterion>-evidence` (one quote per line), `<criterion>-comment` and
`<criterion>-better_line`. Observers write from memory of a spoken conversation, so their
quotes are not checked against a transcript.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from assessments.rubrics import LEVELS, RubricSpec

from .base import EVIDENCE_LIMIT, CriterionScore, JudgeError, JudgeKind, Judgement

PEOPLE = (JudgeKind.SELF, JudgeKind.OBSERVER, JudgeKind.TRAINER)
EVIDENCE_LENGTH = 300
COMMENT_LENGTH = 1000


class FormError(JudgeError):
    """A form that cannot be accepted; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid_form", "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _text(form: Mapping, name: str, limit: int, errors: dict) -> str:
    value = str(form.get(name) or "").strip()
    if len(value) > limit:
        errors[name] = _("Write at most %(limit)d characters.") % {"limit": limit}
    return value


def from_form(rubric: RubricSpec, form: Mapping, *, judge: JudgeKind) -> Judgement:
    """Validate a submitted rubric form into a Judgement; raise FormError listing every
    problem at once, so the person can fix them all in one go."""
    if judge not in PEOPLE:
        raise JudgeError("invalid_judge", f"{judge} is not an assessment by a person")
    errors: dict[str, str] = {}
    scores = {}
    for criterion in rubric.criteria:
        key = criterion.key
        raw_level = str(form.get(f"{key}-level") or "").strip()
        level = None
        if raw_level:
            if raw_level.isdigit() and int(raw_level) in LEVELS:
                level = int(raw_level)
            else:
                errors[f"{key}-level"] = _(
                    "Choose a level from 1 to 4, or leave it empty when there was no occasion."
                )
        raw_evidence = _text(form, f"{key}-evidence", EVIDENCE_LENGTH * EVIDENCE_LIMIT, errors)
        evidence = [line.strip() for line in raw_evidence.splitlines() if line.strip()]
        if len(evidence) > EVIDENCE_LIMIT:
            errors[f"{key}-evidence"] = _("Quote at most %(limit)d lines as evidence.") % {
                "limit": EVIDENCE_LIMIT
            }
        scores[key] = CriterionScore(
            level=level,
            evidence=evidence[:EVIDENCE_LIMIT],
            comment=_text(form, f"{key}-comment", COMMENT_LENGTH, errors),
            better_line=_text(form, f"{key}-better_line", EVIDENCE_LENGTH, errors),
        )
    if errors:
        raise FormError(errors)
    return Judgement.of(rubric, judge, scores)
