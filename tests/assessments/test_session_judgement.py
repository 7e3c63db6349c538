"""Every ended practice session is judged: which judgements each mode gets, the AI judge as a
background task (pending → done or failed, and a retry), and that a second signal adds nothing.

Sessions end inside `django_capture_on_commit_callbacks(execute=True)`, so `session_ended`
(sent on commit) and the task it queues (ImmediateBackend) run as they would in a request.
"""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from assessments import judging
from assessments.judges import llm as llm_judge
from assessments.models import JudgeKind, Judgement, JudgementStatus
from assessments.rubrics import STANDARD
from roleplay import services
from roleplay.models import Mode, PracticeSession
from roleplay.signals import session_ended
from tests.fake_openai import Reply

SAID = "夜も眠れないくらい、ずっと気を張ってこられたんですね。"


def judge_answer(**changes) -> Reply:
    """A well-formed answer of the AI judge: level 3 everywhere unless `changes` say otherwise."""
    body = {
        key: {"level": 3, "evidence": [], "comment": "おおむね適切です。", "better_line": "「…」"}
        for key in STANDARD.keys
    }
    for key, fields in changes.items():
        body[key] = {**body[key], **fields}
    return Reply(content=json.dumps(body, ensure_ascii=False))


def kinds(session) -> dict[str, str]:
    return dict(Judgement.objects.filter(session=session).values_list("judge", "status"))


def play_scripted(session, *choices, text=None):
    for choice in choices:
        services.submit(session, choice=choice).reply.close()
    if text is not None:
        services.submit(session, text=text).reply.close()


@pytest.fixture
def ai_session(people, scenario, fake_llm):
    """An AI-partner conversation with one learner turn, not yet ended."""
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply("実は、夜がずっと大変で。"))
    list(services.submit(session, text=SAID).reply)
    session.refresh_from_db()
    return session


