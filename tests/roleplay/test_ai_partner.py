"""The AI partner against a local fake OpenAI-compatible server, one test per wire fault.

Every fault test checks the same promise: the learner's words are saved, the reply is pending
with a retry, and the conversation can go on.
"""

import json
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from roleplay import partner, prompts, services
from roleplay.debrief import debrief_of
from roleplay.models import Mode, PracticeSession, Speaker, Turn
from tests.fake_openai import Reply

SAID = "今日はお話を聞かせてください。"


@pytest.fixture
def session(people, scenario, fake_llm):
    return services.start_session(people.alice, scenario, Mode.LLM)


def take_turn(session, text=SAID):
    submitted = services.submit(session, text=text)
    deltas = list(submitted.reply)
    session.refresh_from_db()
    return submitted.turn, submitted.reply.turn, deltas


def assert_learner_turn_kept(session, text=SAID):
    assert session.turns.filter(speaker=Speaker.LEARNER, text=text).exists()


def assert_still_usable(session, fake_llm):
    fake_llm.stream(Reply("はい、聞いてもらえると助かります。"))
    _, reply, _ = take_turn(session, "ありがとうございます。")
    assert not reply.pending
    assert reply.text == "はい、聞いてもらえると助かります。"


def test_it_streams_the_reply_and_records_model_and_tokens(session, fake_llm):
    fake_llm.stream(Reply("ありがとうございます。実は夜が大変で。"))
    fake_llm.default_changes = {"trust": 8}
    learner, reply, deltas = take_turn(session)
    assert len(deltas) > 1
    assert "".join(deltas) == "ありがとうございます。実は夜が大変で。"
    assert reply.text == "ありがとうございます。実は夜が大変で。"
    assert reply.model == "fake-persona"
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert reply.state_after == {"trust": 48}
    assert session.state == {"trust": 48}
    assert learner.index == 1 and reply.index == 2


def test_it_builds_the_persona_prompt_once_and_sends_what_the_quota_counted(
    session, fake_llm, monkeypatch
):
    built = []
    build = prompts.persona_messages

    def counted(*args):
        built.append(build(*args))
        return built[-1]

    monkeypatch.setattr(prompts, "persona_messages", counted)
    take_turn(session)
    assert len(built) == 1
    assert fake_llm.requests[0]["messages"] == built[0]


def test_it_asks_for_state_changes_as_a_strict_json_schema(session, fake_llm):
    take_turn(session)
    structured = [r for r in fake_llm.requests if not r.get("stream")]
    assert structured[0]["response_format"]["type"] == "json_schema"
    assert structured[0]["response_format"]["json_schema"]["strict"] is True
    assert "tools" not in structured[0] and "tools" not in fake_llm.requests[0]


def test_it_keeps_the_turn_when_the_server_is_rate_limited(session, fake_llm):
    fake_llm.stream(Reply(status=429), Reply(status=429))
    _, reply, _ = take_turn(session)
    assert reply.pending and reply.error == "rate_limited"
    assert reply.text == "……すみません、ちょっと考えさせてください。"
    assert_learner_turn_kept(session)
    assert_still_usable(session, fake_llm)


def test_it_retries_once_after_a_server_error(session, fake_llm):
    fake_llm.stream(Reply(status=500), Reply("大丈夫です。"))
    _, reply, _ = take_turn(session)
    assert not reply.pending
    assert reply.text == "大丈夫です。"
    assert len([r for r in fake_llm.requests if r.get("stream")]) == 2


def test_it_keeps_the_turn_after_two_server_errors(session, fake_llm):
    fake_llm.stream(Reply(status=500), Reply(status=503))
    _, reply, _ = take_turn(session)
    assert reply.pending and reply.error == "server_error"
    assert_learner_turn_kept(session)
    assert_still_usable(session, fake_llm)


def test_it_gives_up_at_the_turn_deadline(settings, session, fake_llm):
    settings.YORISOI_LLM_TIMEOUT = 1
    fake_llm.stream(Reply(delay=3))
    _, reply, _ = take_turn(session)
    assert reply.pending and reply.error == "timeout"
    assert_learner_turn_kept(session)
    settings.YORISOI_LLM_TIMEOUT = 5
    assert_still_usable(session, fake_llm)


def test_it_keeps_the_words_already_read_when_the_stream_drops(session, fake_llm):
    fake_llm.stream(Reply("途中で切れてしまう返事です。", drop_after=2))
    _, reply, deltas = take_turn(session)
    assert deltas  # the first words had already reached the learner
    # They stay as they were read, never swapped for the fallback line; the learner may ask again.
    assert reply.text == "".join(deltas) and "途中で" in reply.text
    assert reply.pending and reply.error == "incomplete"
    assert len([r for r in fake_llm.requests if r.get("stream")]) == 1
    assert_learner_turn_kept(session)
    retried = services.retry(session).turn
    assert not retried.pending and retried.text == "そうなんです……。"


