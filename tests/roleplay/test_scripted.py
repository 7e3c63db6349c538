"""Scripted practice: deterministic turns, free text matched to a choice, scores, hours."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from courses.models import HoursEntry, HoursSource
from roleplay import services
from roleplay.debrief import debrief_of
from roleplay.models import Mode, PracticeSession, SessionStatus, Speaker, Turn
from tests.factories import build_scenario


def play(session, **kwargs):
    submitted = services.submit(session, **kwargs)
    session.refresh_from_db()
    return submitted, submitted.reply.turn


@pytest.fixture
def session(people, scenario):
    return services.start_session(people.alice, scenario, Mode.SCRIPTED)


def started_minutes_ago(session, minutes):
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes)
    )
    session.refresh_from_db()


def test_it_opens_with_the_start_nodes_line(session):
    turns = list(session.turns.all())
    assert [(t.speaker, t.text) for t in turns] == [(Speaker.PERSONA, "散らかっててすみません……。")]
    assert session.state == {"trust": 40}
    assert session.node == "start"


def test_it_follows_the_chosen_branch_and_applies_effects(session):
    _, reply = play(session, choice="listen")
    assert reply.text == "夜が……ほとんど寝られなくて。"
    assert session.state == {"trust": 60}
    assert session.node == "tired"
    assert reply.state_after == {"trust": 60}


def test_it_matches_free_text_to_the_nearest_choice(session):
    submitted, reply = play(session, text="気にしないでください、最近は眠れていますか")
    assert submitted.matched.id == "listen"
    assert submitted.turn.matched is True
    assert submitted.turn.text == "気にしないでください、最近は眠れていますか"
    assert session.node == "tired"


def test_it_refuses_free_text_that_matches_no_choice_and_saves_nothing(session):
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text="ABCDEFG")
    assert caught.value.code == "no_match"
    assert session.turns.count() == 1


def test_it_answers_a_repeated_choice_as_a_reply_on_its_way(session):
    play(session, choice="listen")
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, choice="listen")  # a double click, served one after the other
    assert caught.value.code == "reply_in_progress"
    assert session.turns.count() == 3


def test_it_refuses_a_choice_hidden_by_its_condition(session):
    play(session, choice="listen")  # trust 60
    play(session, choice="lecture")  # trust 50, now at "defensive"
    with pytest.raises(services.PracticeError):
        services.submit(session, choice="insist")  # needs trust <= 30
    assert session.current_node().id == "defensive"


def test_it_ends_at_an_ending_scores_the_choices_and_credits_hours(people, session):
    started_minutes_ago(session, 5)
    play(session, choice="listen")
    play(session, choice="reflect")
    assert session.status == SessionStatus.ENDED
    assert session.ending == "good"
    scores = debrief_of(session)["scores"]
    assert scores["empathy"]["level"] == 4
    # The learner's own words, verbatim: the page quotes them, so no brackets are added.
    said = [t.text.strip("「」") for t in session.turns.filter(speaker="learner")]
    assert scores["empathy"]["evidence"][0] in said
    assert scores["boundaries"]["level"] is None
    entry = HoursEntry.objects.get(source=HoursSource.ROLEPLAY)
    assert (entry.user, entry.course, entry.minutes) == (people.alice, people.course, 5)
    assert session.hours_entry == entry
    assert session.ending_node.id == "end-good"


def test_it_credits_nothing_when_the_learner_stops_before_an_ending(session):
    started_minutes_ago(session, 5)
    play(session, choice="listen")
    services.end_session(session)
    assert session.status == SessionStatus.ENDED
    assert session.ending_node is None
    assert session.hours_entry is None
    assert not HoursEntry.objects.exists()


def test_it_ends_early_when_an_end_rule_fires(session):
    play(session, choice="advise")  # 40 → 20, defensive
    play(session, choice="insist")  # 20 → 0 → end-poor
    assert session.ending == "poor"
    assert session.status == SessionStatus.ENDED
    assert session.ending_node.id == "end-poor"
    assert debrief_of(session)["ending"]["kind"] == "poor"


def test_it_refuses_turns_after_the_end(session):
    play(session, choice="advise")
    play(session, choice="leave")
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, choice="listen")
    assert caught.value.code == "ended"


def test_it_names_the_better_line_for_the_weakest_moment(session):
    play(session, choice="advise")
    play(session, choice="leave")
    moments = debrief_of(session)["moments"]
    assert moments[0]["you_said"] == "「片付けは毎日少しずつやるのがコツですよ。」"
    assert moments[0]["better"] == "「気にしないでください。最近、眠れていますか？」"


def test_it_draws_the_state_curve_from_every_reply(session):
    play(session, choice="listen")
    play(session, choice="lecture")
    curve = debrief_of(session)["state_curve"]
    assert [point["trust"] for point in curve] == [40, 60, 50]


def test_it_masks_personal_information_but_not_the_personas_name(session):
    submitted, _ = play(
        session, text="森さん、気にしないでください。最近眠れていますか。090-1234-5678"
    )
    stored = Turn.objects.get(pk=submitted.turn.pk).text
    assert "090" not in stored
    assert "森さん" in stored
    assert submitted.turn.masked == ["phone"]
    assert "電話番号" in submitted.notice


def test_it_rejects_a_turn_longer_than_the_cap(settings, session):
    settings.YORISOI_ROLEPLAY_MAX_INPUT = 20
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text="あ" * 21)
    assert caught.value.code == "too_long"
    assert session.turns.count() == 1


def test_it_branches_from_an_earlier_turn(people, session):
    play(session, choice="advise")
    play(session, choice="leave")
    first_learner = session.turns.filter(speaker=Speaker.LEARNER).first()
    new = services.branch(session, people.alice, first_learner.index)
    assert new.branched_from == session
    assert new.node == "start" and new.state == {"trust": 40}
    assert list(new.turns.values_list("text", flat=True)) == ["散らかっててすみません……。"]
    _, reply = play(new, choice="listen")
    assert reply.text == "夜が……ほとんど寝られなくて。"


def test_it_counts_the_turns_a_branch_replays_toward_the_turn_limit(people):
    loop = build_scenario("loop", turn_limit=4)
    session = services.start_session(people.alice, loop, Mode.SCRIPTED)
    for move in ("listen", "lecture", "repair"):
        play(session, choice=move)
    assert session.learner_turns == 3 and session.is_active
    third = session.turns.filter(speaker=Speaker.LEARNER).order_by("index").last()
    new = services.branch(session, people.alice, third.index)
    assert new.learner_turns == 2
    play(new, choice="repair")
    assert new.is_active
    play(new, choice="lecture")
    assert new.learner_turns == 4
    assert new.status == SessionStatus.ENDED and new.ending


def test_it_counts_the_learner_turns_of_sessions_started_before_the_count(session):
    migration = import_module("roleplay.migrations.0004_learner_turn_count")
    play(session, choice="advise")
    play(session, choice="leave")
    fresh = services.start_session(session.user, session.scenario, Mode.SCRIPTED)
    PracticeSession.objects.update(learner_turns=0)
    migration.count_learner_turns(apps, None)
    session.refresh_from_db()
    fresh.refresh_from_db()
    assert (session.learner_turns, fresh.learner_turns) == (2, 0)


def test_it_offers_the_ai_partner_only_when_configured(settings, fake_llm):
    assert services.available_modes() == ["scripted", "llm", "peer"]
    settings.YORISOI_LLM_MODEL = ""
    assert services.available_modes() == ["scripted", "peer"]


def test_it_explains_that_no_ai_partner_is_configured(settings, people, scenario):
    settings.YORISOI_LLM_MODEL = ""
    with pytest.raises(services.PracticeError) as caught:
        services.start_session(people.alice, scenario, Mode.LLM)
    assert caught.value.code == "llm_unavailable"
    assert not scenario.sessions.exists()


def test_it_keeps_transcripts_when_the_scenario_is_deleted(session, scenario):
    play(session, choice="listen")
    scenario.delete()
    session.refresh_from_db()
    assert session.scenario is None
    assert session.turns.count() == 3
    assert debrief_of(session)["state_curve"][-1] == {"turn": 2, "trust": 60}
