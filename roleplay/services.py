"""Practice workflows: start, take a turn, reply (scripted or AI), retry, end, debrief, branch.

The order inside a turn is the promise we make to learners: their words are masked and
committed first, in their own transaction; only then is a reply produced. Whatever happens to
the reply, the learner's turn is already safe, and a failed reply is a pending turn that can
be asked for again.
"""

import difflib
import logging
import math
import re
import secrets
import time
from collections.abc import Generator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Audience, Enrollment, HoursEntry, HoursSource

from . import llm, prompts
from .models import (
    Mode,
    PracticeSession,
    Scenario,
    ScoreSource,
    SessionScore,
    SessionStatus,
    Speaker,
    Turn,
    script_from_data,
)
from .privacy import mask
from .scripts import STANDARD_RUBRIC, Choice

log = logging.getLogger(__name__)

# Below this similarity a typed line is too far from every choice to pick one for the learner.
MATCH_THRESHOLD = 0.25
WITHHELD_LINE = "……（この返答は表示できないため、差し替えました）"
NO_OCCASION = "この会話では、この観点が表れる場面がありませんでした。"


class PracticeError(Exception):
    """A request we refuse, with a message for the learner and an HTTP status for the API."""

    def __init__(self, message: str, status: int = 400, code: str = "invalid"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


@dataclass
class Submitted:
    turn: Turn
    notice: str = ""
    matched: Choice | None = None


# --- Starting -----------------------------------------------------------------------------


def available_modes() -> list[str]:
    """The modes a learner can start now; the AI partner only when a model is configured."""
    modes = [Mode.SCRIPTED.value]
    if llm.is_configured():
        modes.append(Mode.LLM.value)
    modes.append(Mode.PEER.value)
    return modes


def start_session(user, scenario: Scenario, mode: str) -> PracticeSession:
    if mode not in Mode.values:
        raise PracticeError(_("Choose scripted, AI partner or peer practice."))
    if not scenario.live:
        raise PracticeError(_("This scenario is not published."), status=404, code="not_found")
    if mode == Mode.LLM and not llm.is_configured():
        raise PracticeError(
            _(
                "No AI partner is set up on this site, so this scenario can be practised in "
                "scripted mode or with colleagues. Your administrator can connect a model."
            ),
            status=409,
            code="llm_unavailable",
        )
    data = scenario.as_data()
    script = script_from_data(data)
    with transaction.atomic():
        session = PracticeSession.objects.create(
            user=user,
            scenario=scenario,
            scenario_data=data,
            mode=mode,
            node=script.start,
            state=script.initial_state(),
            peer_code=secrets.token_urlsafe(9) if mode == Mode.PEER else "",
        )
        if mode != Mode.PEER:
            Turn.objects.create(
                session=session,
                index=0,
                speaker=Speaker.PERSONA,
                text=script.nodes[script.start].line,
                node=script.start,
                state_after=session.state,
            )
    return session


# --- Learner turns ------------------------------------------------------------------------


def _fiction(data: dict) -> str:
    """All of a scenario's own text: names in it are the exercise's invented people."""
    persona = data["persona"]
    parts = [persona.get("name", ""), persona.get("family", ""), data.get("brief", "")]
    parts += [n["line"] for n in data["nodes"]]
    return "\n".join(parts)


def _normalise(text: str) -> str:
    return re.sub(r"[\s「」『』、。！？!?,.…・ー〜]", "", text)


def nearest_choice(text: str, choices: list[Choice]) -> tuple[Choice | None, float]:
    """The scripted choice closest in wording to what the learner typed."""
    typed = _normalise(text)
    best, best_score = None, 0.0
    for choice in choices:
        candidate = _normalise(choice.text)
        score = difflib.SequenceMatcher(None, typed, candidate, autojunk=False).ratio()
        bigrams = {typed[i : i + 2] for i in range(len(typed) - 1)}
        theirs = {candidate[i : i + 2] for i in range(len(candidate) - 1)}
        if bigrams and theirs:
            score = max(score, len(bigrams & theirs) / len(bigrams | theirs) * 1.5)
        if score > best_score:
            best, best_score = choice, score
    return best, best_score


def _check_quota(user) -> None:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    ai_today = Turn.objects.filter(
        session__user=user, session__mode=Mode.LLM, created_at__gte=today
    )
    turns = ai_today.filter(speaker=Speaker.LEARNER).count()
    tokens = ai_today.aggregate(t=Sum("prompt_tokens") + Sum("completion_tokens"))["t"] or 0
    if (
        turns >= settings.YORISOI_ROLEPLAY_DAILY_TURNS
        or tokens >= settings.YORISOI_ROLEPLAY_DAILY_TOKENS
    ):
        raise PracticeError(
            _(
                "You have reached today's limit for practice with the AI partner. Scripted "
                "practice is still open, and the limit resets at midnight."
            ),
            status=429,
            code="quota",
        )


def submit(session: PracticeSession, *, text: str | None = None, choice: str | None = None):
    """Save the learner's turn (masked) and return it; the reply comes from `respond`."""
    if not session.is_active:
        raise PracticeError(_("This conversation has ended."), status=409, code="ended")
    if session.mode == Mode.PEER:
        raise PracticeError(_("Peer practice happens in person; there are no typed turns."))
    if (text is None) == (choice is None):
        raise PracticeError(_("Send either something to say or a choice."))
    node = session.current_node()
    matched, notice, masked_types = None, "", []
    if choice is not None:
        if session.mode != Mode.SCRIPTED or node is None:
            raise PracticeError(_("Choices are only offered in scripted mode."))
        matched = next((c for c in node.available(session.state) if c.id == choice), None)
        if matched is None:
            raise PracticeError(_("That choice is not on offer at this point."), code="choice")
        said = matched.text
    else:
        said = text.strip()
        if not said:
            raise PracticeError(_("Write what you would say."))
        limit = settings.YORISOI_ROLEPLAY_MAX_INPUT
        if len(said) > limit:
            raise PracticeError(
                _("Please keep one turn to %(limit)d characters (this one has %(count)d).")
                % {"limit": limit, "count": len(said)},
                code="too_long",
            )
        if session.mode == Mode.LLM:
            _check_quota(session.user)
        result = mask(said, fiction=_fiction(session.scenario_data))
        said, notice = result.masked, result.notice
        masked_types = sorted({f.type for f in result.findings})
        if session.mode == Mode.SCRIPTED:
            matched, score = nearest_choice(said, node.available(session.state) if node else [])
            if matched is None or score < MATCH_THRESHOLD:
                raise PracticeError(
                    _(
                        "We could not tell which choice this is closest to. Pick one of the "
                        "choices, or say it in other words."
                    ),
                    status=422,
                    code="no_match",
                )
    with transaction.atomic():
        locked = PracticeSession.objects.select_for_update().get(pk=session.pk)
        if not locked.is_active:
            raise PracticeError(_("This conversation has ended."), status=409, code="ended")
        # A learner may carry on past a reply that never came; it stays in the transcript.
        locked.turns.filter(pending=True).update(pending=False)
        turn = Turn.objects.create(
            session=locked,
            index=_next_index(locked),
            speaker=Speaker.LEARNER,
            text=said,
            node=locked.node,
            choice=matched.id if matched else "",
            matched=matched is not None and text is not None,
            masked=masked_types,
            state_after=locked.state,
        )
        locked.last_activity_at = timezone.now()
        locked.save(update_fields=["last_activity_at"])
    return Submitted(turn=turn, notice=notice, matched=matched if text is not None else None)


def _next_index(session: PracticeSession) -> int:
    last = session.turns.aggregate(m=Max("index"))["m"]
    return 0 if last is None else last + 1


# --- Replies ------------------------------------------------------------------------------


def respond(session: PracticeSession, learner_turn: Turn) -> Generator[str, None, Turn]:
    """Produce the persona's reply to `learner_turn`, yielding its text as it arrives."""
    if session.mode == Mode.SCRIPTED:
        return (yield from _scripted_reply(session, learner_turn))
    return (yield from _ai_reply(session, None))


def _scripted_reply(session: PracticeSession, learner_turn: Turn):
    script = session.script
    node = script.nodes[learner_turn.node]
    choice = node.choice(learner_turn.choice)
    state = script.apply(session.state, choice.effects)
    taken = session.turns.filter(speaker=Speaker.LEARNER).count()
    target = script.nodes[choice.next]
    if not target.ending:
        target = script.forced_ending(state, taken) or target
    started = time.monotonic()
    yield target.line
    with transaction.atomic():
        learner_turn.state_after = state
        learner_turn.save(update_fields=["state_after"])
        reply = Turn.objects.create(
            session=session,
            index=learner_turn.index + 1,
            speaker=Speaker.PERSONA,
            text=target.line,
            node=target.id,
            state_after=state,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        session.node, session.state = target.id, state
        session.save(update_fields=["node", "state"])
    if target.ending:
        end_session(session, ending=target.ending)
    return reply


def retry(session: PracticeSession) -> Generator[str, None, Turn]:
    """Ask the AI partner again for the reply that is pending (checked before anything runs)."""
    pending = session.turns.filter(pending=True, speaker=Speaker.PERSONA).last()
    if pending is None or not session.is_active:
        raise PracticeError(_("There is no reply waiting to be retried."), status=409)
    _check_quota(session.user)
    return _ai_reply(session, pending)


def _ai_reply(session: PracticeSession, pending: Turn | None):
    data = session.scenario_data
    # Only the turns the prompt will carry are read, so a long transcript costs no more.
    recent = (
        session.turns.exclude(pk=pending.pk if pending else None)
        .exclude(speaker=Speaker.PERSONA, pending=True)
        .exclude(text="")
        .order_by("-index")
        .values("speaker", "text")[: prompts.HISTORY_TURNS]
    )
    history = list(reversed(recent))
    deadline = llm.Deadline(settings.YORISOI_LLM_TIMEOUT)
    started = time.monotonic()
    usage = llm.Usage()
    secrets_ = [session.canary, *data.get("hidden_facts", ())]
    failure = None
    for _attempt in range(2):
        guard = prompts.LeakGuard(secrets_)
        try:
            stream = llm.stream_text(
                prompts.persona_messages(data, session.state, session.canary, history), deadline
            )
            usage.add((yield from _forward(stream, guard)))
            rest = guard.finish()
            if rest:
                yield rest
            text = WITHHELD_LINE if guard.leaked else guard.text.strip()
            if not text:
                raise llm.LLMFailure("malformed", "an empty reply")
            spoken = [*history, {"speaker": Speaker.PERSONA, "text": text}]
            changes = _state_changes(data, session.state, spoken, deadline, usage)
            failure = None
            break
        except llm.LLMFailure as exc:
            failure = exc
            # The code only: learner text and replies never go to the logs.
            log.warning("AI partner reply failed (session %s): %s", session.pk, exc.code)
            # Once words have reached the learner, a second attempt would show two replies.
            if guard.released or not exc.retryable or deadline.remaining() <= 1:
                break
    duration = int((time.monotonic() - started) * 1000)
    if failure is not None:
        return _save_pending(session, pending, failure.code, duration, usage)
    state = session.script.apply(session.state, changes)
    return _save_reply(session, pending, text, state, duration, usage, guard.leaked)


def _forward(stream, guard: prompts.LeakGuard):
    """Relay the model's stream through the leak guard; return the call's Usage."""
    while True:
        try:
            delta = next(stream)
        except StopIteration as stop:
            return stop.value or llm.Usage()
        visible = guard.feed(delta)
        if visible:
            yield visible


def _state_changes(data, state, turns, deadline, usage) -> dict[str, int]:
    """The state changes for the new reply; an unreadable answer is asked for once more."""
    messages = prompts.state_messages(data, state, turns)
    schema = prompts.state_schema(data)
    for attempt in range(2):
        try:
            raw, used = llm.structured(messages, "state_changes", schema, deadline)
            usage.add(used)
            return prompts.validate_state_changes(data, raw)
        except (ValueError, llm.LLMFailure) as exc:
            unreadable = isinstance(exc, ValueError) or exc.code == "malformed"
            if attempt == 1 or not unreadable:
                if isinstance(exc, llm.LLMFailure):
                    raise
                raise llm.LLMFailure("malformed", "state changes off the schema") from None
    raise AssertionError("unreachable")


def _save_pending(session, pending, code, duration, usage) -> Turn:
    fallback = session.scenario_data.get("fallback_line", "")
    with transaction.atomic():
        if pending is None:
            pending = Turn(
                session=session,
                index=_next_index(session),
                speaker=Speaker.PERSONA,
                node=session.node,
                state_after=session.state,
            )
        pending.text, pending.pending, pending.error = fallback, True, code
        pending.duration_ms, pending.model = duration, llm.model_name()
        pending.prompt_tokens += usage.prompt_tokens
        pending.completion_tokens += usage.completion_tokens
        pending.save()
    return pending


def _save_reply(session, pending, text, state, duration, usage, withheld) -> Turn:
    with transaction.atomic():
        turn = pending or Turn(session=session, index=_next_index(session), node=session.node)
        turn.speaker, turn.text, turn.state_after = Speaker.PERSONA, text, state
        turn.pending, turn.error = False, "withheld" if withheld else ""
        turn.duration_ms, turn.model = duration, llm.model_name()
        turn.prompt_tokens += usage.prompt_tokens
        turn.completion_tokens += usage.completion_tokens
        turn.save()
        session.state = state
        session.save(update_fields=["state"])
    script = session.script
    taken = session.turns.filter(speaker=Speaker.LEARNER).count()
    ending = script.forced_ending(state, taken)
    if ending is not None:
        end_session(session, ending=ending.ending)
    return turn


# --- Ending, scores and debrief -----------------------------------------------------------


def end_session(session: PracticeSession, *, ending: str = "") -> PracticeSession:
    """Close the conversation, score what can be scored, credit the practice time. Idempotent."""
    with transaction.atomic():
        locked = PracticeSession.objects.select_for_update().get(pk=session.pk)
        if locked.status == SessionStatus.ENDED:
            return locked
        locked.status, locked.ending = SessionStatus.ENDED, ending
        locked.ended_at = timezone.now()
        if locked.mode == Mode.SCRIPTED:
            SessionScore.objects.create(
                session=locked, source=ScoreSource.SCRIPTED, scores=score_from_choices(locked)
            )
        locked.hours_entry = _credit_practice(locked)
        locked.save()
    session.refresh_from_db()
    return session


def _credit_practice(session: PracticeSession) -> HoursEntry | None:
    """Credit the minutes actually spent, capped, to the course the learner is training for."""
    if session.mode != Mode.PEER and not session.turns.filter(speaker=Speaker.LEARNER).exists():
        return None
    end = session.ended_at if session.mode == Mode.PEER else session.last_activity_at
    seconds = (end - session.started_at).total_seconds()
    minutes = min(max(1, math.ceil(seconds / 60)), settings.YORISOI_ROLEPLAY_MAX_MINUTES)
    role = session.scenario_data.get("learner_role")
    enrollment = (
        Enrollment.objects.filter(user=session.user)
        .filter(Q(course__audience=role) | Q(course__audience=Audience.ALL))
        .order_by("-enrolled_at")
        .first()
        or Enrollment.objects.filter(user=session.user).order_by("-enrolled_at").first()
    )
    if enrollment is None:
        return None
    return HoursEntry.objects.create(
        user=session.user,
        course=enrollment.course,
        minutes=minutes,
        source=HoursSource.ROLEPLAY,
        reason=session.scenario_data.get("title", "")[:300],
        created_by=session.user,
    )


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


def debrief(session: PracticeSession) -> dict:
    data = session.scenario_data
    turns = list(session.turns.all())
    script = session.script
    curve = [{"turn": 0, **script.initial_state()}] + [
        {"turn": t.index, **t.state_after}
        for t in turns
        if t.speaker == Speaker.PERSONA and t.index
    ]
    score = session.scores.first()
    ending = next((n for n in script.endings if n.ending == session.ending), None)
    if session.node in script.nodes and script.nodes[session.node].ending:
        ending = script.nodes[session.node]
    return {
        "ending": {"kind": ending.ending, "summary": ending.summary} if ending else None,
        "variables": [
            {"key": v.key, "label": v.label, "min": v.minimum, "max": v.maximum}
            for v in script.variables
        ],
        "state_curve": curve,
        "scores": score.scores if score else None,
        "scored_by": score.source if score else None,
        "comment": score.comment if score else "",
        "criterion_labels": {key: label for key, label, _text in rubric_criteria(data)},
        "moments": weakest_moments(session) if session.mode == Mode.SCRIPTED else [],
        "model_lines": data.get("model_lines") or [],
        "minutes_credited": session.hours_entry.minutes if session.hours_entry else 0,
    }


def rubric_criteria(data: dict) -> list[tuple[str, str, str]]:
    """(key, label, what it looks for) of every criterion a session is scored on."""
    rubric = data.get("rubric") or {}
    criteria = []
    if rubric.get("standard", True):
        criteria += [(key, *text) for key, text in STANDARD_RUBRIC.items()]
    for criterion in rubric.get("criteria") or ():
        criteria.append((criterion["key"], criterion["label"], criterion.get("description", "")))
    return criteria


# --- Branching and peer practice ----------------------------------------------------------


def branch(session: PracticeSession, user, turn_index: int) -> PracticeSession:
    """A new session that replays `session` up to the learner turn `turn_index` and lets the
    learner say something else there ("what if I had said…")."""
    target = session.turns.filter(index=turn_index, speaker=Speaker.LEARNER).first()
    if target is None:
        raise PracticeError(_("Pick one of your own turns to try again from."), status=404)
    before = list(session.turns.filter(index__lt=turn_index))
    state = before[-1].state_after if before else session.script.initial_state()
    with transaction.atomic():
        new = PracticeSession.objects.create(
            user=user,
            scenario=session.scenario,
            scenario_data=session.scenario_data,
            mode=session.mode,
            node=target.node,
            state=state,
            branched_from=session,
        )
        Turn.objects.bulk_create(
            Turn(
                session=new,
                index=t.index,
                speaker=t.speaker,
                text=t.text,
                node=t.node,
                choice=t.choice,
                matched=t.matched,
                masked=t.masked,
                state_after=t.state_after,
                created_at=t.created_at,
                model=t.model,
            )
            for t in before
            if not t.pending
        )
    return new


def record_peer_scores(session: PracticeSession, observer, scores: dict, comment: str):
    """The observer's rubric form: becomes the session's assessment and ends the session."""
    if session.mode != Mode.PEER:
        raise PracticeError(_("Only peer practice has an observer."))
    if observer.pk == session.user_id:
        raise PracticeError(_("The observer must be someone other than the learner."), status=403)
    fiction = _fiction(session.scenario_data)

    def masked(text: str, limit: int) -> str:
        # Observers write quickly and may use real names: their notes are masked like turns.
        return mask(text.strip()[:limit], fiction=fiction).masked

    clean = {}
    for key in session.script.criteria:
        raw = scores.get(key) or {}
        level = raw.get("level")
        if level not in (None, 1, 2, 3, 4):
            raise PracticeError(_("Levels are 1 to 4, or blank when there was no occasion."))
        evidence = [e for e in raw.get("evidence", []) if e.strip()][:3]
        clean[key] = {
            "level": level,
            "evidence": [masked(e, 300) for e in evidence],
            "comment": masked(raw.get("comment") or "", 500),
        }
    with transaction.atomic():
        SessionScore.objects.create(
            session=session,
            source=ScoreSource.PEER,
            scorer=observer,
            scores=clean,
            comment=masked(comment, 2000),
        )
        end_session(session)
    session.refresh_from_db()
    return session


def drain(reply: Generator[str, None, Turn]) -> Turn:
    """Run a reply to the end without streaming it; return the persona's turn."""
    while True:
        try:
            next(reply)
        except StopIteration as stop:
            return stop.value
