"""Judging ended role-play sessions: every session gets its judgements, stored as `Judgement`s.

When a session ends (`roleplay.signals.session_ended`), `judge_session` stores at once what
can be known without a model: for scripted practice the levels the author gave the choices
made (and the rules' view of anything the learner typed), for AI-partner practice the
heuristic judge, for peer practice the observer's form. When a model is configured, an
AI-partner session also gets a pending `llm` judgement that a background task
(`assessments.tasks.judge_with_model`) completes; a failure leaves the heuristic scores and can
be retried. People's assessments (self, here; trainers in `review`) use the same structure.

Every write takes the session's row lock first and decides on what it then reads, so a second
signal, a double click or two workers can never write twice.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from roleplay import llm
from roleplay.models import Mode, PracticeSession, ScoreSource, Speaker
from roleplay.privacy import mask
from roleplay.services import locked

from . import judges, tasks
from .judges import base, manual
from .judges import llm as llm_judge
from .models import JudgeKind, Judgement, JudgementStatus, Rubric
from .rubrics import STANDARD_KEY, RubricSpec, rubric_for_scenario

# How many of the turns where a better choice was on offer the debrief shows.
MOMENTS = 3
SCRIPTED_RULE = "scripted.choice"
SCRIPTED_RULE_LABEL = "作成者が選択肢につけた評価"


class JudgingError(Exception):
    """A judging request we refuse; `code` says why (views map codes to statuses)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def rubric_of(session: PracticeSession) -> RubricSpec:
    """The rubric a session is judged on: the standard rubric plus the scenario's criteria."""
    return rubric_for_scenario(Rubric.objects.spec(STANDARD_KEY), session.scenario_data)


def rubric_key(key: str) -> str:
    # A scenario's own rubric is keyed "scenario:<slug>", which may be longer than the field.
    return key[: Judgement._meta.get_field("rubric").max_length]


def _unsaved(session, judged: base.Judgement, extra: dict | None = None, **fields) -> Judgement:
    return Judgement(
        session=session,
        judge=judged.judge.value,
        rubric=rubric_key(judged.rubric),
        result=judged.model_dump(mode="json") | (extra or {}),
        passed=judged.passed,
        **fields,
    )


def _stored(session, judged: base.Judgement, extra: dict | None = None) -> Judgement:
    judgement = _unsaved(session, judged, extra)
    judgement.save()
    return judgement


# --- Scripted practice: the author's scores ---------------------------------------------------


@dataclass
class _Scored:
    """A learner turn that picked a scripted choice, with the node it was picked at."""

    turn: object
    node: object
    choice: object


def _scored_turns(session: PracticeSession) -> list[_Scored]:
    script = session.script
    scored = []
    for turn in session.turns.filter(speaker=Speaker.LEARNER).exclude(choice=""):
        node = script.nodes.get(turn.node)
        choice = node.choice(turn.choice) if node else None
        if choice is not None:
            scored.append(_Scored(turn, node, choice))
    return scored


def _better_choice(item: _Scored):
    """The node's best-scored choice when it is better than the one made, else None."""
    best = item.node.best_choice()
    if best is None or best.id == item.choice.id or item.choice.quality is None:
        return None
    return best if best.quality > item.choice.quality else None


def scripted_judgement(session: PracticeSession, rubric: RubricSpec) -> base.Judgement:
    """The levels the scenario's author gave the choices the learner made, per criterion the
    rounded mean; quoted are the moments that explain the level (the weakest when it is low)."""
    found: dict[str, list[tuple[int, _Scored]]] = {}
    for item in _scored_turns(session):
        for key, level in item.choice.scores.items():
            found.setdefault(key, []).append((level, item))
    scores = {}
    for key, items in found.items():
        level = math.floor(sum(level for level, _item in items) / len(items) + 0.5)
        items.sort(key=lambda pair: pair[0], reverse=level >= 3)
        better = next((b for _level, i in items if (b := _better_choice(i)) is not None), None)
        scores[key] = base.CriterionScore(
            level=level,
            evidence=[i.turn.text.strip("「」") for _level, i in items[:2]],
            comment=items[0][1].choice.feedback,
            better_line=better.text if better is not None and level < 4 else "",
            rules=[
                base.RuleHit(
                    rule=SCRIPTED_RULE,
                    label=SCRIPTED_RULE_LABEL,
                    turn=i.turn.index,
                    quote=i.turn.text,
                )
                for _level, i in sorted(items, key=lambda pair: pair[1].turn.index)
            ],
        )
    return base.Judgement.of(rubric, base.JudgeKind.SCRIPTED, scores)


