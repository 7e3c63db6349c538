"""Each heuristic rule on Japanese examples: where it must fire and where it must not."""

import pytest

from assessments.judges.reading import read
from assessments.judges.transcript import TranscriptTurn


def fired(text: str, speaker: str = "learner") -> set[str]:
    (turn,) = read([TranscriptTurn(speaker=speaker, text=text, index=0)]).turns
    return set(turn.fired)


LEARNER_CASES = [
    # non_directive
    ("non_directive.should", "もっと早く寝かせるべきです。", True),
    ("non_directive.should", "するべきだと思いますよ。", True),
    ("non_directive.should", "早く寝かせる方法もありますよ。", False),
    ("non_directive.must", "ちゃんとしなきゃだめですよ。", True),
    ("non_directive.must", "ご飯は手作りしないと。", True),
    ("non_directive.must", "寝かせないといけません。", True),
    ("non_directive.must", "無理しないでくださいね。", False),
    ("non_directive.command", "ちゃんと見てあげなさい。", True),
    ("non_directive.command", "もうやめろ。", True),
    ("non_directive.command", "いらっしゃい、どうぞ。", False),
    ("non_directive.judgement", "普通はもう卒乳してますよ。", True),
    ("non_directive.judgement", "それは甘やかしですね。", True),
    ("non_directive.judgement", "よく考えていらっしゃいますね。", False),
    ("non_directive.leading", "それはお母さんが悪いんじゃないですか。", True),
    ("non_directive.leading", "ずいぶん疲れているんじゃないですか。", False),
    ("non_directive.request", "毎日お風呂に入れてください。", True),
    ("non_directive.request", "もう少し聞かせてください。", False),
    ("non_directive.request", "コーディネーターと共有させてください。", False),
    ("non_directive.request", "話してくださってありがとうございます。", False),
    ("non_directive.options", "ミルクを足すという方法もあります。", True),
    ("non_directive.options", "よかったら一緒に考えませんか。", True),
    ("non_directive.options", "ミルクにしてください。", False),
    ("advice", "ミルクにしたほうがいいですよ。", True),
    ("advice", "早く寝かせたらどうですか？", True),
    ("advice", "一度試してみてください。", True),
    ("advice", "どうしたいですか？", False),
    ("permission", "一つお伝えしてもいいですか？", True),
    ("permission", "参考までに、ほかの方法もあります。", True),
    ("permission", "これをやってください。", False),
    # empathy
    ("empathy.reflection", "眠れなくてつらいんですね。", True),
    ("empathy.reflection", "不安を感じていらっしゃるんですね。", True),
    ("empathy.reflection", "ひとりで抱えてきたという気持ちなんですね。", True),
    ("empathy.reflection", "そうなんですね。", False),
    ("empathy.reflection", "いいお天気ですね。", False),
    ("empathy.validation", "大変でしたね。", True),
    ("empathy.validation", "それはつらかったですね。", True),
    ("empathy.validation", "寝不足だとしんどいですよね。", True),
    ("empathy.validation", "つらいですか？", False),
    ("empathy.validation", "明日は晴れますね。", False),
    ("empathy.dismissal", "気にしすぎですよ。", True),
    ("empathy.dismissal", "みんなそうですよ。", True),
    ("empathy.dismissal", "大丈夫ですよ。", True),
    ("empathy.dismissal", "頑張ってください。", True),
    ("empathy.dismissal", "毎日頑張っていらっしゃいますね。", False),
    ("empathy.dismissal", "大丈夫ですか？", False),
    # strengths
    ("strengths.concrete", "離乳食を毎日作れていますね。", True),
    ("strengths.concrete", "前より笑顔が増えましたね。", True),
    ("strengths.concrete", "お子さんの様子をよく見ていらっしゃるんですね。", True),
    ("strengths.concrete", "離乳食はできていますか？", False),
    ("strengths.concrete", "話してくださってありがとうございます。", False),
    ("strengths.praise", "すごいですね。", True),
    ("strengths.praise", "素敵なお名前ですね。", True),
    ("strengths.praise", "どうされましたか？", False),
    ("strengths.deficit", "まだ離乳食ができていないですね。", True),
    ("strengths.deficit", "栄養が足りないですよ。", True),
    ("strengths.deficit", "離乳食を毎日作れていますね。", False),
    # needs_elicitation
    ("needs.open_question", "どんなことに困っていますか？", True),
    ("needs.open_question", "何が一番大変ですか。", True),
    ("needs.open_question", "どのように進めたいですか？", True),
    ("needs.open_question", "もう少し聞かせてください。", True),
    ("needs.open_question", "何か困っていることはありますか？", False),
    ("needs.open_question", "早く寝かせたらどうですか？", False),
    ("needs.closed_question", "夜は眠れていますか？", True),
    ("needs.closed_question", "何か困っていることはありますか？", True),
    ("needs.closed_question", "どんなことに困っていますか？", False),
    ("needs.closed_question", "そうなんですか？", False),
    ("needs.hand_back", "〇〇さんはどうしたいですか？", True),
    ("needs.hand_back", "どちらにするかは決めていただいて大丈夫です。", True),
    ("needs.hand_back", "ご自身で選んでいいんですよ。", True),
    ("needs.hand_back", "こちらで決めておきますね。", False),
    ("needs.decide_for", "こちらで決めておきますね。", True),
    ("needs.decide_for", "では火曜日にしましょう。", True),
    ("needs.decide_for", "どちらがいいですか？", False),
    # boundaries
    ("boundaries.promise", "必ず延長できますよ。", True),
    ("boundaries.promise", "延長しますね。", True),
    ("boundaries.promise", "約束します。", True),
    ("boundaries.promise", "私がなんとかします。", True),
    ("boundaries.promise", "延長はお約束できないんです。", False),
    ("boundaries.promise", "必ずコーディネーターに伝えます。", False),
    ("boundaries.distance", "私の連絡先を教えますね。", True),
    ("boundaries.distance", "休みの日にも来ますよ。", True),
    ("boundaries.distance", "事務所の連絡先はこちらです。", False),
    ("boundaries.limits", "それは決まりでできないんです。", True),
    ("boundaries.limits", "私の判断ではお約束できません。", True),
    ("boundaries.limits", "手伝ってもらえませんか？", False),
    ("boundaries.refer", "市の担当の方に確認してお返事します。", True),
    ("boundaries.refer", "コーディネーターに相談しますね。", True),
    ("boundaries.refer", "今日はいいお天気ですね。", False),
    # confidentiality
    ("confidentiality.disclosure", "隣の田中さんのところも離婚したんですよ。", True),
    ("confidentiality.disclosure", "他のご家庭では夫婦げんかが絶えないんです。", True),
    ("confidentiality.disclosure", "佐藤さんのところも大変だったんですよ。", True),
    ("confidentiality.disclosure", "他のご家庭でも同じように悩む方は多いですよ。", False),
    ("confidentiality.disclosure", "ほかのご家庭のことはお話しできないんです。", False),
    ("confidentiality.protect", "ほかのご家庭のことはお話しできないんです。", True),
    ("confidentiality.protect", "個人情報なのでお答えできません。", True),
    ("confidentiality.protect", "お隣さんは優しい方ですね。", False),
    ("confidentiality.with_whom", "このお話はコーディネーターと共有しますね。", True),
    ("confidentiality.with_whom", "市の担当の方にお伝えしてもいいですか？", True),
    ("confidentiality.with_whom", "誰にも言いませんよ。", False),
    # safety
    ("safety.secrecy", "誰にも言いません。", True),
    ("safety.secrecy", "内緒にしておきますね。", True),
    ("safety.secrecy", "ここだけの話にしましょう。", True),
    ("safety.secrecy", "内緒にはできないんです。", False),
    ("safety.secrecy", "誰にも言わないとはお約束できないんです。", False),
    ("safety.acknowledge", "話してくださってありがとうございます。", True),
    ("safety.acknowledge", "お子さんはいま大丈夫ですか？", True),
    ("safety.acknowledge", "今日はいいお天気ですね。", False),
    ("safety.escalate", "このことはコーディネーターにすぐ伝えますね。", True),
    ("safety.escalate", "夜中でも189に電話できます。", True),
    ("safety.escalate", "児童相談所に相談しましょう。", True),
    ("safety.escalate", "少し様子を見ましょう。", False),
    ("safety.transparent", "秘密にはできないんです。", True),
    ("safety.transparent", "お子さんを守るために、共有させてください。", True),
    ("safety.transparent", "秘密にしておきますね。", False),
]


