"""The heuristic judge: levels per criterion, no-occasion nulls, blockers, evidence and the
fairness of judging by rates rather than length."""

import pytest

from assessments.judges import heuristic
from assessments.judges.base import NO_OCCASION
from assessments.judges.transcript import Transcript
from assessments.rubrics import STANDARD, CriterionSpec
from tests.assessments.judging import labelled, transcript


def levels(t: Transcript) -> dict:
    return {k: s.level for k, s in heuristic.assess(t, STANDARD).scores.items()}


def test_it_scores_a_listening_conversation_high():
    t = transcript(
        "最近、夜泣きがひどくて全然眠れないんです。もう限界で。",
        "眠れない夜が続いて、本当につらいんですね。",
        "はい。夫は朝が早いので、夜はずっと私ひとりで。",
        "毎晩ひとりで抱っこを続けていらっしゃるんですね。どんな時間帯がいちばん大変ですか？",
    )
    got = levels(t)
    assert got["empathy"] == 4
    assert got["non_directive"] == 4
    assert got["strengths"] == 4
    assert got["needs_elicitation"] == 3


def test_it_scores_lecturing_low_and_quotes_the_lecture():
    t = transcript(
        "離乳食、なかなか食べてくれなくて不安なんです。",
        "もっと手作りのものをあげるべきです。",
        "仕事もあって、時間がなくて……。",
        "普通はもう一日二回食べてますよ。ちゃんとしなきゃだめですよ。",
    )
    judgement = heuristic.assess(t, STANDARD)
    score = judgement.scores["non_directive"]
    assert score.level == 1
    assert "もっと手作りのものをあげるべきです。" in score.evidence
    assert score.better_line
    assert {(h.rule, h.turn) for h in score.rules} >= {
        ("non_directive.should", 1),
        ("non_directive.judgement", 3),
        ("non_directive.must", 3),
    }
    assert judgement.scores["empathy"].level == 1


def test_it_gives_null_when_the_conversation_gave_no_occasion():
    t = transcript("今日は公園に行きました。", "公園、楽しかったんですね。どんな遊びをしましたか？")
    scores = heuristic.assess(t, STANDARD).scores
    for key in ("boundaries", "confidentiality", "safety"):
        assert scores[key].level is None
        assert scores[key].comment == NO_OCCASION
        assert scores[key].evidence == []


def test_it_fails_safety_when_the_learner_promises_to_keep_a_risk_secret():
    t = transcript(
        "夫に殴られることがあって……。でも市には言わないでください。",
        "つらかったですね。わかりました、誰にも言いません。",
    )
    judgement = heuristic.assess(t, STANDARD)
    safety = judgement.scores["safety"]
    assert safety.level == 1
    assert safety.evidence == ["わかりました、誰にも言いません。"]
    assert any(h.rule == "safety.secrecy" and h.turn == 1 for h in safety.rules)
    assert judgement.passed is False


def test_it_fails_safety_when_a_statement_of_risk_goes_unanswered():
    t = transcript(
        "毎日がしんどくて、もう死にたいって思うこともあるんです。",
        "そうなんですね。じゃあ今日は洗濯から始めましょうか？",
        "……はい。",
        "お昼ご飯は何にしますか？",
    )
    safety = heuristic.assess(t, STANDARD).scores["safety"]
    assert safety.level == 1
    (missed,) = [h for h in safety.rules if h.rule == "safety.missed"]
    assert missed.turn == 0
    # The persona's words explain the rule, but evidence only ever quotes the learner.
    assert "死にたい" not in "".join(safety.evidence)


def test_it_scores_safety_by_how_the_risk_was_answered():
    said = "泣き止まなくて、つい叩いてしまったんです。"
    acknowledged = transcript(
        said, "話してくださってありがとうございます。お子さんはいま大丈夫ですか？"
    )
    escalated = transcript(said, "このことはコーディネーターにすぐ伝えますね。")
    both = transcript(
        said,
        "話してくださってありがとうございます。お子さんを守るために、コーディネーターと共有させてください。",
    )
    assert levels(acknowledged)["safety"] == 2
    assert levels(escalated)["safety"] == 3
    assert levels(both)["safety"] == 4


def test_it_marks_a_secrecy_promise_without_risk_as_a_concern_not_a_failure():
    t = transcript("この話、ここだけにしてくださいね。", "はい、誰にも言いません。")
    assert levels(t)["safety"] == 2


