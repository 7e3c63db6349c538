"""The AI partner's reply loop: ask the model, guard what it says, read how the persona moved.

It works on plain data (the scenario snapshot, the state, the recent turns) and touches no
database: saving what it produced is the workflow's job (`services`), so a reply is saved the
same way whether it streamed to the end, failed, or lost its listener half-way.
"""

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass, field

from django.conf import settings

from . import llm, prompts
from .schema import ScenarioData

log = logging.getLogger(__name__)

WITHHELD_LINE = "……（この返答は表示できないため、差し替えました）"
# The state-change answer is a few numbers and a one-line reason.
STATE_MAX_TOKENS = 200


@dataclass
class Outcome:
    """What one attempt at a reply produced: the spoken text and the state changes, or the
    failure code a pending turn keeps; the tokens spent either way. `shown` is what reached
    the learner before a failure, which the turn keeps rather than a fallback line."""

    text: str = ""
    changes: dict[str, int] = field(default_factory=dict)
    failure: str = ""
    withheld: bool = False
    shown: str = ""
    usage: llm.Usage = field(default_factory=llm.Usage)
    duration_ms: int = 0


@dataclass(frozen=True)
class Prompt:
    """What one reply is asked with: the turns it carries, and the persona's messages built
    from them, once (the quota reserved counts them, and the call sends them)."""

    history: list[dict]
    messages: list[dict]


def prompt_for(data: ScenarioData, state: dict, canary: str, history: list[dict]) -> Prompt:
    return Prompt(history, prompts.persona_messages(data, state, canary, history))


def budget(data: ScenarioData, state: dict, prompt: Prompt) -> llm.Usage:
    """The most one reply may cost: the persona call and the state-change call, each at its
    prompt's estimate and its max_tokens. Quota is reserved for it before any call is made."""
    longest = "x" * settings.YORISOI_LLM_MAX_TOKENS
    spoken = [*prompt.history, {"speaker": "persona", "text": longest}]
    return llm.Usage(
        llm.estimate_prompt_tokens(prompt.messages)
        + llm.estimate_prompt_tokens(prompts.state_messages(data, state, spoken)),
        settings.YORISOI_LLM_MAX_TOKENS + STATE_MAX_TOKENS,
    )


def produce(
    data: ScenarioData, state: dict, canary: str, prompt: Prompt
) -> Generator[str, None, Outcome]:
    """Yield the persona's reply as it arrives; return the Outcome. Model failures end in an
    Outcome with a failure code; anything else is a bug and propagates."""
    deadline = llm.Deadline(settings.YORISOI_LLM_TIMEOUT)
    started = time.monotonic()
    outcome = Outcome()
    secrets = prompts.secrets(data, canary)
    for _attempt in range(2):
        guard = prompts.LeakGuard(secrets)
        try:
            stream = llm.stream_text(
                prompt.messages,
                deadline,
                max_tokens=settings.YORISOI_LLM_MAX_TOKENS,
            )
            outcome.usage.add((yield from _forward(stream, guard)))
            rest = guard.finish()
            if rest:
                yield rest
            text = WITHHELD_LINE if guard.leaked else guard.text.strip()
            if not text:
                raise llm.LLMFailure("malformed", "an empty reply")
            spoken = [*prompt.history, {"speaker": "persona", "text": text}]
            outcome.changes = _state_changes(data, state, spoken, deadline, outcome.usage)
            outcome.text, outcome.withheld, outcome.failure = text, guard.leaked, ""
            break
        except llm.LLMFailure as exc:
            outcome.failure = exc.code
            # The code only: learner text and replies never go to the logs.
            log.warning("AI partner reply failed: %s", exc.code)
            # Once words have reached the learner, they stay: a second attempt would show two
            # replies, and the fallback line would take back what was read.
            outcome.shown = guard.shown.strip()
            if guard.released or not exc.retryable or deadline.remaining() <= 1:
                break
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    return outcome


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
    try:
        return _read_state_changes(data, state, turns, deadline, usage)
    except llm.LLMFailure as exc:
        if exc.code != "malformed":
            raise
    return _read_state_changes(data, state, turns, deadline, usage)


def _read_state_changes(data, state, turns, deadline, usage) -> dict[str, int]:
    raw, used = llm.structured(
        prompts.state_messages(data, state, turns),
        "state_changes",
        prompts.state_schema(data),
        deadline,
        max_tokens=STATE_MAX_TOKENS,
    )
    usage.add(used)
    try:
        return prompts.validate_state_changes(data, raw)
    except ValueError:
        raise llm.LLMFailure("malformed", "state changes off the schema") from None
