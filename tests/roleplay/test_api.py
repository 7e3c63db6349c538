"""The role-play JSON API: the DESIGN §4 contract, CSRF, streaming, and who may see what."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from privacy.models import NoticeAcknowledgement
from privacy.notices import acknowledge
from roleplay import services
from roleplay.api import STATUS_OF
from roleplay.models import Mode, PracticeSession, Speaker
from tests.fake_openai import Reply

API = "/api/roleplay"


def post(client, url, payload=None, **headers):
    return client.post(url, json.dumps(payload or {}), content_type="application/json", **headers)


@pytest.fixture
def alice(client, people):
    client.force_login(people.alice)
    acknowledge(people.alice, NoticeAcknowledgement.PRACTICE)
    return client


@pytest.fixture
def started(alice, scenario):
    response = post(alice, f"{API}/sessions", {"scenario": scenario.slug, "mode": "scripted"})
    assert response.status_code == 200
    return response.json()


def test_it_lists_published_scenarios_only(alice, scenario, settings):
    from tests.factories import build_scenario

    build_scenario("draft-one", live=False)
    settings.YORISOI_LLM_MODEL = ""
    response = alice.get(f"{API}/scenarios")
    assert response.json() == [
        {
            "slug": "test-visit",
            "title": "テスト訪問",
            "learner_role": "home_visitor",
            "difficulty": 1,
            "modes": ["scripted", "peer"],
        }
    ]


def test_it_requires_login(client, scenario):
    assert client.get(f"{API}/scenarios").status_code == 401


def test_it_starts_a_session_without_hidden_facts(started):
    assert started["mode"] == "scripted"
    assert started["state"] == {"trust": 40}
    assert [t["speaker"] for t in started["turns"]] == ["persona"]
    assert {c["id"] for c in started["choices"]} == {"listen", "advise"}
    raw = json.dumps(started, ensure_ascii=False)
    assert "実母には頼れない" not in raw  # the hidden fact
    assert "empathy" not in raw  # the rubric
    assert "feedback" not in raw


def test_it_plays_a_choice(alice, started):
    response = post(alice, f"{API}/sessions/{started['id']}/turns", {"choice": "listen"})
    body = response.json()
    assert body["turn"]["text"] == "夜が……ほとんど寝られなくて。"
    assert body["state"] == {"trust": 60}
    assert body["pending"] is False
    assert body["learner_turn"]["speaker"] == "learner"


def test_it_confirms_which_choice_free_text_matched(alice, started):
    response = post(
        alice, f"{API}/sessions/{started['id']}/turns", {"text": "片付けは毎日少しずつやるのがコツ"}
    )
    assert response.json()["matched"]["id"] == "advise"


def test_it_returns_a_clear_error_for_bad_input(alice, started):
    response = post(alice, f"{API}/sessions/{started['id']}/turns", {"choice": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "choice"
    response = post(alice, f"{API}/sessions/{started['id']}/turns", {})
    assert response.status_code == 400


def test_it_404s_for_an_unknown_scenario(alice, scenario):
    response = post(alice, f"{API}/sessions", {"scenario": "nope", "mode": "scripted"})
    assert response.status_code == 404


def test_it_hides_another_learners_session(client, people, started):
    client.force_login(people.charlie)
    assert client.get(f"{API}/sessions/{started['id']}").status_code == 404
    url = f"{API}/sessions/{started['id']}/turns"
    assert post(client, url, {"choice": "listen"}).status_code == 404
    typed = post(client, url, {"text": "こんにちは、今日はどうですか。"})
    assert typed.status_code == 404 and typed.json()["code"] == "not_found"
    assert PracticeSession.objects.get(pk=started["id"]).turns.count() == len(started["turns"])
    assert post(client, f"{API}/sessions/{started['id']}/end").status_code == 404


def test_it_lets_the_cohorts_trainer_read_but_not_play(client, people, started):
    client.force_login(people.tom)
    assert client.get(f"{API}/sessions/{started['id']}").status_code == 200
    url = f"{API}/sessions/{started['id']}/turns"
    assert post(client, url, {"choice": "listen"}).status_code == 404


def test_it_hides_the_session_from_another_cohorts_trainer(client, people, started):
    client.force_login(people.tina)
    assert client.get(f"{API}/sessions/{started['id']}").status_code == 404


def test_it_requires_the_csrf_token(people, scenario):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.alice)
    response = post(client, f"{API}/sessions", {"scenario": scenario.slug})
    assert response.status_code == 403
    assert not PracticeSession.objects.exists()


def test_it_ends_with_a_debrief(alice, started):
    post(alice, f"{API}/sessions/{started['id']}/turns", {"choice": "advise"})
    body = post(alice, f"{API}/sessions/{started['id']}/end").json()
    assert body["status"] == "ended"
    assert body["scores"]["non_directive"]["level"] == 1
    assert body["moments"][0]["better"].startswith("「気にしないで")


def test_it_branches_from_a_turn(alice, started):
    post(alice, f"{API}/sessions/{started['id']}/turns", {"choice": "advise"})
    body = post(alice, f"{API}/sessions/{started['id']}/branch", {"turn": 1}).json()
    assert body["id"] != started["id"]
    assert body["state"] == {"trust": 40}


def test_it_streams_the_ai_reply_as_server_sent_events(alice, people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply("それは……ありがとうございます。"))
    response = post(
        alice,
        f"{API}/sessions/{session.pk}/turns",
        {"text": "よろしくお願いします。"},
        HTTP_ACCEPT="text/event-stream",
    )
    assert response["Content-Type"] == "text/event-stream"
    events = b"".join(response.streaming_content).decode().strip().split("\n\n")
    names = [e.split("\n")[0].removeprefix("event: ") for e in events]
    assert names[0] == "learner" and names[-1] == "reply"
    assert names.count("delta") > 1
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final["turn"]["text"] == "それは……ありがとうございます。"


def test_it_relays_the_first_words_before_the_model_has_finished(alice, people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply("ええと、" * 10, chunk_delay=0.2))
    response = post(
        alice,
        f"{API}/sessions/{session.pk}/turns",
        {"text": "よろしくお願いします。"},
        HTTP_ACCEPT="text/event-stream",
    )
    events = iter(response.streaming_content)
    assert next(events).startswith(b"event: learner")
    assert next(events).startswith(b"event: delta")
    assert fake_llm.streams_finished == 0
    rest = b"".join(events)
    assert fake_llm.streams_finished == 1
    assert b"event: reply" in rest


def test_it_reports_a_pending_reply_and_retries_it(alice, people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply(status=500), Reply(status=500), Reply("はい。"))
    body = post(alice, f"{API}/sessions/{session.pk}/turns", {"text": "こんにちは"}).json()
    assert body["pending"] is True
    assert body["learner_turn"]["text"] == "こんにちは"
    assert alice.get(f"{API}/sessions/{session.pk}").json()["pending"] is True
    retried = post(alice, f"{API}/sessions/{session.pk}/retry").json()
    assert retried["pending"] is False and retried["turn"]["text"] == "はい。"
    assert session.turns.filter(speaker=Speaker.PERSONA).count() == 2


def test_it_starts_no_first_practice_before_the_notice_is_read(client, people, scenario):
    client.force_login(people.bob)
    refused = post(client, f"{API}/sessions", {"scenario": scenario.slug, "mode": "scripted"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "notice_pending"
    notice = reverse("privacy:practice_notice")
    assert f"http://testserver{notice}" in refused.json()["detail"]
    assert not PracticeSession.objects.exists()
    client.post(notice)
    started = post(client, f"{API}/sessions", {"scenario": scenario.slug, "mode": "scripted"})
    assert started.status_code == 200


def test_it_says_when_no_ai_partner_is_configured(alice, scenario, settings):
    settings.YORISOI_LLM_MODEL = ""
    response = post(alice, f"{API}/sessions", {"scenario": scenario.slug, "mode": "llm"})
    assert response.status_code == 409
    assert response.json()["code"] == "llm_unavailable"


def test_it_serves_an_openapi_schema_to_trainers(client, people):
    client.force_login(people.tom)
    schema = client.get(f"{API}/openapi.json").json()
    assert "/api/roleplay/sessions/{session_id}/turns" in schema["paths"]


def test_it_serves_the_api_docs_without_a_cdn(client, people):
    client.force_login(people.ada)
    html = client.get(f"{API}/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html


@pytest.mark.parametrize("url", [f"{API}/docs", f"{API}/openapi.json"])
def test_it_keeps_the_api_docs_from_learners_and_strangers(client, people, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(people.alice)
    assert client.get(url).status_code == 404


def test_it_answers_409_while_a_reply_is_on_its_way(alice, people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    submitted = services.submit(session, text="こんにちは")  # its reply is not produced yet
    response = post(alice, f"{API}/sessions/{session.pk}/turns", {"text": "もしもし？"})
    assert response.status_code == 409
    assert response.json()["code"] == "reply_in_progress"
    assert post(alice, f"{API}/sessions/{session.pk}/retry").status_code == 409
    submitted.reply.close()
    assert session.turns.count() == 3


def streamed_turn(client, session, text="よろしくお願いします。"):
    return post(
        client,
        f"{API}/sessions/{session.pk}/turns",
        {"text": text},
        HTTP_ACCEPT="text/event-stream",
    )


def test_it_saves_the_streamed_reply_when_the_client_goes_away(
    alice, people, scenario, fake_llm, connection_kept
):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply("それは……ありがとうございます。"))
    response = streamed_turn(alice, session)
    events = iter(response.streaming_content)
    assert next(events).startswith(b"event: learner")
    assert next(events).startswith(b"event: delta")
    response.close()  # what the server does when the browser has gone
    reply = session.turns.get(index=2)
    assert reply.text == "それは……ありがとうございます。" and not reply.pending
    assert reply.prompt_tokens > 0


def test_it_saves_the_reply_when_the_client_goes_before_the_stream_starts(
    alice, people, scenario, fake_llm, connection_kept
):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply("はい。"))
    streamed_turn(alice, session).close()
    assert session.turns.get(index=2).text == "はい。"


def test_it_has_a_status_for_every_refusal_the_services_make():
    source = Path(services.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'code="([a-z_]+)"', source)) | {"invalid"}
    assert codes <= set(STATUS_OF)