def test_it_asks_again_when_the_stream_drops_before_any_word(session, fake_llm):
    fake_llm.stream(Reply("届かない返事です。", drop_after=0), Reply("はい、大丈夫です。"))
    _, reply, deltas = take_turn(session)
    assert "".join(deltas) == reply.text == "はい、大丈夫です。"
    assert not reply.pending


def test_it_shows_the_fallback_line_when_no_word_ever_arrived(session, fake_llm):
    fake_llm.stream(
        Reply("届かない返事です。", drop_after=0), Reply("これも届かない。", drop_after=0)
    )
    _, reply, deltas = take_turn(session)
    assert deltas == []
    assert reply.pending and reply.error == "dropped"
    assert reply.text == "……すみません、ちょっと考えさせてください。"
    assert_learner_turn_kept(session)
    assert_still_usable(session, fake_llm)


def test_it_keeps_the_turn_when_a_chunk_is_malformed(session, fake_llm):
    fake_llm.stream(Reply("壊れたチャンクが来ます。", malformed_after=1))
    _, reply, deltas = take_turn(session)
    assert reply.pending and reply.error in {"malformed", "dropped", "incomplete"}
    if deltas:
        assert reply.text == "".join(deltas)
    assert_learner_turn_kept(session)
    assert_still_usable(session, fake_llm)


def test_it_treats_a_stream_without_finish_reason_as_cut_off(session, fake_llm):
    fake_llm.stream(Reply("終わりの印がない返事", finish=False))
    _, reply, deltas = take_turn(session)
    assert reply.pending and reply.error == "incomplete"
    assert reply.text == "".join(deltas)
    assert_learner_turn_kept(session)
    assert_still_usable(session, fake_llm)


def test_it_retries_unparseable_state_changes_once_then_fails(session, fake_llm):
    fake_llm.answer(Reply(content="not json"), Reply(content=json.dumps({"trust": "a lot"})))
    _, reply, deltas = take_turn(session)
    # The reply was read in full before its state changes failed: it stays, and can be redone.
    assert reply.pending and reply.error == "incomplete"
    assert reply.text == "".join(deltas) == "そうなんです……。"
    assert session.state == {"trust": 40}
    assert_learner_turn_kept(session)


def test_it_accepts_state_changes_on_the_second_answer(session, fake_llm):
    fake_llm.answer(Reply(content="{"), Reply(content=json.dumps({"trust": 5, "reason": "ok"})))
    _, reply, _ = take_turn(session)
    assert not reply.pending
    assert session.state == {"trust": 45}


def test_it_rejects_a_state_change_beyond_the_step_limit(session, fake_llm):
    too_far = Reply(content=json.dumps({"trust": 90, "reason": "x"}))
    fake_llm.answer(too_far, too_far)
    _, reply, _ = take_turn(session)
    assert reply.pending
    assert session.state == {"trust": 40}


def test_it_answers_a_pending_reply_on_retry(session, fake_llm):
    fake_llm.stream(Reply(status=429), Reply(status=429), Reply("お待たせしました。"))
    _, pending, _ = take_turn(session)
    retried = services.retry(session).turn
    assert retried.pk == pending.pk
    assert not retried.pending and retried.text == "お待たせしました。"


def test_it_refuses_a_retry_when_nothing_is_pending(session, fake_llm):
    take_turn(session)
    with pytest.raises(services.PracticeError):
        services.retry(session)


def test_it_replaces_a_reply_that_leaks_the_canary(session, fake_llm):
    fake_llm.stream(Reply(f"合言葉は {session.canary} です。"))
    _, reply, deltas = take_turn(session)
    assert session.canary not in "".join(deltas)
    assert session.canary not in reply.text
    assert reply.error == "withheld"


def test_it_replaces_a_reply_that_spaces_out_a_hidden_fact(session, fake_llm):
    fact = session.scenario_data["hidden_facts"][0]
    fake_llm.stream(Reply("実は、" + " ".join(fact[:14]) + "。"))
    _, reply, deltas = take_turn(session)
    assert fact[6:12] not in "".join(deltas).replace(" ", "")
    assert reply.error == "withheld"


