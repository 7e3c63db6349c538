"""Practice workflows: start, take a turn, retry a reply, end, branch, and the observer's scores.

The order inside a turn is the promise we make to learners: their words are masked and
committed first; only then is a reply produced. Whatever happens to the reply, the learner's
turn is already safe, and a failed reply is a pending turn that can be asked for again.

Every workflow that changes a session takes the session's row lock first and decides on what
it reads from the locked row, then writes (as pretix's order services do), so two tabs or a
double click can never write twice. The AI partner's reply loop is in `partner`, feedback in
`debrief`; sessions are judged by the assessments app when `session_ended` tells it.
"""

import difflib
import re
import secrets
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import HoursEntry
from courses.services import credit_practice, display_name
from yorisoi.db import one_writer_on_sqlite

from . import llm, partner, prompts
from .models import (
    AIUsage,
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
from .replies import Reply
from .scripts import Choice, Node
from .signals import session_ended

# Below this similarity a typed line is too far from every choice to pick one for the learner.
MATCH_THRESHOLD = 0.25
# The error code of a reply turn the AI partner is still producing.
IN_PROGRESS = "in_progress"
# The error code of a reply that broke off after the learner had read its first words.
INCOMPLETE = "incomplete"
# A reply still in progress this long after the turn's deadline was lost with its process.
LOST_AFTER = timedelta(seconds=60)
LEVELS = (None, 1, 2, 3, 4)


class PracticeError(Exception):
    """A request we refuse: a message for the learner, and a code (the API maps codes to
    HTTP statuses in one table)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class Submitted:
    session: PracticeSession
    turn: Turn
    reply: Reply
    notice: str = ""
    matched: Choice | None = None


@contextmanager
def locked(session: "PracticeSession | int", *, user=None) -> Iterator[PracticeSession]:
    """The session's row, locked until the transaction ends: take it first, then decide.
    Given the session itself, the row read again takes its scenario snapshot from it, read,
    decoded and parsed already (the snapshot never changes once the session has started).
    Given an id and the `user` it must belong to, the row is read once, whole, and a session
    of anyone else is not found."""
    known = session if isinstance(session, PracticeSession) else None
    rows = PracticeSession.objects.select_for_update()
    if known is not None:
        rows = rows.defer("scenario_data")
    if user is not None:
        rows = rows.filter(user=user)
    with one_writer_on_sqlite(), transaction.atomic():
        current = rows.filter(pk=getattr(session, "pk", session)).first()
        if current is None:
            raise PracticeError(_("Not found."), code="not_found")
        if known is not None:
            current.scenario_data = known.scenario_data
            current.share_parsed(known)
        yield current


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
        raise PracticeError(_("This scenario is not published."), code="not_found")
    if mode == Mode.LLM and not llm.is_configured():
        raise PracticeError(
            _(
                "No AI partner is set up on this site, so this scenario can be practised in "
                "scripted mode or with colleagues. Your administrator can connect a model."
            ),
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


def _reserve_quota(user_id: int, reserve: int, *, turn: bool) -> date:
    """Reserve a reply's most possible tokens (`reserve`) and, for a learner's turn, the turn
    in the learner's row of today's AI use, or refuse when either would pass today's quota.
    The row stays locked until the reply's turn is saved, so two sessions of one learner cannot
    both spend the last of it. Returns the row's day, for the reply to settle its real usage
    in the same row after midnight too."""
    today = timezone.localdate()
    room = Q(
        turns__lt=settings.YORISOI_ROLEPLAY_DAILY_TURNS,
        tokens__lte=settings.YORISOI_ROLEPLAY_DAILY_TOKENS - reserve,
    )
    spend = {"turns": F("turns") + int(turn), "tokens": F("tokens") + reserve}
    today_with_room = AIUsage.objects.filter(room, user_id=user_id, day=today)
    # One UPDATE: it locks the row and checks the room under that lock (PostgreSQL checks
    # the condition again on a row it had to wait for). Only when it changes nothing, on the
    # day's first turn or when the room is gone, is the row made if missing and asked again.
    if not today_with_room.update(**spend):
        AIUsage.objects.select_for_update().get_or_create(user_id=user_id, day=today)
        if not today_with_room.update(**spend):
            raise PracticeError(
                _(
                    "You have reached today's limit for practice with the AI partner. Scripted "
                    "practice is still open, and the limit resets at midnight."
                ),
                code="quota",
            )
    return today


def _reply_on_its_way() -> PracticeError:
    return PracticeError(_("A reply is on its way."), code="reply_in_progress")


def _check_open(current: PracticeSession) -> Turn | None:
    """Refuse a turn or a retry on an ended session, or while a reply is being produced.
    Returns the session's last turn, which the caller goes on from."""
    if not current.is_active:
        raise PracticeError(_("This conversation has ended."), code="ended")
    last = current.turns.order_by("-index").first()
    if last is None or last.error != IN_PROGRESS:
        return last
    lost_at = current.last_activity_at + timedelta(seconds=settings.YORISOI_LLM_TIMEOUT)
    if timezone.now() < lost_at + LOST_AFTER:
        raise _reply_on_its_way()
    # The process producing it ended without saving: it is a pending reply like any other.
    last.text, last.error = current.scenario_data.get("fallback_line", ""), "lost"
    last.save(update_fields=["text", "error"])
    return last


def _mask_text(session: PracticeSession, text: str):
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
    return mask(said, fiction=session.fiction())


def _pick(current: PracticeSession, choice_id: str | None, said: str | None) -> Choice:
    """The scripted choice a turn makes at the locked session's node."""
    node = current.current_node()
    offered = node.available(current.state) if node else []
    if choice_id is not None:
        matched = next((c for c in offered if c.id == choice_id), None)
        if matched is not None:
            return matched
        last = current.turns.filter(speaker=Speaker.LEARNER).order_by("-index").first()
        answered = current.script.nodes.get(last.node) if last else None
        # A choice from the point the learner just answered is that answer sent twice.
        if answered is not None and answered is not node and answered.choice(choice_id):
            raise _reply_on_its_way()
        raise PracticeError(_("That choice is not on offer at this point."), code="choice")
    matched, score = nearest_choice(said, offered)
    if matched is None or score < MATCH_THRESHOLD:
        raise PracticeError(
            _(
                "We could not tell which choice this is closest to. Pick one of the "
                "choices, or say it in other words."
            ),
            code="no_match",
        )
    return matched


def submit(
    session: PracticeSession | int,
    *,
    text: str | None = None,
    choice: str | None = None,
    user=None,
) -> Submitted:
    """Save the learner's turn (masked) and start the reply, returned as `Submitted.reply`.

    `session` is the session, or its id with the `user` it must belong to (the API: the row is
    then read once, under its lock, instead of once to check it and again to lock it).
    `Submitted.session` is the session as the turn left it, which the reply keeps up to date.

    Scripted: the reply is written with the turn, under the same lock. AI partner: the reply
    turn is reserved as in progress; iterating or closing the Reply produces and saves it.
    """
    if (text is None) == (choice is None):
        raise PracticeError(_("Send either something to say or a choice."))
    with locked(session, user=user) as current:
        if current.mode == Mode.PEER:
            raise PracticeError(_("Peer practice happens in person; there are no typed turns."))
        if choice is not None and current.mode != Mode.SCRIPTED:
            raise PracticeError(_("Choices are only offered in scripted mode."))
        target = session if isinstance(session, PracticeSession) else current
        said, notice, masked_types = None, "", []
        if text is not None:
            result = _mask_text(current, text)
            said, notice = result.masked, result.notice
            masked_types = sorted({f.type for f in result.findings})
        last = _check_open(current)
        # A learner may carry on past a reply that never came; it stays in the transcript. Only
        # the last turn can be pending: every turn clears them, and a reply is reserved after.
        if last is not None and last.pending:
            current.turns.filter(pending=True).update(pending=False)
        matched, prompt, usage_day = None, None, None
        hold = llm.Usage()
        state = current.state
        if current.mode == Mode.SCRIPTED:
            matched = _pick(current, choice, said)
            state = current.script.apply(current.state, matched.effects)
        else:
            hold, prompt = _budget(current, said=said)
            usage_day = _reserve_quota(current.user_id, hold.total, turn=True)
        turn = Turn(
            session=current,
            index=0 if last is None else last.index + 1,
            speaker=Speaker.LEARNER,
            text=matched.text if choice is not None else said,
            node=current.node,
            choice=matched.id if matched else "",
            matched=matched is not None and text is not None,
            masked=masked_types,
            state_after=state,
        )
        current.last_activity_at = timezone.now()
        current.learner_turns += 1
        ending = None
        if current.mode == Mode.SCRIPTED:
            answer, ending = _scripted_reply(current, turn, matched)
            reply = Reply.saved(answer)
        else:
            answer = _reserve_reply(current, turn.index + 1, hold)
            reply = Reply(_ai_reply(target, answer, hold, prompt, usage_day))
        # The learner's turn and the reply's (written, or reserved) go in one insert.
        Turn.objects.bulk_create([turn, answer])
        if ending is not None:
            _end(current, ending, credit_by=current.user)
        else:
            current.save(update_fields=["last_activity_at", "learner_turns", "node", "state"])
    _as_saved(target, current)
    return Submitted(
        session=target,
        turn=turn,
        reply=reply,
        notice=notice,
        matched=matched if text is not None else None,
    )


def _as_saved(session: PracticeSession, current: PracticeSession) -> None:
    """Bring `session` up to date with the locked row as the workflow saved it, instead of
    reading the row again. A changed relation (the practice-hours entry) is read when used."""
    session.share_parsed(current)
    for field in PracticeSession._meta.concrete_fields:
        value = getattr(current, field.attname)
        changed = getattr(session, field.attname) != value
        if field.is_relation and changed and field.is_cached(session):
            field.delete_cached_value(session)
        setattr(session, field.attname, value)


# --- Replies ------------------------------------------------------------------------------


def _scripted_reply(
    current: PracticeSession, learner_turn: Turn, choice: Choice
) -> tuple[Turn, Node | None]:
    """The script's reply to `choice` (not saved yet), moving the locked session to it, and
    the ending the reply reaches, if any. The learner's turn holds the state `choice` led to."""
    script = current.script
    state = learner_turn.state_after
    target = script.nodes[choice.next]
    if not target.ending:
        target = script.forced_ending(state, current.learner_turns) or target
    reply = Turn(
        session=current,
        index=learner_turn.index + 1,
        speaker=Speaker.PERSONA,
        text=target.line,
        node=target.id,
        state_after=state,
    )
    current.node, current.state = target.id, state
    return reply, target if target.ending else None


def _reserve_reply(current: PracticeSession, index: int, hold: llm.Usage) -> Turn:
    """The reply turn (not saved yet), in progress, holding the reply's quota reservation as
    its tokens until the real usage is known. A reply lost with its process keeps the
    reservation."""
    return Turn(
        session=current,
        index=index,
        speaker=Speaker.PERSONA,
        node=current.node,
        state_after=current.state,
        pending=True,
        error=IN_PROGRESS,
        prompt_tokens=hold.prompt_tokens,
        completion_tokens=hold.completion_tokens,
    )


def _history(session: PracticeSession) -> list[dict]:
    """The turns a persona prompt carries: not pending ones (nor, so, a reply being retried)."""
    # Only the turns the prompt will carry are read, so a long transcript costs no more.
    recent = (
        session.turns.exclude(speaker=Speaker.PERSONA, pending=True)
        .exclude(text="")
        .order_by("-index")
        .values("speaker", "text")[: prompts.HISTORY_TURNS]
    )
    return list(reversed(recent))


def _budget(current: PracticeSession, *, said: str | None = None):
    """The quota to reserve for the next reply, and its prompt with the turns it carries (read
    once, under the lock), `said` being the learner turn about to join."""
    history = _history(current)
    if said is not None:
        history.append({"speaker": Speaker.LEARNER.value, "text": said})
    prompt = partner.prompt_for(current.data, current.state, current.canary, history)
    return partner.budget(current.data, current.state, prompt), prompt


def retry(session: PracticeSession) -> Reply:
    """Ask the AI partner again for the pending reply (checked, and marked in progress, before
    any model is called)."""
    with locked(session) as current:
        last = _check_open(current)
        if last is None or not last.pending or last.speaker != Speaker.PERSONA:
            raise PracticeError(_("There is no reply waiting to be retried."), code="not_pending")
        hold, prompt = _budget(current)
        usage_day = _reserve_quota(current.user_id, hold.total, turn=False)
        last.error = IN_PROGRESS
        last.prompt_tokens += hold.prompt_tokens
        last.completion_tokens += hold.completion_tokens
        last.save(update_fields=["error", "prompt_tokens", "completion_tokens"])
        current.last_activity_at = timezone.now()
        current.save(update_fields=["last_activity_at"])
    _as_saved(session, current)
    return Reply(_ai_reply(session, last, hold, prompt, usage_day))


def _ai_reply(
    session: PracticeSession,
    reserved: Turn,
    hold: llm.Usage,
    prompt: partner.Prompt,
    usage_day: date,
) -> Generator[str, None, Turn]:
    """Produce and save the reply reserved as `reserved`; `prompt` is what it is asked with
    (the turns before it, as `_budget` read them), `usage_day` the day of the AI use holding its
    reservation."""
    try:
        outcome = yield from partner.produce(session.data, session.state, session.canary, prompt)
    except Exception:
        # A bug, not a model failure: it surfaces, and the learner can still ask again.
        _save_outcome(session, reserved, partner.Outcome(failure="internal"), hold, usage_day)
        raise
    return _save_outcome(session, reserved, outcome, hold, usage_day)


def _save_outcome(
    session: PracticeSession,
    reserved: Turn,
    outcome: partner.Outcome,
    hold: llm.Usage,
    usage_day: date,
) -> Turn:
    """Save what the partner produced into the reserved turn: the reply; the words the learner
    already read, marked incomplete, when it broke off after them; or the fallback line. The
    reservation gives way to the tokens really spent, which count toward the quota either way.
    Either failure leaves the turn pending, for the learner to ask again."""
    turn = reserved
    with locked(session) as current:
        turn.duration_ms, turn.model = outcome.duration_ms, llm.model_name()
        if outcome.failure:
            if outcome.shown:
                turn.text, turn.error = outcome.shown, INCOMPLETE
            else:
                turn.text = current.scenario_data.get("fallback_line", "")
                turn.error = outcome.failure
            turn.pending = True
        else:
            turn.text = outcome.text
            turn.state_after = current.script.apply(current.state, outcome.changes)
            turn.pending, turn.error = False, "withheld" if outcome.withheld else ""
        # The tokens are set from the row itself: a retry of a reply lost with its process has
        # added its own reservation to the same turn.
        spent = {}
        for name in ("prompt_tokens", "completion_tokens"):
            change = getattr(outcome.usage, name) - getattr(hold, name)
            spent[name] = Greatest(F(name) + change, 0)
            setattr(turn, name, max(0, getattr(turn, name) + change))
        saved = ("text", "error", "pending", "state_after", "duration_ms", "model")
        Turn.objects.filter(pk=turn.pk).update(**{f: getattr(turn, f) for f in saved}, **spent)
        settled = outcome.usage.total - hold.total
        AIUsage.objects.filter(user_id=current.user_id, day=usage_day).update(
            tokens=Greatest(F("tokens") + settled, 0)
        )
        if not outcome.failure and current.is_active:
            if turn.state_after != current.state:
                current.state = turn.state_after
                current.save(update_fields=["state"])
            ending = current.script.forced_ending(current.state, current.learner_turns)
            if ending is not None:
                _end(current, ending, credit_by=current.user)
    _as_saved(session, current)
    return turn


# --- Ending -------------------------------------------------------------------------------


def end_session(session: PracticeSession) -> PracticeSession:
    """The learner stops the conversation. Idempotent. Stopping is not reaching an ending, so
    it credits no practice time (for peer practice, the observer's scores do)."""
    with locked(session) as current:
        if current.is_active:
            _end(current, None, credit_by=None)
    session.refresh_from_db()
    return session


def _end(current: PracticeSession, ending: Node | None, *, credit_by) -> None:
    """Close the locked session; once committed, `session_ended` has it judged. Practice time
    is credited only when something real happened; `credit_by` is who made it happen (None: no
    credit)."""
    current.status, current.ended_at = SessionStatus.ENDED, timezone.now()
    if ending is not None:
        current.node, current.ending = ending.id, ending.ending
    if credit_by is not None:
        current.hours_entry = _credit(current, by=credit_by)
    current.save()
    transaction.on_commit(lambda: session_ended.send(sender=PracticeSession, session=current))


def _credit(current: PracticeSession, *, by) -> HoursEntry | None:
    # Peer practice lasts until the observer's scores; a typed conversation until its last turn.
    ended = current.ended_at if current.mode == Mode.PEER else current.last_activity_at
    return credit_practice(
        current.user,
        audience=current.scenario_data.get("learner_role"),
        started_at=current.started_at,
        ended_at=ended,
        reason=current.scenario_data.get("title", "")[:300],
        by=by,
    )


# --- Branching and peer practice ----------------------------------------------------------


def branch(session: PracticeSession, user, turn_index: int) -> PracticeSession:
    """A new session that replays `session` up to the learner turn `turn_index` and lets the
    learner say something else there ("what if I had said…")."""
    if session.mode == Mode.PEER:
        raise PracticeError(_("Peer practice has no turns to try again from."))
    target = session.turns.filter(index=turn_index, speaker=Speaker.LEARNER).first()
    if target is None:
        raise PracticeError(_("Pick one of your own turns to try again from."), code="not_found")
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
            learner_turns=sum(1 for t in before if t.speaker == Speaker.LEARNER),
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
    """The observer's rubric form: becomes the session's assessment and ends the session.
    One observer scores once: a second submission, or one after the learner ended, is refused."""
    if session.mode != Mode.PEER:
        raise PracticeError(_("Only peer practice has an observer."))
    if observer.pk == session.user_id:
        raise PracticeError(
            _("The observer must be someone other than the learner."), code="not_observer"
        )
    fiction = session.fiction()

    def masked(text: str, limit: int) -> str:
        # Observers write quickly and may use real names: their notes are masked like turns.
        return mask(text.strip()[:limit], fiction=fiction).masked

    clean = {}
    for key in session.script.criteria:
        raw = scores.get(key) or {}
        level = raw.get("level")
        if level not in LEVELS:
            raise PracticeError(_("Levels are 1 to 4, or blank when there was no occasion."))
        evidence = [e for e in raw.get("evidence", []) if e.strip()][:3]
        clean[key] = {
            "level": level,
            "evidence": [masked(e, 300) for e in evidence],
            "comment": masked(raw.get("comment") or "", 500),
        }
    comment = masked(comment, 2000)
    with locked(session) as current:
        if not current.is_active:
            raise PracticeError(_scored_already(current), code="ended")
        SessionScore.objects.create(
            session=current, source=ScoreSource.PEER, scorer=observer, scores=clean, comment=comment
        )
        _end(current, None, credit_by=observer)
    session.refresh_from_db()
    return session


def _scored_already(current: PracticeSession) -> str:
    score = current.scores.filter(source=ScoreSource.PEER).select_related("scorer").first()
    if score is None:
        return _("The learner has ended this practice, so it can no longer be scored.")
    return _("This practice has already been scored by %(name)s; scores cannot be changed.") % {
        "name": display_name(score.scorer) if score.scorer else _("another observer")
    }
