"""The role-play API answers every error, a server error included, as {"detail", "code"}."""

import json
import logging

import pytest

from roleplay import services
from roleplay.models import Mode

API = "/api/roleplay"


@pytest.fixture
def alice(client, people):
    client.force_login(people.alice)
    return client


def test_it_answers_413_json_to_a_body_over_the_upload_limit(alice, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    body = json.dumps({"text": "あ" * (1024 * 1024)})  # about 3 MB of UTF-8
    response = alice.post(
        f"{API}/sessions/{session.pk}/turns", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.json()["detail"]


def test_it_answers_500_json_and_logs_no_learner_text(alice, people, scenario, monkeypatch, caplog):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "submit", broken)
    with caplog.at_level(logging.ERROR):
        response = alice.post(
            f"{API}/sessions/{session.pk}/turns",
            json.dumps({"text": "秘密の相談内容"}),
            content_type="application/json",
        )
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert response.json()["detail"]
    assert "the database went away" in caplog.text  # the traceback is kept for the operator
    assert "秘密の相談内容" not in caplog.text


def test_it_answers_404_and_401_with_a_code(alice, client, people, scenario):
    response = alice.get(f"{API}/sessions/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    alice.logout()
    response = client.get(f"{API}/scenarios")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_answers_422_with_a_code(alice, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    response = alice.post(
        f"{API}/sessions/{session.pk}/turns", '{"text": ["a"]}', content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "malformed"