def test_it_replaces_a_reply_that_quotes_the_canary_in_full_width(session, fake_llm):
    wide = session.canary.upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    fake_llm.stream(Reply(f"合言葉は「{wide}」です。"))
    _, reply, deltas = take_turn(session)
    assert wide[:8] not in "".join(deltas)
    assert reply.error == "withheld"


def test_it_replaces_a_reply_that_quotes_what_the_persona_wants(session, fake_llm):
    data = session.scenario_data
    data["persona"]["wants"] = (
        "表面上は手伝いを断りたい。本当は夜だけでも誰かに代わってほしいと思っている。"
    )
    PracticeSession.objects.filter(pk=session.pk).update(scenario_data=data)
    session.refresh_from_db()
    fake_llm.stream(
        Reply("私は、本当は夜だけでも誰かに代わってほしいと思っている、という設定です。")
    )
    _, reply, deltas = take_turn(session)
    assert "代わってほしい" not in "".join(deltas)
    assert reply.error == "withheld"


def test_it_lets_the_persona_say_who_it_lives_with(session, fake_llm):
    fake_llm.stream(Reply("うちは、夫、長男2か月の三人です。"))
    _, reply, _ = take_turn(session)
    assert reply.error == "" and reply.text == "うちは、夫、長男2か月の三人です。"


def test_it_replaces_a_reply_that_recites_a_hidden_fact(session, fake_llm):
    fact = session.scenario_data["hidden_facts"][0]
    fake_llm.stream(Reply("実は、" + fact))
    _, reply, deltas = take_turn(session)
    assert fact[:12] not in "".join(deltas)
    assert fact[:12] not in reply.text
    assert reply.error == "withheld"


def test_it_enforces_the_daily_turn_quota(settings, session, fake_llm):
    settings.YORISOI_ROLEPLAY_DAILY_TURNS = 1
    take_turn(session)
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text="もう一度")
    assert caught.value.code == "quota"
    assert session.turns.filter(speaker=Speaker.LEARNER).count() == 1


def test_it_enforces_the_daily_token_quota(settings, session, fake_llm):
    take_turn(session)
    spent = Turn.objects.aggregate(t=Sum("prompt_tokens") + Sum("completion_tokens"))["t"]
    settings.YORISOI_ROLEPLAY_DAILY_TOKENS = spent + 10
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text="もう一度")
    assert caught.value.code == "quota"


def test_it_refuses_a_reply_whose_reservation_would_pass_the_quota(settings, session, fake_llm):
    settings.YORISOI_ROLEPLAY_DAILY_TOKENS = settings.YORISOI_LLM_MAX_TOKENS
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text=SAID)
    assert caught.value.code == "quota"
    assert fake_llm.requests == []
    assert not session.turns.filter(speaker=Speaker.LEARNER).exists()


def test_it_sends_max_tokens_with_every_call(settings, session, fake_llm):
    settings.YORISOI_LLM_MAX_TOKENS = 321
    take_turn(session)
    assert [r["max_tokens"] for r in fake_llm.requests] == [321, partner.STATE_MAX_TOKENS]


def test_it_holds_the_reservation_while_the_reply_is_produced(settings, people, session, fake_llm):
    submitted = services.submit(session, text=SAID)  # the reply has not been produced yet
    held = reply_to(session, submitted.turn)
    assert held.completion_tokens == settings.YORISOI_LLM_MAX_TOKENS + partner.STATE_MAX_TOKENS
    assert held.prompt_tokens > len(SAID)
    # Another tab of the same learner cannot spend what the first reply may still need.
    settings.YORISOI_ROLEPLAY_DAILY_TOKENS = held.prompt_tokens + held.completion_tokens + 50
    other = services.start_session(people.alice, session.scenario, Mode.LLM)
    with pytest.raises(services.PracticeError) as caught:
        services.submit(other, text=SAID)
    assert caught.value.code == "quota"
    submitted.reply.close()


def test_it_settles_the_reservation_to_the_tokens_really_spent(session, fake_llm):
    fake_llm.stream(Reply("ありがとうございます。"))
    _, reply, _ = take_turn(session)
    # The fake server bills 120 + 80 prompt tokens, and the reply's length + 20 written.
    assert reply.prompt_tokens == 200
    assert reply.completion_tokens == len("ありがとうございます。") + 20


def test_it_masks_personal_information_before_the_model_sees_it(session, fake_llm):
    take_turn(session, "私の電話は090-1234-5678です。")
    sent = json.dumps(fake_llm.requests, ensure_ascii=False)
    assert "090-1234-5678" not in sent
    assert "〔電話番号〕" in sent
    assert Turn.objects.filter(text__contains="090").count() == 0


