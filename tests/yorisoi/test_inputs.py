"""Text the database or the tokenizer cannot hold (NUL, lone surrogates) is refused with a 400
before any view sees it, and ids past the 64-bit range are a 404, never a 500."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import JournalEntry
from roleplay import services
from roleplay.models import Mode, Turn

API = "/api/roleplay"
NUL = "\x00"
SURROGATE = "\ud800"
TOO_BIG_ID = 2**63


def form_body(**fields) -> str:
    """A urlencoded body written by hand: the test client cannot encode a lone surrogate, and a
    browser sends it as the (invalid UTF-8) bytes ED A0 80."""
    parts = []
    for key, value in fields.items():
        raw = value.encode("utf-8", errors="surrogatepass")
        parts.append(key + "=" + "".join(f"%{b:02X}" for b in raw))
    return "&".join(parts)


def post_form(client, url, **fields):
    return client.post(url, form_body(**fields), content_type="application/x-www-form-urlencoded")


@pytest.fixture
def alice(client, people):
    client.force_login(people.alice)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_it_refuses_the_character_in_an_api_turn(alice, people, scenario, bad):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    body = json.dumps({"text": f"こんにちは{bad}"})  # escaped as \u0000 / \ud800, as JSON allows
    response = alice.post(
        f"{API}/sessions/{session.pk}/turns", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_text"
    assert response.json()["detail"]
    assert Turn.objects.filter(session=session).count() == 1  # only the persona's opening


@pytest.mark.django_db
def test_it_refuses_a_surrogate_sent_as_raw_utf8_in_json(alice, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    body = '{"text": "x\ud800"}'.encode("utf-8", errors="surrogatepass")
    response = alice.post(
        f"{API}/sessions/{session.pk}/turns", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_text"


def reflection_url(lesson):
    block_id = next(child.id for child in lesson.body if child.block_type == "reflection")
    return reverse("save_reflection", args=[lesson.pk, block_id])


@pytest.mark.django_db
def test_it_refuses_a_nul_in_a_reflection_with_a_page(alice, people):
    response = post_form(alice, reflection_url(people.lessons[0]), text=f"私の答え{NUL}")
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "NUL" in response.content.decode()
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_it_never_stores_a_surrogate_from_a_form(alice, people):
    # Form bodies are UTF-8; Django decodes the invalid bytes of a lone surrogate as U+FFFD.
    response = post_form(alice, reflection_url(people.lessons[0]), text=f"私の答え{SURROGATE}")
    assert response.status_code < 500
    assert all("\ud800" not in entry.text for entry in JournalEntry.objects.all())


@pytest.mark.django_db
def test_it_refuses_a_nul_in_a_query_parameter(alice, people):
    assert alice.get(reverse("home") + "?q=%00").status_code == 400
    assert alice.get(reverse("home") + "?q=ok").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_it_refuses_the_character_in_the_observer_form(client, people, scenario, bad):
    session = services.start_session(people.alice, scenario, Mode.PEER)
    client.force_login(people.bob)
    url = reverse("roleplay_peer_join", args=[session.peer_code, "observer"])
    response = post_form(client, url, **{"empathy-level": "3", "comment": f"よく聴けていた{bad}"})
    assert response.status_code == (400 if bad == NUL else 302)
    session.refresh_from_db()
    comments = [score.comment for score in session.scores.all()]
    assert all(NUL not in c and SURROGATE not in c for c in comments)
    if bad == NUL:
        assert not comments


@pytest.mark.django_db
def test_it_refuses_a_nul_in_an_uploaded_roster(client, people):
    client.force_login(people.tom)
    roster = "氏名,メールアドレス\n山田\x00花子,hanako@example.org\n".encode()
    upload = SimpleUploadedFile("roster.csv", roster, content_type="text/csv")
    response = client.post(reverse("roster", args=[people.cohort_a.pk]), {"file": upload})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not get_user_model().objects.filter(email="hanako@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_it_refuses_the_character_in_a_pasted_roster(client, people, bad):
    client.force_login(people.tom)
    url = reverse("roster", args=[people.cohort_a.pk])
    response = post_form(client, url, text=f"氏名,メールアドレス\n山田{bad}花子,h@example.org\n")
    assert response.status_code < 500
    assert (response.status_code == 400) == (bad == NUL)


def test_it_finds_the_character_in_roster_text():
    from courses.services import parse_roster

    for bad in (NUL, SURROGATE):
        report = parse_roster(None, f"氏名,メールアドレス\n山田{bad}花子,h@example.org\n")
        assert report.errors and not report.rows


@pytest.mark.django_db
def test_it_answers_404_to_an_id_past_the_64_bit_range(alice, people):
    assert alice.get(f"/roleplay/sessions/{TOO_BIG_ID}/debrief/").status_code == 404
    assert alice.get(f"/roleplay/sessions/{TOO_BIG_ID - 1}/debrief/").status_code == 404
    assert alice.get(f"/me/hours/{TOO_BIG_ID}/").status_code == 404
    assert alice.get(f"/attempts/{TOO_BIG_ID}/").status_code == 404
    assert alice.get(f"/roleplay/sessions/{'9' * 40}/").status_code == 404
    assert reverse("roleplay_debrief", args=[TOO_BIG_ID - 1]).endswith(f"{TOO_BIG_ID - 1}/debrief/")


@pytest.mark.django_db
def test_it_answers_json_404_to_an_api_id_past_the_64_bit_range(alice):
    response = alice.get(f"{API}/sessions/{TOO_BIG_ID}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_runs_sqlite_with_wal_immediate_transactions_and_a_busy_timeout():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the options are for SQLite only")
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]
