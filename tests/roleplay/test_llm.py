"""`roleplay.llm`: model failures become LLMFailure; bugs in our own code do not."""

import pytest

from roleplay import llm
from tests.fake_openai import Reply


def test_it_turns_a_server_error_into_a_retryable_failure(fake_llm):
    fake_llm.stream(Reply(status=503))
    with pytest.raises(llm.LLMFailure) as caught:
        list(llm.stream_text([{"role": "user", "content": "こんにちは"}], llm.Deadline(5)))
    assert caught.value.code == "server_error" and caught.value.retryable


def test_it_lets_a_type_error_in_our_code_propagate(fake_llm):
    unsendable = [{"role": "user", "content": object()}]
    with pytest.raises(TypeError):
        list(llm.stream_text(unsendable, llm.Deadline(5)))
    with pytest.raises(TypeError):
        llm.structured(unsendable, "state_changes", {"type": "object"}, llm.Deadline(5))


def test_it_lets_an_attribute_error_in_our_code_propagate(fake_llm):
    with pytest.raises(AttributeError):
        list(llm.stream_text([{"role": "user", "content": "こんにちは"}], deadline=None))