def test_it_fails_confidentiality_when_another_familys_details_are_told():
    t = transcript(
        "隣の家も支援を受けてるって本当ですか？",
        "ええ、隣の田中さんのところも離婚されて大変なんですよ。",
    )
    judgement = heuristic.assess(t, STANDARD)
    assert judgement.scores["confidentiality"].level == 1
    assert judgement.passed is False


def test_it_fails_boundaries_on_a_promise_only_the_municipality_can_keep():
    t = transcript(
        "来月で支援が終わるって聞いて、不安で。延長してもらえませんか？",
        "大丈夫です、必ず延長できますよ。",
    )
    assert levels(t)["boundaries"] == 1


def test_it_rewards_explaining_the_rules_and_referring_the_decision():
    t = transcript(
        "週に一回じゃ足りないんです。毎日来てもらえませんか？",
        "回数は市の制度で決まっていて、私の判断ではお約束できないんです。"
        "コーディネーターから市の担当の方に確認して、お返事しますね。",
    )
    assert levels(t)["boundaries"] == 4


def test_it_counts_repeated_requests_as_orders_but_not_a_single_one():
    once = transcript(
        "疲れてて。",
        "それは大変ですね。",
        "はい。",
        "ゆっくりできる時間はありますか？",
        "あまり。",
        "毎日お風呂に入れてください。",
    )
    again = transcript(
        "疲れてて。",
        "毎日お風呂に入れてください。",
        "はい。",
        "ミルクは三時間おきにあげてください。",
    )
    assert levels(once)["non_directive"] == 4
    assert levels(again)["non_directive"] == 1


def test_it_tells_advice_with_permission_from_advice_without():
    asked = transcript(
        "寝かしつけに毎晩二時間かかるんです。どうしたらいいですか？",
        "お風呂の時間を早めたほうがいいですよ。",
    )
    unasked = transcript(
        "寝かしつけに毎晩二時間かかるんです。", "お風呂の時間を早めたほうがいいですよ。"
    )
    assert levels(asked)["non_directive"] == 4
    assert levels(unasked)["non_directive"] == 2


def test_it_leaves_criteria_it_has_no_rules_for_to_people():
    rubric = STANDARD.with_extra([CriterionSpec(key="scheduling", label="日程調整")])
    scores = heuristic.assess(transcript("こんにちは。", "こんにちは。"), rubric).scores
    assert scores["scheduling"].level is None
    assert scores["scheduling"].comment == heuristic.NOT_COVERED


def test_it_reports_the_turns_own_numbers():
    t = Transcript.model_validate(
        {
            "turns": [
                {"speaker": "persona", "text": "つらいんです。", "index": 10},
                {"speaker": "learner", "text": "もっと頑張るべきです。", "index": 11},
            ]
        }
    )
    rules = heuristic.assess(t, STANDARD).scores["non_directive"].rules
    assert [(h.rule, h.turn) for h in rules] == [("non_directive.should", 11)]


def test_it_quotes_only_verbatim_pieces_of_the_learners_turns():
    for item in labelled():
        t = Transcript.model_validate({"turns": item["turns"]})
        said = t.learner_texts()
        for key, score in heuristic.assess(t, STANDARD).scores.items():
            for quote in score.evidence:
                assert any(quote in text for text in said), (item["id"], key, quote)


@pytest.mark.parametrize("item", labelled(), ids=lambda item: item["id"])
def test_it_judges_a_long_conversation_as_it_judges_a_short_one(item):
    """The same per-turn pattern gets the same levels at 6 turns and at 90."""
    short = Transcript.model_validate({"turns": item["turns"]})
    repeats = -(-90 // len(item["turns"]))
    long = Transcript.model_validate({"turns": item["turns"] * repeats})
    assert len(long.turns) >= 90
    assert levels(long) == levels(short)


def test_it_handles_an_empty_transcript_and_a_long_line_without_punctuation():
    assert set(levels(Transcript(turns=[])).values()) == {None}
    # 60,000 bytes in UTF-8: more than Sudachi takes at once.
    t = Transcript.model_validate({"turns": [{"speaker": "learner", "text": "あ" * 20_000}]})
    assert levels(t)["safety"] is None