def end(session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.end_session(session)
    session.refresh_from_db()
    return session


# --- Each mode ------------------------------------------------------------------------------


def test_it_keeps_the_authors_choice_scores_of_a_scripted_session(
    people, scenario, django_capture_on_commit_callbacks
):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    with django_capture_on_commit_callbacks(execute=True):
        play_scripted(session, "advise", "leave")
    assert kinds(session) == {"scripted": "done"}
    judgement = session.judgements.get()
    assert judgement.result["judge"] == "scripted"
    assert judgement.result["scores"]["non_directive"]["level"] == 1
    assert judgement.result["scores"]["safety"]["level"] is None
    assert judgement.passed is False
    hit = judgement.result["scores"]["non_directive"]["rules"][0]
    assert (hit["rule"], hit["turn"]) == ("scripted.choice", 1)
    assert judgement.result["scores"]["empathy"]["better_line"].startswith("「気にしないで")
    moment = judgement.result["moments"][0]
    assert moment["better"] == "「気にしないでください。最近、眠れていますか？」"


def test_it_adds_the_rules_view_of_what_a_scripted_learner_typed(
    people, scenario, django_capture_on_commit_callbacks
):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    with django_capture_on_commit_callbacks(execute=True):
        play_scripted(session, "listen", text="赤ちゃんが寝ているときに一緒に寝ないとだめですよ")
        play_scripted(session, "leave")
    assert kinds(session) == {"scripted": "done", "heuristic": "done"}
    heuristic = session.judgements.get(judge=JudgeKind.HEURISTIC)
    scores = heuristic.result["scores"].values()
    fired = {(hit["rule"], hit["turn"]) for score in scores for hit in score["rules"]}
    # Only the typed turn (3) is read; the chosen line (1) is the author's, already scored.
    assert ("non_directive.must", 3) in fired
    assert {turn for _rule, turn in fired} == {3}
    assert heuristic.result["skills"]["learner_turns"] == 1


def test_it_judges_an_ai_session_with_the_rules_and_then_the_model(
    ai_session, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer(judge_answer(empathy={"level": 4, "evidence": [SAID]}))
    end(ai_session, django_capture_on_commit_callbacks)
    assert kinds(ai_session) == {"heuristic": "done", "llm": "done"}
    model = ai_session.judgements.get(judge=JudgeKind.LLM)
    assert model.result["scores"]["empathy"] == {
        "level": 4,
        "evidence": [SAID],
        "comment": "おおむね適切です。",
        "better_line": "",
        "rules": [],
    }
    assert model.result["model"] == "fake-persona"
    assert model.passed is True
    assert fake_llm.requests[-1]["temperature"] == 0


def test_it_leaves_the_model_out_when_none_is_configured(
    ai_session, settings, django_capture_on_commit_callbacks
):
    settings.YORISOI_LLM_MODEL = ""
    end(ai_session, django_capture_on_commit_callbacks)
    assert kinds(ai_session) == {"heuristic": "done"}


def test_it_turns_the_observers_scores_into_an_observer_judgement(
    people, scenario, django_capture_on_commit_callbacks
):
    session = services.start_session(people.alice, scenario, Mode.PEER)
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=session.started_at - timedelta(minutes=20)
    )
    scores = {"empathy": {"level": 1, "evidence": ["「大変でしたね」"], "comment": "早口"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.record_peer_scores(session, people.bob, scores, "よく聴けていました")
    judgement = Judgement.objects.get(session=session)
    assert (judgement.judge, judgement.by) == (JudgeKind.OBSERVER, people.bob)
    assert judgement.result["scores"]["empathy"]["evidence"] == ["「大変でしたね」"]
    assert judgement.result["comment"] == "よく聴けていました"
    assert judgement.result["scores"]["safety"]["level"] is None
    assert judgement.passed is False


def test_it_stores_nothing_for_peer_practice_no_observer_scored(
    people, scenario, django_capture_on_commit_callbacks
):
    session = services.start_session(people.alice, scenario, Mode.PEER)
    end(session, django_capture_on_commit_callbacks)
    assert kinds(session) == {}


def test_it_leaves_an_active_session_alone(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    assert judging.judge_session(session) == []
    assert kinds(session) == {}


# --- Idempotence ----------------------------------------------------------------------------


def test_it_changes_nothing_on_a_second_signal(
    ai_session, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer(judge_answer())
    end(ai_session, django_capture_on_commit_callbacks)
    before = list(Judgement.objects.order_by("pk").values("pk", "judge", "status", "updated_at"))
    asked = len(fake_llm.requests)
    with django_capture_on_commit_callbacks(execute=True):
        session_ended.send(sender=PracticeSession, session=ai_session)
    assert judging.judge_session(ai_session) == []
    after = list(Judgement.objects.order_by("pk").values("pk", "judge", "status", "updated_at"))
    assert after == before
    assert len(fake_llm.requests) == asked


def test_it_completes_a_pending_judgement_only_once(
    ai_session, fake_llm, django_capture_on_commit_callbacks
):
    services.end_session(ai_session)  # the signal waits for a commit that never comes here
    (pending,) = [j for j in judging.judge_session(ai_session) if j.judge == JudgeKind.LLM]
    assert pending.status == JudgementStatus.PENDING
    fake_llm.answer(judge_answer())
    assert judging.run_model_judge(pending.pk) == JudgementStatus.DONE
    asked = len(fake_llm.requests)
    assert judging.run_model_judge(pending.pk) == JudgementStatus.DONE
    assert len(fake_llm.requests) == asked


# --- A model that fails ----------------------------------------------------------------------


def test_it_keeps_the_rules_scores_when_the_model_fails_and_retries(
    ai_session, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer(Reply(status=500))
    end(ai_session, django_capture_on_commit_callbacks)
    model = ai_session.judgements.get(judge=JudgeKind.LLM)
    assert (model.status, model.error, model.result) == ("failed", "server_error", {})
    heuristic = ai_session.judgements.get(judge=JudgeKind.HEURISTIC)
    assert heuristic.status == JudgementStatus.DONE and heuristic.result["scores"]

    fake_llm.answer(judge_answer())
    with django_capture_on_commit_callbacks(execute=True):
        judging.retry_model_judge(ai_session)
    model.refresh_from_db()
    assert (model.status, model.error) == ("done", "")
    assert model.result["judge"] == "llm"


def test_it_marks_malformed_json_from_the_model_as_failed(
    ai_session, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer(Reply(content="{not json"))
    end(ai_session, django_capture_on_commit_callbacks)
    model = ai_session.judgements.get(judge=JudgeKind.LLM)
    assert (model.status, model.error) == ("failed", "malformed")


def test_it_never_leaves_a_judgement_pending_after_a_bug(
    ai_session, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(llm_judge, "assess", broken)
    end(ai_session, django_capture_on_commit_callbacks)
    model = ai_session.judgements.get(judge=JudgeKind.LLM)
    assert (model.status, model.error) == ("failed", "internal")


def test_it_refuses_to_retry_a_judgement_that_did_not_fail(
    ai_session, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer(judge_answer())
    end(ai_session, django_capture_on_commit_callbacks)
    with pytest.raises(judging.JudgingError) as caught:
        judging.retry_model_judge(ai_session)
    assert caught.value.code == "not_failed"


def test_it_refuses_to_retry_when_the_model_was_switched_off(
    ai_session, fake_llm, settings, django_capture_on_commit_callbacks
):
    fake_llm.answer(Reply(status=500))
    end(ai_session, django_capture_on_commit_callbacks)
    settings.YORISOI_LLM_MODEL = ""
    with pytest.raises(judging.JudgingError) as caught:
        judging.retry_model_judge(ai_session)
    assert caught.value.code == "llm_unavailable"
    assert ai_session.judgements.get(judge=JudgeKind.LLM).status == JudgementStatus.FAILED


# --- Self-assessment -------------------------------------------------------------------------


def test_it_stores_one_self_assessment_and_masks_what_it_quotes(
    people, scenario, django_capture_on_commit_callbacks
):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    with django_capture_on_commit_callbacks(execute=True):
        play_scripted(session, "advise", "leave")
    form = {"empathy-level": "2", "empathy-comment": "山田花子さんに090-1234-5678で連絡"}
    judging.save_self_assessment(session, people.alice, form)
    judging.save_self_assessment(session, people.alice, form | {"empathy-level": "3"})
    own = session.judgements.get(judge=JudgeKind.SELF)
    assert own.by == people.alice
    assert own.result["scores"]["empathy"]["level"] == 3
    assert "090-1234-5678" not in own.result["scores"]["empathy"]["comment"]


def test_it_refuses_a_self_assessment_by_someone_else_or_before_the_end(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    with pytest.raises(judging.JudgingError) as caught:
        judging.save_self_assessment(session, people.bob, {})
    assert caught.value.code == "not_found"
    with pytest.raises(judging.JudgingError) as caught:
        judging.save_self_assessment(session, people.alice, {})
    assert caught.value.code == "not_ended"
    assert not session.judgements.exists()


def test_it_queues_the_ai_judge_for_the_database_worker_in_production(
    ai_session, fake_llm, settings, django_capture_on_commit_callbacks, connection_kept
):
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["database"]}}
    end(ai_session, django_capture_on_commit_callbacks)
    model = ai_session.judgements.get(judge=JudgeKind.LLM)
    assert model.status == JudgementStatus.PENDING  # queued, not run in the request
    fake_llm.answer(judge_answer())
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    model.refresh_from_db()
    assert model.status == JudgementStatus.DONE
