"""The one door to language models: chat completions through the `openai` package.

Everything that can go wrong on the wire becomes an `LLMFailure` with a short code, so the
engine can keep the learner's turn and offer a retry. Retries and deadlines are ours: the
client's own retries are off and its timeout is the time left in the learner's turn, never the
library's ten-minute default.
"""

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import httpx2
import openai
from django.conf import settings


class LLMFailure(Exception):
    """A model call that produced nothing usable. `code` is stored on the pending turn."""

    RETRYABLE = {"timeout", "rate_limited", "server_error", "dropped", "malformed"}

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code

    @property
    def retryable(self) -> bool:
        return self.code in self.RETRYABLE


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: "Usage") -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def estimate_prompt_tokens(messages: list[dict]) -> int:
    """An upper estimate of the tokens `messages` cost, to reserve quota before a call.

    Tokenizers give Japanese about one token a character or less, so counting characters
    (plus a few tokens of framing per message) errs on the side of reserving too much."""
    return sum(len(m["content"]) + 4 for m in messages)


def is_configured() -> bool:
    return bool(
        settings.YORISOI_LLM_MODEL and (settings.OPENAI_BASE_URL or settings.OPENAI_API_KEY)
    )


def model_name() -> str:
    return settings.YORISOI_LLM_MODEL


class Deadline:
    """The time left for one learner turn, shared by every call made for it."""

    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def check(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise LLMFailure("timeout", "the turn's deadline passed")
        return left


@lru_cache(maxsize=4)
def _base_client(api_key: str, base_url: str) -> openai.OpenAI:
    # One client per endpoint keeps its connection pool between turns.
    return openai.OpenAI(api_key=api_key, base_url=base_url or None, max_retries=0)


def _client(deadline: Deadline) -> openai.OpenAI:
    client = _base_client(settings.OPENAI_API_KEY or "not-needed", settings.OPENAI_BASE_URL)
    return client.with_options(timeout=httpx2.Timeout(deadline.check()), max_retries=0)


def _create(deadline: Deadline, messages: list[dict], **params):
    """`chat.completions.create` with `messages` sent as they are.

    The client walks every request against its typed parameters before sending it, holding
    the interpreter lock: 4 ms of CPU for a prompt carrying 20 turns, twice a turn, and more
    as prompts grow. Our messages are plain JSON already, so they go in `extra_body`, which
    the client merges into the body after that walk: the request carries the same."""
    return _client(deadline).chat.completions.create(
        model=model_name(), messages=[], extra_body={"messages": messages}, **params
    )


# What the client and the wire raise. Anything else (a TypeError, an AttributeError) is a bug in
# our code and must surface as one, not pass for a model that answered badly.
WIRE_ERRORS = (openai.APIError, httpx2.TransportError, json.JSONDecodeError)


def _translate(exc: Exception) -> LLMFailure:
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return LLMFailure("timeout")
    if isinstance(exc, openai.RateLimitError):
        return LLMFailure("rate_limited")
    if isinstance(exc, openai.APIStatusError):
        return LLMFailure(
            "server_error" if exc.status_code >= 500 else "rejected", str(exc.status_code)
        )
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return LLMFailure("dropped")
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
        return LLMFailure("malformed")
    return LLMFailure("server_error")


def stream_text(messages: list[dict], deadline: Deadline, *, max_tokens: int) -> Iterator[str]:
    """Yield the reply as it arrives; return its Usage. A reply that ends without a
    finish_reason was cut off, so it fails rather than passing a half sentence as whole.
    `max_tokens` caps what the model may write, and so what the call can cost."""
    usage = Usage()
    finished = False
    try:
        stream = _create(
            deadline,
            messages,
            max_tokens=max_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
        with stream:
            for chunk in stream:
                deadline.check()
                if chunk.usage:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    if choice.finish_reason:
                        finished = True
    except WIRE_ERRORS as exc:
        raise _translate(exc) from exc
    if not finished:
        raise LLMFailure("dropped", "the stream ended without a finish_reason")
    return usage


def structured(
    messages: list[dict],
    name: str,
    schema: dict,
    deadline: Deadline,
    *,
    max_tokens: int,
    temperature: float | None = None,
):
    """Ask for JSON that matches `schema` (strict json_schema); return (data, Usage).
    `temperature` None leaves the server's default; a judge asks for 0, to be repeatable."""
    sampling = {} if temperature is None else {"temperature": temperature}
    try:
        response = _create(
            deadline,
            messages,
            max_tokens=max_tokens,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            },
            **sampling,
        )
        if not response.choices:
            raise LLMFailure("malformed", "an answer without choices")
        data = json.loads(response.choices[0].message.content or "")
    except WIRE_ERRORS as exc:
        raise _translate(exc) from exc
    usage = response.usage
    return data, Usage(usage.prompt_tokens, usage.completion_tokens) if usage else Usage()