def weakest_moments(session: PracticeSession, limit: int = MOMENTS) -> list[dict]:
    """The turns where a better choice was on offer, biggest gap first, with that choice."""
    moments = []
    for item in _scored_turns(session):
        best = _better_choice(item)
        if best is None:
            continue
        moments.append(
            {
                "turn": item.turn.index,
                "persona_said": item.node.line,
                "you_said": item.turn.text,
                "feedback": item.choice.feedback,
                "better": best.text,
                "why_better": best.feedback,
                "gap": best.quality - item.choice.quality,
            }
        )
    moments.sort(key=lambda m: -m["gap"])
    return moments[:limit]


# --- Peer practice: the observer's form ----------------------------------------------------


def observer_judgement(session: PracticeSession, rubric: RubricSpec) -> Judgement | None:
    """The observer's scores as an `observer` judgement (not stored), or None if none came."""
    score = session.scores.filter(source=ScoreSource.PEER).first()
    if score is None:
        return None
    scores = {
        key: base.CriterionScore(
            level=given.get("level"),
            evidence=given.get("evidence") or [],
            comment=given.get("comment") or "",
        )
        for key, given in score.scores.items()
        if key in rubric.keys
    }
    judged = base.Judgement.of(rubric, base.JudgeKind.OBSERVER, scores)
    return _unsaved(session, judged, {"comment": score.comment}, by_id=score.scorer_id)


# --- Judging an ended session --------------------------------------------------------------


def judge_session(session: PracticeSession) -> list[Judgement]:
    """Store the judgements an ended session gets without a person; return those it added.

    Idempotent: under the session's lock, each kind is written only if the session does not
    have it yet, so a second `session_ended` (or a debrief read racing the signal) adds
    nothing. An active session is left alone.
    """
    rubric = rubric_of(session)
    added = []
    with locked(session.pk) as current:
        if current.is_active:
            return []
        have = set(current.judgements.values_list("judge", flat=True))
        if current.mode == Mode.SCRIPTED:
            if JudgeKind.SCRIPTED not in have:
                judged = scripted_judgement(current, rubric)
                added.append(_stored(current, judged, extra={"moments": weakest_moments(current)}))
            typed = judges.transcript_of(current, free_text_only=True)
            if JudgeKind.HEURISTIC not in have and any(
                t.speaker == Speaker.LEARNER for t in typed.turns
            ):
                added.append(_stored(current, judges.assess(typed, rubric)))
        elif current.mode == Mode.LLM:
            if JudgeKind.HEURISTIC not in have:
                added.append(_stored(current, judges.assess(judges.transcript_of(current), rubric)))
            if JudgeKind.LLM not in have and llm.is_configured():
                pending = Judgement.objects.create(
                    session=current,
                    judge=JudgeKind.LLM,
                    rubric=rubric_key(rubric.key),
                    status=JudgementStatus.PENDING,
                )
                added.append(pending)
                transaction.on_commit(partial(tasks.judge_with_model.enqueue, pending.pk))
        elif JudgeKind.OBSERVER not in have:
            observed = observer_judgement(current, rubric)
            if observed is not None:
                observed.save()
                added.append(observed)
    return added