@pytest.mark.parametrize(("rule", "text", "expected"), LEARNER_CASES)
def test_it_fires_learner_rules_on_japanese_examples(rule, text, expected):
    assert (rule in fired(text)) is expected, (rule, text)


PERSONA_CASES = [
    ("persona.feeling", "最近ずっと眠れなくて、つらいんです。", True),
    ("persona.feeling", "もう限界です。", True),
    ("persona.feeling", "今日は公園に行きました。", False),
    ("persona.risk", "正直、死にたいと思うこともあって。", True),
    ("persona.risk", "泣き止まなくて、つい叩いてしまったんです。", True),
    ("persona.risk", "夫に殴られることがあって。", True),
    ("persona.risk", "腕にあざができてて。", True),
    ("persona.risk", "ご飯をあげていない日もあります。", True),
    ("persona.risk", "今日は公園に行きました。", False),
    ("persona.request", "来週から回数を増やしてもらえませんか？", True),
    ("persona.request", "延長できますよね？", True),
    ("persona.request", "今日は暑いですね。", False),
    ("persona.asks_about_others", "隣の家ってどうなんですか？", True),
    ("persona.asks_about_others", "ほかのお母さんはどうしてるんですか？", True),
    ("persona.asks_about_others", "うちの子、最近よく笑うんです。", False),
    ("persona.sharing", "これ、市には言わないでくださいね。", True),
    ("persona.sharing", "今日は暑いですね。", False),
    ("persona.asks_advice", "どうしたらいいですか？", True),
    ("persona.asks_advice", "今日は暑いですね。", False),
]


@pytest.mark.parametrize(("rule", "text", "expected"), PERSONA_CASES)
def test_it_marks_persona_occasions(rule, text, expected):
    assert (rule in fired(text, speaker="persona")) is expected, (rule, text)


def test_it_keeps_learner_and_persona_rules_apart():
    assert "persona.risk" not in fired("叩いてしまったんですね。")
    assert "safety.secrecy" not in fired("誰にも言わないで。", speaker="persona")
