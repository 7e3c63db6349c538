"""Conversation-skill counts (MITI 4 style): per-turn codes, ratios and target bands."""

import pytest

from assessments.judges import heuristic
from assessments.judges.reading import read
from assessments.judges.skills import summarise
from assessments.rubrics import STANDARD
from tests.assessments.judging import transcript


def codes_of(persona: str, learner: str) -> list[str]:
    summary = summarise(read(transcript(persona, learner).numbered()))
    return summary.turns[0].codes


@pytest.mark.parametrize(
    ("persona", "learner", "codes"),
    [
        ("疲れてて。", "どんなときにいちばん疲れを感じますか？", ["open_question"]),
        ("疲れてて。", "夜は眠れていますか？", ["closed_question"]),
        ("疲れてて。", "寝る時間もなくて、疲れがたまっているんですね。", ["reflection"]),
        ("疲れてて。", "それは大変でしたね。", ["reflection"]),
        ("今日は離乳食を作りました。", "離乳食を毎日作れていますね。", ["affirmation"]),
        (
            "寝かしつけが大変で。どうしたらいいですか？",
            "お風呂を早めにしてみてはどうでしょう。",
            ["advice_with_permission"],
        ),
        (
            "寝かしつけが大変で。",
            "お風呂を早めにしたほうがいいですよ。",
            ["advice_without_permission"],
        ),
        (
            "寝かしつけが大変で。",
            "一つお伝えしてもいいですか？お風呂を早めにしてみてはどうでしょう。",
            ["closed_question", "advice_with_permission"],
        ),
        ("今日は暑いですね。", "そうですね。", []),
    ],
)
def test_it_codes_each_learner_turn(persona, learner, codes):
    assert codes_of(persona, learner) == codes


def test_it_sums_up_with_ratios_and_bands():
    t = transcript(
        "夜泣きがつらくて。",
        "眠れない夜が続いて、つらいんですね。",
        "はい。",
        "ひとりで抱えてこられたんですね。どんなときがいちばん大変ですか？",
        "明け方です。",
        "明け方がいちばんしんどいんですね。",
    )
    skills = heuristic.assess(t, STANDARD).skills
    assert skills.learner_turns == 3
    assert skills.counts["reflection"] == 3
    assert skills.counts["open_question"] == 1
    assert skills.reflection_to_question == 3.0
    assert skills.open_question_share == 1.0
    assert skills.bands == {"reflection_to_question": "good", "open_question_share": "good"}


def test_it_marks_an_interview_of_closed_questions_below_target():
    t = transcript(
        "最近ちょっと疲れてて。",
        "夜は眠れていますか？",
        "あんまり。",
        "ご主人は手伝ってくれますか？",
        "たまに。",
        "疲れがたまっているんですね。実家は近いですか？",
    )
    skills = heuristic.assess(t, STANDARD).skills
    assert skills.counts["closed_question"] == 3
    assert skills.reflection_to_question == pytest.approx(0.33)
    assert skills.open_question_share == 0.0
    assert skills.bands == {"reflection_to_question": "below", "open_question_share": "below"}


def test_it_places_the_thresholds_as_miti_4_does_for_trainees():
    fair = transcript(
        "疲れてて。",
        "疲れているんですね。どんなことがいちばん大変ですか？",
        "家事です。",
        "家事が重なるとつらいですよね。夜は眠れていますか？",
    )
    skills = heuristic.assess(fair, STANDARD).skills
    assert skills.reflection_to_question == 1.0
    assert skills.open_question_share == 0.5
    assert skills.bands == {"reflection_to_question": "fair", "open_question_share": "fair"}


def test_it_has_nothing_to_measure_without_questions_or_reflections():
    skills = heuristic.assess(transcript("こんにちは。", "こんにちは。"), STANDARD).skills
    assert skills.reflection_to_question is None
    assert skills.open_question_share is None
    assert skills.bands == {"reflection_to_question": None, "open_question_share": None}


def test_it_counts_reflections_without_any_question_as_meeting_the_ratio():
    skills = heuristic.assess(transcript("疲れてて。", "疲れているんですね。"), STANDARD).skills
    assert skills.reflection_to_question is None
    assert skills.bands["reflection_to_question"] == "good"
