"""`roleplay.llm`: model failures become LLMFailure; bugs in our own code do not."""

import pytest

from roleplay import llm
from tests.fake_openai import Reply

HELLO = [{"role": "user", "content": "こんにちは"}]


def test_it_turns_a_server_error_into_a_retryable_failure(fake_llm):
    fake_llm.stream(Reply(status=503))
    with pytest.raises(llm.LLMFailure) as caught:
        list(llm.stream_text(HELLO, llm.Deadline(5), max_tokens=50))
    assert caught.value.code == "server_error" and caught.value.retryable


def test_it_lets_a_type_error_in_our_code_propagate(fake_llm):
    unsendable = [{"role": "user", "content": object()}]
    with pytest.raises(TypeError):
        list(llm.stream_text(unsendable, llm.Deadline(5), max_tokens=50))
    with pytest.raises(TypeError):
        llm.structured(
            unsendable, "state_changes", {"type": "object"}, llm.Deadline(5), max_tokens=50
        )


def test_it_lets_an_attribute_error_in_our_code_propagate(fake_llm):
    with pytest.raises(AttributeError):
        list(llm.stream_text(HELLO, deadline=None, max_tokens=50))


def test_it_caps_what_the_model_may_write_in_every_call(fake_llm):
    list(llm.stream_text(HELLO, llm.Deadline(5), max_tokens=123))
    llm.structured(
        HELLO, "state_changes", {"type": "object", "properties": {}}, llm.Deadline(5), max_tokens=45
    )
    assert [r["max_tokens"] for r in fake_llm.requests] == [123, 45]


def test_it_estimates_a_prompt_at_no_less_than_a_token_a_character():
    messages = [
        {"role": "system", "content": "あ" * 300},
        {"role": "user", "content": "こんにちは"},
    ]
    assert llm.estimate_prompt_tokens(messages) >= 305


def test_it_sends_the_messages_past_the_clients_typed_walk(fake_llm, monkeypatch):
    """The client's walk of the request over its typed parameters costs milliseconds of CPU a
    call for a long prompt; the messages go around it, and reach the model unchanged."""
    from openai.resources.chat.completions import completions

    walked = []
    walk = completions.maybe_transform

    def spy(body, *args, **kwargs):
        walked.append(body.get("messages"))
        return walk(body, *args, **kwargs)

    monkeypatch.setattr(completions, "maybe_transform", spy)
    prompt = [{"role": "system", "content": "あなたは母親です。"}, *HELLO]
    list(llm.stream_text(prompt, llm.Deadline(5), max_tokens=50))
    schema = {"type": "object", "properties": {}}
    llm.structured(prompt, "state_changes", schema, llm.Deadline(5), max_tokens=50)
    assert walked == [[], []]
    assert [r["messages"] for r in fake_llm.requests] == [prompt, prompt]