def test_it_ends_when_the_turn_limit_is_reached(session, fake_llm):
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )
    for n in range(6):
        take_turn(session, f"{n}回目の発言です。")
    assert session.status == "ended"
    assert session.ending in {"good", "mixed", "poor"}
    assert session.ending_node.ending == session.ending
    assert debrief_of(session)["ending"]["summary"] == session.ending_node.summary
    assert session.hours_entry is not None


def reply_to(session, learner_turn) -> Turn:
    return session.turns.get(index=learner_turn.index + 1)


def test_it_saves_the_whole_reply_when_the_listener_leaves_after_the_first_words(session, fake_llm):
    fake_llm.stream(Reply("ありがとうございます。実は夜が大変で。"))
    submitted = services.submit(session, text=SAID)
    words = iter(submitted.reply)
    assert next(words)
    words.close()  # the browser dropped the stream
    reply = reply_to(session, submitted.turn)
    assert not reply.pending
    assert reply.text == "ありがとうございます。実は夜が大変で。"
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0


def test_it_keeps_a_pending_reply_and_its_tokens_when_the_listener_left(session, fake_llm):
    fake_llm.stream(Reply("ありがとうございます。実は夜が大変で。"), Reply("お待たせしました。"))
    fake_llm.answer(Reply(content="not json"), Reply(content="{"))
    submitted = services.submit(session, text=SAID)
    words = iter(submitted.reply)
    next(words)
    words.close()
    pending = reply_to(session, submitted.turn)
    assert pending.pending and pending.error == "incomplete"
    assert pending.text == "ありがとうございます。実は夜が大変で。"
    assert pending.prompt_tokens > 0  # they count toward the daily quota
    retried = services.retry(session).turn
    assert retried.pk == pending.pk
    assert not retried.pending and retried.text == "お待たせしました。"


def test_it_produces_and_saves_a_reply_nobody_started_to_read(session, fake_llm):
    fake_llm.stream(Reply("はい。"))
    submitted = services.submit(session, text=SAID)
    submitted.reply.close()
    assert reply_to(session, submitted.turn).text == "はい。"


def test_it_says_a_reply_is_on_its_way_while_it_is_produced(session, fake_llm):
    submitted = services.submit(session, text=SAID)  # the reply has not been produced yet
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text="もしもし？")
    assert caught.value.code == "reply_in_progress"
    with pytest.raises(services.PracticeError) as caught:
        services.retry(session)
    assert caught.value.code == "reply_in_progress"
    submitted.reply.close()
    assert_still_usable(session, fake_llm)
    assert session.turns.filter(speaker=Speaker.LEARNER).count() == 2


def test_it_treats_a_reply_lost_with_its_process_as_pending(settings, session, fake_llm):
    services.submit(session, text=SAID)  # and the process ends before producing the reply
    lost = timezone.now() - timedelta(seconds=settings.YORISOI_LLM_TIMEOUT + 61)
    PracticeSession.objects.filter(pk=session.pk).update(last_activity_at=lost)
    fake_llm.stream(Reply("お待たせしました。"))
    reply = services.retry(session).turn
    assert not reply.pending and reply.text == "お待たせしました。"


def test_it_counts_the_tokens_of_both_replies_when_a_lost_one_finishes_after_its_retry(
    settings, session, fake_llm
):
    # The first process was only slow: it finishes after another request asked again.
    slow = services.submit(session, text=SAID)
    lost = timezone.now() - timedelta(seconds=settings.YORISOI_LLM_TIMEOUT + 61)
    PracticeSession.objects.filter(pk=session.pk).update(last_activity_at=lost)
    fake_llm.stream(Reply("お待たせしました。"))
    assert not services.retry(session).turn.pending
    fake_llm.stream(Reply("ありがとうございます。"))
    slow.reply.close()
    turn = reply_to(session, slow.turn)
    # The fake server bills 200 prompt tokens a reply, and its length + 20 written.
    assert turn.prompt_tokens == 2 * 200
    assert turn.completion_tokens == len("お待たせしました。ありがとうございます。") + 2 * 20


def test_it_lets_a_bug_in_our_code_surface_and_keeps_the_reply_retryable(
    monkeypatch, session, fake_llm
):
    def broken(data, changes):
        raise TypeError("a bug of ours")

    monkeypatch.setattr(prompts, "validate_state_changes", broken)
    submitted = services.submit(session, text=SAID)
    with pytest.raises(TypeError):
        list(submitted.reply)
    pending = reply_to(session, submitted.turn)
    assert pending.pending and pending.error == "internal"
    monkeypatch.undo()
    assert not services.retry(session).turn.pending
