"""The learner's and trainer's role-play pages, peer practice and scenario authoring."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from courses.models import HoursEntry, HoursSource
from privacy.models import NoticeAcknowledgement
from privacy.notices import acknowledge
from roleplay import services
from roleplay.models import Mode, PracticeSession, SessionStatus
from tests.factories import build_scenario
from yorisoi.roles import ensure_groups


@pytest.fixture
def alice(client, people):
    client.force_login(people.alice)
    acknowledge(people.alice, NoticeAcknowledgement.PRACTICE)
    return client


def finished(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    for choice in ("advise", "leave"):
        submitted = services.submit(session, choice=choice)
        submitted.reply.close()
        session.refresh_from_db()
    return session


def test_it_lists_scenarios_and_an_empty_history(alice, scenario):
    html = alice.get(reverse("roleplay_scenarios")).content.decode()
    assert "テスト訪問" in html
    assert "You have not practised yet" in html or "まだ練習していません" in html


def test_it_shows_the_brief_but_not_the_hidden_facts(alice, scenario, settings):
    settings.YORISOI_LLM_MODEL = ""
    html = alice.get(reverse("roleplay_scenario", args=[scenario.slug])).content.decode()
    assert "森さんのお宅を初めて訪ねます" in html
    assert "実母には頼れない" not in html
    assert 'id="no-llm"' in html


def test_it_404s_for_a_draft_scenario(alice, people):
    build_scenario("hidden-draft", live=False)
    assert alice.get(reverse("roleplay_scenario", args=["hidden-draft"])).status_code == 404


def test_it_starts_scripted_practice_and_opens_the_play_page(alice, scenario):
    response = alice.post(reverse("roleplay_start", args=[scenario.slug]), {"mode": "scripted"})
    session = PracticeSession.objects.get()
    assert response.url == reverse("roleplay_play", args=[session.pk])
    html = alice.get(response.url).content.decode()
    assert 'id="roleplay"' in html and "play.js" in html


def test_it_explains_a_refused_start(alice, scenario, settings):
    settings.YORISOI_LLM_MODEL = ""
    response = alice.post(
        reverse("roleplay_start", args=[scenario.slug]), {"mode": "llm"}, follow=True
    )
    assert "scripted mode" in response.content.decode() or "台本" in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_it_shows_the_debrief_with_scores_and_a_better_line(alice, people, scenario):
    session = finished(people, scenario)
    html = alice.get(reverse("roleplay_debrief", args=[session.pk])).content.decode()
    assert "<polyline" in html
    assert "上から目線にならない" in html
    assert "「気にしないでください。最近、眠れていますか？」" in html
    assert "助言が先になり" in html  # the ending's summary


def test_it_escapes_learner_text_in_the_transcript(alice, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    submitted = services.submit(session, text="<script>alert(1)</script>片付けは毎日少しずつ")
    submitted.reply.close()
    services.end_session(session)
    html = alice.get(reverse("roleplay_debrief", args=[session.pk])).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_it_branches_from_the_debrief(alice, people, scenario):
    session = finished(people, scenario)
    response = alice.post(reverse("roleplay_branch", args=[session.pk]), {"turn": "1"})
    new = PracticeSession.objects.exclude(pk=session.pk).get()
    assert response.url == reverse("roleplay_play", args=[new.pk])
    assert new.status == SessionStatus.ACTIVE


def test_it_hides_a_learners_debrief_from_other_learners(client, people, scenario):
    session = finished(people, scenario)
    client.force_login(people.bob)
    assert client.get(reverse("roleplay_debrief", args=[session.pk])).status_code == 404


def test_it_lists_only_the_trainers_own_trainees(client, people, scenario):
    finished(people, scenario)
    client.force_login(people.tom)
    assert "テスト訪問" in client.get(reverse("trainer_roleplay")).content.decode()
    client.force_login(people.tina)
    html = client.get(reverse("trainer_roleplay")).content.decode()
    assert "テスト訪問" not in html
    client.force_login(people.alice)
    assert client.get(reverse("trainer_roleplay")).status_code == 403


def test_it_runs_peer_practice_from_persona_card_to_observer_scores(client, people, scenario):
    client.force_login(people.alice)
    acknowledge(people.alice, NoticeAcknowledgement.PRACTICE)
    client.post(reverse("roleplay_start", args=[scenario.slug]), {"mode": "peer"})
    session = PracticeSession.objects.get(mode=Mode.PEER)
    # Twenty minutes of practice: less than a minute credits nothing.
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=session.started_at - timedelta(minutes=20)
    )
    learner_html = client.get(reverse("roleplay_peer", args=[session.pk])).content.decode()
    assert "実母には頼れない" not in learner_html
    persona_url = reverse("roleplay_peer_join", args=[session.peer_code, "persona"])
    assert persona_url in learner_html
    # The learner may not open the persona's screen.
    assert client.get(persona_url).status_code == 302

    client.force_login(people.bob)
    assert "実母には頼れない" in client.get(persona_url).content.decode()
    observer_url = reverse("roleplay_peer_join", args=[session.peer_code, "observer"])
    response = client.post(
        observer_url,
        {"empathy-level": "3", "empathy-evidence": "「大変でしたね」", "comment": "よく聴けていた"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.ENDED
    score = session.scores.get()
    assert score.scorer == people.bob
    assert score.scores["empathy"] == {"level": 3, "evidence": ["「大変でしたね」"], "comment": ""}
    assert score.scores["boundaries"]["level"] is None
    assert HoursEntry.objects.filter(user=people.alice, source=HoursSource.ROLEPLAY).exists()


def test_it_rejects_an_out_of_range_peer_level(client, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.PEER)
    client.force_login(people.bob)
    url = reverse("roleplay_peer_join", args=[session.peer_code, "observer"])
    client.post(url, {"empathy-level": "9"})
    session.refresh_from_db()
    assert session.status == SessionStatus.ACTIVE
    assert not session.scores.exists()


def test_it_refuses_to_save_a_script_with_unreachable_nodes(db):
    scenario = build_scenario()
    data = scenario.as_data()
    data["nodes"].append({"id": "orphan", "line": "……", "ending": "mixed", "summary": "x"})
    scenario.set_script_data(data)
    with pytest.raises(ValidationError) as caught:
        scenario.full_clean()
    assert "ノード 'orphan' には最初のノードからたどり着けません" in str(caught.value)


def test_it_previews_the_script_outline_with_its_problems(db, people):
    scenario = build_scenario()
    data = scenario.as_data()
    data["nodes"][1]["choices"][0]["next"] = "missing"
    scenario.set_script_data(data)
    request = RequestFactory().get("/")
    request.user = people.tom
    response = scenario.make_preview_request(request, "outline")
    html = response.render().content.decode()
    assert "行き先 &#x27;missing&#x27; は、存在しないノードです" in html
    assert "end-good" in html


def test_it_lets_trainers_open_the_scenario_editor(client, people, scenario):
    ensure_groups()
    client.force_login(people.tom)
    url = reverse("wagtailsnippets_roleplay_scenario:edit", args=[scenario.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "state_variables" in response.content.decode()


def test_it_masks_personal_information_in_the_observers_notes(client, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.PEER)
    client.force_login(people.bob)
    url = reverse("roleplay_peer_join", args=[session.peer_code, "observer"])
    client.post(
        url,
        {
            "empathy-level": "2",
            "empathy-evidence": "森さんに電話番号090-1234-5678を聞いていた",
            "comment": "連絡先はyamada@example.jpと言っていた",
        },
    )
    score = session.scores.get()
    assert score.scores["empathy"]["evidence"] == ["森さんに電話番号〔電話番号〕を聞いていた"]
    assert "example.jp" not in score.comment


# --- Flows without dead ends ----------------------------------------------------------------


def test_it_addresses_the_trainee_when_a_trainer_reads_the_debrief(client, people, scenario):
    session = finished(people, scenario)
    client.force_login(people.tom)
    html = client.get(reverse("roleplay_debrief", args=[session.pk])).content.decode()
    assert "有田 愛" in html
    for reader_words in ("あなたが選んだ", "あなたの発言", "Scored from the choices you made"):
        assert reader_words not in html
    assert '<span class="who">有田 愛</span>' in html
    assert '<span class="who">あなた</span>' not in html


def test_it_does_not_show_the_ai_message_for_an_unfinished_scripted_session(
    client, people, scenario
):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    services.submit(session, choice="listen")
    client.force_login(people.tom)
    html = client.get(reverse("roleplay_debrief", args=[session.pk])).content.decode()
    assert "AI" not in html.split("<h2>")[2]  # the rubric section
    assert "実施中" in html or "in progress" in html


def test_it_lists_trainees_sessions_with_names_and_translated_endings(client, people, scenario):
    finished(people, scenario)
    client.force_login(people.tom)
    html = client.get(reverse("trainer_roleplay")).content.decode()
    assert "有田 愛" in html
    assert "(poor)" not in html and "poor" not in html.split("<tbody>")[1]
    assert "難しい" in html or "A difficult ending" in html
    # Every cell names its column, so on a phone each row reads as a card.
    assert '<table class="records">' in html
    assert html.count('data-label="') == 5


def test_it_writes_practice_dates_the_japanese_way(alice, people, scenario):
    finished(people, scenario)
    html = alice.get(reverse("roleplay_scenarios")).content.decode()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日（.）\d{1,2}:\d{2}", html)


def test_it_marks_the_unavailable_ai_partner_as_disabled(alice, scenario, settings):
    settings.YORISOI_LLM_MODEL = ""
    html = alice.get(reverse("roleplay_scenario", args=[scenario.slug])).content.decode()
    button = re.search(r'<button[^>]*aria-describedby="no-llm"[^>]*>', html).group(0)
    assert 'aria-disabled="true"' in button and 'type="button"' in button
    assert 'value="llm"' not in html


@pytest.fixture
def peer_session(people, scenario):
    return services.start_session(people.alice, scenario, Mode.PEER)


def observe(client, session, data):
    url = reverse("roleplay_peer_join", args=[session.peer_code, "observer"])
    return client.post(url, data)


def test_it_thanks_the_observer_on_a_page_of_their_own(client, people, peer_session):
    client.force_login(people.bob)
    response = observe(client, peer_session, {"empathy-level": "3", "comment": "よく聴けていた"})
    done = reverse("roleplay_peer_done", args=[peer_session.peer_code])
    assert response.url == done
    page = client.get(done)
    assert page.status_code == 200
    html = page.content.decode()
    assert "有田 愛" in html and "3 / 4" in html and "よく聴けていた" in html
    # The observer's link now leads to the same page, and the learner's feedback stays theirs.
    assert (
        client.get(reverse("roleplay_peer_join", args=[peer_session.peer_code, "observer"])).url
        == done
    )
    assert client.get(reverse("roleplay_debrief", args=[peer_session.pk])).status_code == 404

    client.force_login(people.charlie)
    assert client.get(done).status_code == 404


def test_it_redisplays_the_observer_form_with_its_errors(client, people, peer_session):
    client.force_login(people.bob)
    response = observe(client, peer_session, {"empathy-level": "9", "comment": "x" * 2001})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'name="empathy-level"' in html
    peer_session.refresh_from_db()
    assert peer_session.is_active and not peer_session.scores.exists()


def test_it_shows_no_form_once_someone_else_scored(client, people, peer_session):
    client.force_login(people.bob)
    observe(client, peer_session, {"empathy-level": "2"})
    client.force_login(people.charlie)
    url = reverse("roleplay_peer_join", args=[peer_session.peer_code, "observer"])
    html = client.get(url).content.decode()
    assert 'name="empathy-level"' not in html
    assert reverse("roleplay_debrief", args=[peer_session.pk]) not in html


def test_it_gives_the_learner_qr_codes_and_copy_buttons(alice, peer_session):
    html = alice.get(reverse("roleplay_peer", args=[peer_session.pk])).content.decode()
    assert html.count('<svg viewBox="') == 2
    assert html.count("data-copy=") == 2
    assert html.count('class="link-text"') == 2  # long links wrap instead of overflowing
    assert "<script>" not in html
    assert "peer.js" in html


def test_it_tells_the_learners_page_when_the_scores_arrive(client, people, peer_session):
    status_url = reverse("roleplay_status", args=[peer_session.pk])
    client.force_login(people.alice)
    assert client.get(status_url).json()["status"] == "active"
    client.force_login(people.bob)
    observe(client, peer_session, {"empathy-level": "4"})
    assert client.get(status_url).status_code == 404  # only the learner's own
    client.force_login(people.alice)
    answer = client.get(status_url).json()
    assert answer == {
        "status": "ended",
        "debrief": reverse("roleplay_debrief", args=[peer_session.pk]),
    }