def run_model_judge(judgement_pk: int) -> str:
    """Complete a pending `llm` judgement (the background task's body); return its status.

    The model is asked outside any lock or transaction: it may take long. Its answer is
    stored only if the judgement is still pending when the lock is taken again.
    """
    judgement = Judgement.objects.select_related("session").filter(pk=judgement_pk).first()
    if judgement is None or judgement.status != JudgementStatus.PENDING:
        return judgement.status if judgement else "missing"
    session = judgement.session
    try:
        judged = llm_judge.assess(
            judges.transcript_of(session),
            rubric_of(session),
            timeout=settings.YORISOI_JUDGE_TIMEOUT,
        )
    except Exception:
        # A bug, not a model failure: the judgement must not stay "being judged" for ever.
        _finish(judgement_pk, status=JudgementStatus.FAILED, error="internal")
        raise
    if judged.error:
        return _finish(judgement_pk, status=JudgementStatus.FAILED, error=judged.error)
    return _finish(
        judgement_pk,
        status=JudgementStatus.DONE,
        result=judged.model_dump(mode="json"),
        passed=judged.passed,
    )


def _finish(judgement_pk: int, **fields) -> str:
    judgement = Judgement.objects.get(pk=judgement_pk)
    with locked(judgement.session_id):
        judgement = Judgement.objects.get(pk=judgement_pk)
        if judgement.status != JudgementStatus.PENDING:
            return judgement.status
        for name, value in fields.items():
            setattr(judgement, name, value)
        judgement.save()
    return judgement.status


def retry_model_judge(session: PracticeSession) -> Judgement:
    """Ask the model again for a session whose `llm` judgement failed."""
    with locked(session.pk) as current:
        judgement = current.judgements.filter(judge=JudgeKind.LLM).first()
        if judgement is None or judgement.status != JudgementStatus.FAILED:
            raise JudgingError(_("There is no failed judgement to retry."), code="not_failed")
        if not llm.is_configured():
            raise JudgingError(_("No AI model is set up on this site."), code="llm_unavailable")
        judgement.status, judgement.error = JudgementStatus.PENDING, ""
        judgement.save(update_fields=["status", "error", "updated_at"])
        transaction.on_commit(partial(tasks.judge_with_model.enqueue, judgement.pk))
    return judgement


# --- Self-assessment ------------------------------------------------------------------------


def masked_judgement(judged: base.Judgement, fiction: str) -> base.Judgement:
    """People write quickly and may use real names: their notes are masked like turns."""

    def clean(text: str) -> str:
        return mask(text, fiction=fiction).masked if text else text

    scores = {
        key: score.model_copy(
            update={
                "evidence": [clean(quote) for quote in score.evidence],
                "comment": clean(score.comment),
                "better_line": clean(score.better_line),
            }
        )
        for key, score in judged.scores.items()
    }
    return judged.model_copy(update={"scores": scores})


def save_self_assessment(session: PracticeSession, user, form) -> Judgement:
    """The learner rates their own ended session on the rubric form; a second submission
    replaces the first. Raises `manual.FormError` listing every problem of the form."""
    if session.user_id != user.pk:
        raise JudgingError(_("Only the learner assesses themselves."), code="not_found")
    rubric = rubric_of(session)
    judged = masked_judgement(
        manual.from_form(rubric, form, judge=base.JudgeKind.SELF), session.fiction()
    )
    with locked(session.pk) as current:
        if current.is_active:
            raise JudgingError(_("Finish the practice before assessing it."), code="not_ended")
        judgement, _created = Judgement.objects.update_or_create(
            session=current,
            judge=JudgeKind.SELF,
            defaults={
                "by": user,
                "rubric": rubric_key(judged.rubric),
                "result": judged.model_dump(mode="json"),
                "passed": judged.passed,
            },
        )
    return judgement


def primary_judgement(mode: str, judgements: Iterable[Judgement]) -> Judgement | None:
    """The judgement a session's debrief leads with: the author's choice scores in scripted
    practice, the observer's in peer practice, else the model's once done (the rules' until
    then)."""
    by_kind = {j.judge: j for j in judgements}
    if mode == Mode.SCRIPTED:
        return by_kind.get(JudgeKind.SCRIPTED)
    if mode == Mode.PEER:
        return by_kind.get(JudgeKind.OBSERVER)
    model = by_kind.get(JudgeKind.LLM)
    if model is not None and model.status == JudgementStatus.DONE:
        return model
    return by_kind.get(JudgeKind.HEURISTIC)
