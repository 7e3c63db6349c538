"""`manage.py roleplay SLUG`: play a script in the terminal; nothing is kept."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roleplay.models import PracticeSession
from tests.fake_openai import Reply


def play(*args, keys="", **options):
    out, err = StringIO(), StringIO()
    call_command("roleplay", *args, stdin=StringIO(keys), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_plays_a_script_to_an_ending_and_keeps_nothing(people, scenario):
    out, _ = play("test-visit", "--user", "ada", keys="1\n1\n")
    assert "散らかっててすみません" in out
    assert "1. 「気にしないでください。最近、眠れていますか？」" in out
    assert "== ending: good" in out
    assert not PracticeSession.objects.exists()


def test_it_matches_typed_words_and_reports_bad_numbers(people, scenario):
    out, err = play(
        "test-visit", "--user", "ada", keys="7\n片付けは毎日少しずつやるのがコツ\n:quit\n"
    )
    assert "Choose 1–2." in err
    assert "you chose: 「片付けは毎日少しずつやるのがコツですよ。」" in out


def test_it_plays_with_the_ai_partner(people, scenario, fake_llm):
    fake_llm.stream(Reply("はい、どうぞ。"))
    out, _ = play("test-visit", "--user", "ada", "--mode", "llm", keys="こんにちは\n:quit\n")
    assert "森 あかり: はい、どうぞ。" in out


def test_it_fails_clearly_for_an_unknown_scenario(people):
    with pytest.raises(CommandError, match="No scenario with the slug 'nope'"):
        play("nope", "--user", "ada")


def test_it_names_the_ending_an_ai_session_reaches_by_the_turn_limit(people, scenario, fake_llm):
    keys = "".join(f"{n}回目の発言です。\n" for n in range(6))
    out, _ = play("test-visit", "--user", "ada", "--mode", "llm", keys=keys)
    assert "== ending: " in out
    assert not PracticeSession.objects.exists()
