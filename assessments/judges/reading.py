"""The heuristic judge's reading of a transcript: which rule fires on which sentence.

Every rule is a named, labelled pattern, so a score can say exactly what it rests on
("non_directive.should on turn 4: 「もっと早く寝かせるべきです。」"). Learner rules describe what
the learner did; persona rules mark the occasions the learner had to respond to (a feeling, a
request, a statement of risk). The scoring in `heuristic.py` and the skill counts in
`skills.py` both work from this reading, so they can never disagree about a sentence.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .japanese import Sentence, sentences
from .transcript import LEARNER, TranscriptTurn

# Feelings a parent may voice, as Sudachi's dictionary or normalised forms.
EMOTIONS = frozenset(
    {
        "辛い",
        "つらい",
        "大変",
        "不安",
        "心配",
        "疲れる",
        "苦しい",
        "寂しい",
        "淋しい",
        "悲しい",
        "怖い",
        "悔しい",
        "しんどい",
        "きつい",
        "苛々",
        "イライラ",
        "焦る",
        "落ち込む",
        "困る",
        "憂鬱",
        "孤独",
        "泣く",
        "嫌",
        "限界",
        "情けない",
        "自信",
        "責める",
        "眠る",
        "参る",
        "もやもや",
        "モヤモヤ",
        "ストレス",
        "腹",
        "怒る",
        "ショック",
        "虚しい",
    }
)

_ENDS_WITH_NE = re.compile(r"(?:ね|よね|ねえ)[。！!…〜ー]*$")
_MINIMAL = re.compile(
    r"^(?:そう|そっか|そうか|なるほど|はい|ええ|うん)(?:なん|な)?(?:です|だ)?(?:ね|か|よね)?[。！!？?]*$"
)


@dataclass(frozen=True)
class Rule:
    """A pattern over one sentence. It fires when any of its patterns match (or `test`
    holds) and `unless` does not match the sentence's text."""

    name: str
    label: str
    text: str = ""
    lemmas: str = ""
    surfaces: str = ""
    core: str = ""
    unless: str = ""
    test: Callable[[Sentence], bool] | None = None
    # A finding serious enough that no other judge may raise the level above it (a promise
    # to keep a risk secret, another family's details).
    hard: bool = False
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for view in ("text", "lemmas", "surfaces", "core", "unless"):
            if getattr(self, view):
                self._compiled[view] = re.compile(getattr(self, view))

    def fires(self, sentence: Sentence) -> bool:
        unless = self._compiled.get("unless")
        if unless and unless.search(sentence.text):
            return False
        if any(
            pattern.search(getattr(sentence, view))
            for view, pattern in self._compiled.items()
            if view != "unless"
        ):
            return True
        return bool(self.test and self.test(sentence))


def _validates(s: Sentence) -> bool:
    return s.has(EMOTIONS) and not s.question and bool(_ENDS_WITH_NE.search(s.text))


def _can_do(s: Sentence) -> bool:
    """作れていますね, 書けましたね: naming something the person has managed to do."""
    return (
        s.potential
        and not s.question
        and "ない" not in s.text
        and bool(re.search(r"て(?:い)?(?:ます|る|らっしゃ)|ました", s.text))
    )


def _asks_to_tell(s: Sentence) -> bool:
    """どんな様子か教えてください: an open question phrased as a request."""
    return s.interrogative and bool(
        re.search(r"(?:教えて|話して)(?:ください|いただけ|もらえ)", s.text)
    )


def _leading(s: Sentence) -> bool:
    # 疲れているんじゃないですか is a tentative reflection of a feeling, not a verdict.
    return bool(re.search(r"(?:ん|の)じゃないですか|のではないですか", s.text)) and not s.has(
        EMOTIONS
    )


_ADVICE = (
    r"(?:ほう|方)がいい|たら(?:どう|いい|いかが)|てみて(?:ください|は|ね)|てみたら|といいですよ"
    r"|といいと思います|ば(?:いい|よい)(?:です|と思)|おすすめ|お勧め|勧めます|するといい"
)
_OTHER_FAMILY = (
    r"隣の|お隣|近所の|同じマンションの|(?:他|ほか|別)の(?:ご)?(?:家庭|お宅|利用者|お母さん)|よその"
    r"|前に担当した|[一-龥ぁ-んァ-ヶ〔〕]{1,8}さんの(?:ところ|とこ|お宅|家|うち)(?:も|でも)"
)
_DECIDERS = (
    r"(?:市|区|町|村|役所|役場|担当(?:者|の方)?|コーディネーター|事務所|上司|ケースワーカー"
    r"|保健師|センター)"
)

LEARNER_RULES = [
    # non_directive: lecturing, orders, verdicts
    Rule("non_directive.should", "べき論（〜すべき）", lemmas=r"\|べし\|"),
    Rule(
        "non_directive.must",
        "義務づけ（〜しなきゃ・〜しないと）",
        text=r"なきゃ|なくちゃ|なければ(?:いけ|なら|だめ|ダメ|駄目)|ないと(?:いけ|だめ|ダメ|駄目|まずい)"
        r"|ねばなら",
        core=r"\|ない\|と\|$",
    ),
    Rule(
        "non_directive.command",
        "命令（〜しなさい・〜しろ）",
        text=r"なさい[。！!]*$",
        test=lambda s: s.imperative,
    ),
    Rule(
        "non_directive.judgement",
        "決めつけ・評価（普通は・親なんだから・だめです）",
        text=r"普通は|(?:母|父)?親なんだから|甘やかし|わがまま|(?:だめ|ダメ|駄目)(?:です|だ|よ|でしょう)"
        r"|間違って(?:い)?(?:ます|る)|おかしいですよ|よくないですよ",
    ),
    Rule("non_directive.leading", "誘導・決めつけ（〜じゃないですか）", test=_leading),
    Rule(
        "non_directive.request",
        "依頼・指示（〜してください）",
        surfaces=r"\|(?:ください|下さい)\|",
        unless=r"(?:教えて|聞かせて|話して|聞いて|休んで|頼って|言って|待って|させて|なさって"
        r"|相談して|連絡して|お待ち|頑張って)(?:ください|下さい)",
    ),
    Rule(
        "non_directive.options",
        "選択肢・控えめな提案",
        text=r"(?:方法|手|やり方)もあります|選択肢|いくつか|どれか|どちらか|という(?:方|人)もいます"
        r"|こともできます|もできますよ|かもしれません|よかったら|よければ|よろしければ|いかがでしょう"
        r"|一つの(?:方法|案|考え)",
    ),
    Rule("advice", "助言（〜したほうがいい・〜してみて）", text=_ADVICE),
    Rule(
        "permission",
        "許可を求める・参考として伝える",
        text=r"(?:お伝え|お話し|ご提案|ご紹介|提案|紹介|お話|話)(?:して|させて)?も(?:いい|よろしい)"
        r"(?:です|でしょう)?か|参考まで|一つの(?:方法|案|考え)として|よかったら|よければ|よろしければ"
        r"|情報として",
    ),
    # empathy
    Rule(
        "empathy.reflection",
        "気持ちや状況の言い返し（〜なんですね）",
        lemmas=r"\|(?:ん|の)\|(?:です|だ)\|(?:ね|よね)\|",
        text=r"と感じ|と思って(?:い)?らっしゃ|という(?:お)?気持ち|ということ(?:なん)?ですね",
        unless=_MINIMAL.pattern,
    ),
    Rule(
        "empathy.validation",
        "気持ちを認める（大変でしたね・つらかったですね）",
        text=r"無理もない|当然です|自然なこと|お気持ち(?:は)?(?:よく)?わかります",
        test=_validates,
    ),
    Rule(
        "empathy.dismissal",
        "気持ちの打ち消し・励ましで流す",
        text=r"気にしすぎ|考えすぎ|気のせい|みんな(?:そう|同じ|やって|通る)|誰でも(?:そう|通る)"
        r"|よくあること|大したこと(?:ない|じゃ)|心配(?:いり|ありま|し)ません|心配ない(?:です)?よ"
        r"|大丈夫(?:です)?よ[。！!]*$|頑張って(?:ください|くださいね|ね)?[。！!]*$|頑張りましょう"
        r"|そんなこと(?:ない|ありません)|泣かないで",
    ),
    # strengths
    Rule(
        "strengths.concrete",
        "具体的な強み・変化を言葉にする（〜できていますね・前より）",
        text=r"できて(?:い)?(?:ます|る|らっしゃ)|できるようになっ|できましたね|(?<!話)して(?:くれて|くださって)"
        r"|前より|以前より|前に比べ|上手に|上手です|工夫(?:されて|して|なさって)"
        r"|続けて(?:い)?(?:ます|らっしゃ|こられ)|続けてきた|気づいて(?:い)?らっしゃ|気づけて"
        r"|よく(?:見て|気づ|考え)|(?:増え|減り|変わり|伸び)ましたね|落ち着いてきた",
        unless=r"[?？]$|ますか|ですか",
        test=_can_do,
    ),
    Rule(
        "strengths.praise",
        "一般的なほめ言葉（すごい・えらい）",
        text=r"すごい|すごく|えらい|偉い|素晴らしい|素敵|立派|頑張って(?:い)?らっしゃ|よく頑張"
        r"|頑張ってきた|頑張ってこられ|さすが|いいですね",
        unless=r"[?？]$|ますか|ですか",
    ),
    Rule(
        "strengths.deficit",
        "できていない点の指摘",
        text=r"できていない|できてない|できていません|足りない|足りません|不十分|ちゃんとして(?:い)?ない"
        r"|遅れて(?:い)?ます|問題(?:です|があります)|(?:だめ|ダメ|駄目)な",
        # Saying back what the person lacks (手が足りないんですね) is a reflection, not a verdict.
        unless=r"(?:ん|の)ですね[。！!]*$",
    ),
    # needs_elicitation
    Rule(
        "needs.invitation",
        "話を促す（聞かせてください）",
        text=r"聞かせて(?:ください|いただけ|もらえ|くれ)|お聞かせ"
        r"|(?:もう少し|もっと|詳しく)[^。！？]*?(?:教えて|話して)(?:ください|いただけ|もらえ|くれ)",
        test=_asks_to_tell,
        unless=r"(?:くれて|くださって)",
    ),
    Rule(
        "needs.hand_back",
        "決定を本人に返す（どうしたいですか）",
        text=r"どう(?:したい|されたい|なさりたい|していきたい|なったら|なると|していけたら)"
        r"|決めていただ|決めて(?:いい|大丈夫|ください|もらって)|お決めに|ご自身で|ご本人が"
        r"|さんが決め|選んでいただ|お選び|どちらが(?:いい|よろしい)|どうするかは|ご希望"
        r"|何を(?:望|希望)",
    ),
    Rule(
        "needs.decide_for",
        "本人の代わりに決める",
        text=r"(?:私|わたし|こちら)(?:が|で)決め|決めておき|決めておいた|決めました(?:ので|から)"
        r"|にしましょう(?:ね)?[。！!]*$|にしておきます",
    ),
    # boundaries
    Rule(
        "boundaries.promise",
        "他者が決めることの約束（必ず〜できます・延長します）",
        text=r"必ず[^。！？]*?(?:延長|増や|来られ|来れ|続けられ|使え|通り|認められ|大丈夫|できます)"
        r"|絶対(?:に)?[^。！？]*?(?:できます|大丈夫|なります|延長)"
        r"|延長(?:します|しますね|できます|しておきます|させます|してもらいます)|約束します"
        r"|増やします|増やせます|毎日(?:でも)?来(?:ます|れます)|任せてください|お任せください"
        r"|(?:なんとか|何とか)します",
        unless=r"約束(?:は|も)?でき|お約束でき(?:ない|ません)|[?？]$",
    ),
    Rule(
        "boundaries.distance",
        "個人的なつながり（連絡先の交換など）",
        text=r"(?:連絡先|LINE|ライン|携帯(?:の)?番号)[^。！？]*?(?:交換|教えます|お伝えします|送ります)"
        r"|個人的に(?:連絡|会|お手伝い|来|やり)|休みの日に(?:も)?来|内緒で(?:来|やり|手伝)",
    ),
    Rule(
        "boundaries.limits",
        "できること・できないことの説明",
        text=r"できないんです|できません|できないこと|できること|決まり|ルール|規則|制度"
        r"|できる範囲|範囲(?:内|外)"
        r"|約束(?:は|も)?でき(?:ない|ません)|お約束でき(?:ない|ません)|私の(?:一存|判断)では"
        r"|私だけでは|(?:私|わたし)からは(?:決め|お約束|言え)",
        # お話しできないんです is about someone's information: confidentiality's business.
        unless=r"[?？]$|ませんか|ないですか|お話し(?:することは)?でき|お伝えでき|お答えでき|言えな",
    ),
    Rule(
        "boundaries.refer",
        "決める人へつなぐ（担当の方に確認します）",
        text=_DECIDERS + r"[^。！？]*?(?:相談|確認|決め|判断|聞いて|伺|問い合わせ|お伝え|伝え)"
        r"|確認して(?:から)?(?:お返事|ご連絡|お伝え|連絡)",
    ),
    # confidentiality
    Rule(
        "confidentiality.disclosure",
        "他の家庭の事情を話す",
        text=_OTHER_FAMILY,
        unless=r"多い|多く|よくある|皆さん|みなさん|少なくない|珍しくない|たくさん|お話しでき|お伝えでき"
        r"|お答えでき|言えない|言えません|話せません|[?？]$|ですか|ますか",
        hard=True,
    ),
    Rule(
        "confidentiality.protect",
        "他の人の情報を守る",
        text=r"(?:お話し|お伝え|お答え|申し上げ)(?:すること(?:は)?)?でき(?:ない|ません)|言えない"
        r"|言えません|話せません|守秘|秘密(?:は|を)守|プライバシー|個人情報",
    ),
    Rule(
        "confidentiality.with_whom",
        "誰と共有するかを伝える",
        text=r"(?:コーディネーター|事務所|市|区|役所|担当(?:者|の方)|保健師|スタッフ|上司|チーム)"
        r"(?:と|に|の方と|の方に|にだけ|とだけ)[^。！？]*?(?:共有|お伝え|伝え|報告|相談)"
        r"|共有(?:させて|します|させていただ)",
    ),
    # safety
    Rule(
        "safety.secrecy",
        "危険を秘密にする約束（誰にも言いません）",
        text=r"誰にも(?:言い|言わ|話し|話さ)(?:ませ|ない)|内緒に(?:します|しておき|しとき|しましょう)"
        r"|秘密に(?:します|しておき|しとき|しましょう)|ここだけの話に|黙って(?:おき|い)ます"
        r"|言わないで(?:おき|おく)|報告(?:しません|はしません)"
        r"|(?:市|役所|コーディネーター)(?:に|には)(?:言い|伝え)ません",
        unless=r"でき(?:ない|ません)|約束でき",
        hard=True,
    ),
    Rule(
        "safety.acknowledge",
        "危険の訴えを受け止める",
        text=r"話して(?:くれて|くださって)|教えて(?:くれて|くださって)|打ち明け|言って(?:くれて|くださって)"
        r"|心配(?:です|しています|になります)|大丈夫ですか|今は(?:安全|大丈夫)|(?:怪我|けが|ケガ)は"
        r"|お子さん(?:は|の様子)|安全|(?:死にたい|消えたい|いなくなりたい)(?:くらい|ほど|と)",
    ),
    Rule(
        "safety.escalate",
        "すぐにつなぐ（コーディネーター・機関・189/110/119）",
        text=r"(?:コーディネーター|事務所|上司|市|区|役所|役場|保健師|児童相談所|児相|子ども家庭"
        r"|支援センター|専門(?:の)?(?:窓口|機関)|相談窓口|いのちの電話)[^。！？]*?"
        r"(?:伝え|相談|共有|報告|連絡|つな|一緒に)|189|110|119|１８９|１１０|１１９|いちはやく|警察|救急",
    ),
    Rule(
        "safety.transparent",
        "秘密にできないことを正直に伝える",
        text=r"(?:秘密|内緒)に(?:は)?でき|黙っていること(?:は)?でき|誰にも言わないとは(?:約束|お約束)"
        r"|(?:お伝え|伝え|共有)(?:しなければ|する必要|させて)|守るために",
    ),
]

PERSONA_RULES = [
    Rule("persona.feeling", "気持ちの表出", test=lambda s: s.has(EMOTIONS)),
    Rule(
        "persona.risk",
        "危険の訴え（自傷・虐待・DV・ネグレクト）",
        text=r"死にたい|死んでしまいたい|消えたい|いなくなりたい|楽になりたい|生きて(?:い)?るのが"
        r"|自分を傷つけ|リストカット|手首を|叩(?:い|く|か|き)|たたい|殴|蹴(?:っ|ら|る)|怒鳴"
        r"|手を(?:あげ|上げ)|あざ|アザ|痣|やけど|火傷|骨折|揺さぶ|ご飯を(?:あげ|食べさせ)て(?:い)?ない"
        r"|食べさせてない|放って(?:おい|出)|ほったらかし|置いて(?:出かけ|出て|行っ)|一人で留守番"
        r"|夫が怖|暴力|DV|首を(?:絞|しめ)",
    ),
    Rule(
        "persona.request",
        "依頼・要望",
        text=r"(?:もらえ|くれ|いただけ)(?:ません|ない|ます)か|(?:して|来て)(?:ほしい|欲しい)"
        r"|お願い(?:します|でき|したい)|延長|増やし|回数|もっと来|毎日来|個人的に|連絡先|LINE|ライン"
        r"|頼んでも|頼めます",
    ),
    Rule(
        "persona.asks_about_others",
        "ほかの家庭についての質問",
        text=r"隣|近所|(?:他|ほか)の(?:人|家|ご家庭|お母さん|家庭)|よその|さんの(?:ところ|とこ|お宅|家)",
    ),
    Rule(
        "persona.sharing",
        "情報の扱いに関わる話題",
        text=r"誰に|言わないで|秘密|内緒|ここだけ|共有|報告|伝える|伝わ|記録|市に|役所に",
    ),
    Rule(
        "persona.asks_advice",
        "助言を求める",
        text=r"どうしたら|どうすれば|教えて(?:ください|ほしい|もらえ)|アドバイス|いい方法|何かいい"
        r"|どうやったら",
    ),
]

# What each rule name means, for the `rules` list of a score. Question kinds and a missed
# statement of risk are not sentence patterns but conclusions drawn from several.
LABELS = {rule.name: rule.label for rule in (*LEARNER_RULES, *PERSONA_RULES)} | {
    "needs.open_question": "開いた質問（どう・どんな・何が）",
    "needs.closed_question": "閉じた質問（はい・いいえで答える）",
    "safety.missed": "危険の訴えに応えていない",
    "empathy.unanswered": "気持ちの表出を受け止めずに先へ進む",
}
HARD_RULES = frozenset(rule.name for rule in LEARNER_RULES if rule.hard) | {"safety.missed"}
DIRECTIVE = (
    "non_directive.should",
    "non_directive.must",
    "non_directive.command",
    "non_directive.judgement",
    "non_directive.leading",
)


@dataclass
class ReadTurn:
    # `position` in the transcript as read; `index` is the turn's own number, for reports.
    position: int
    index: int
    speaker: str
    text: str
    sentences: list[Sentence]
    # rule name → the sentences it fired on, in order
    fired: dict[str, list[str]]

    @property
    def is_learner(self) -> bool:
        return self.speaker == LEARNER

    def has(self, *rules: str) -> bool:
        return any(rule in self.fired for rule in rules)

    def quotes(self, *rules: str) -> list[str]:
        return [quote for rule in rules for quote in self.fired.get(rule, ())]


# How far after a persona turn a response is looked for: enough for two learner turns with
# persona turns between them, never the whole rest of a long conversation.
_WINDOW = 8


@dataclass
class Reading:
    turns: list[ReadTurn]

    @cached_property
    def learner(self) -> list[ReadTurn]:
        return [t for t in self.turns if t.is_learner]

    def share(self, predicate: Callable[[ReadTurn], bool]) -> tuple[int, int]:
        """(learner turns where `predicate` holds, learner turns)."""
        learner = self.learner
        return sum(1 for t in learner if predicate(t)), len(learner)

    def next_learner(self, position: int, limit: int, stop=None) -> list[ReadTurn]:
        """Up to `limit` learner turns among the few turns after `self.turns[position]`,
        stopping at a persona turn for which `stop` holds."""
        found = []
        for turn in self.turns[position + 1 : position + 1 + _WINDOW]:
            if turn.is_learner:
                found.append(turn)
                if len(found) == limit:
                    break
            elif stop and stop(turn):
                break
        return found

    def advice_permitted(self, turn: ReadTurn) -> bool:
        """Whether advice in `turn` was asked for, or the learner asked leave to give it or
        left the decision with the person (MITI's advice with permission)."""
        if turn.has("permission", "needs.hand_back"):
            return True
        persona = None
        for n in range(turn.position - 1, -1, -1):
            before = self.turns[n]
            if before.is_learner:
                return before.has("permission")
            if persona is None:
                persona = before
                if persona.has("persona.asks_advice"):
                    return True
        return False


def read(turns: list[TranscriptTurn]) -> Reading:
    """Fire every rule of the turn's speaker on every sentence of every turn."""
    read_turns = []
    for turn in turns:
        rules = LEARNER_RULES if turn.speaker == LEARNER else PERSONA_RULES
        parsed = sentences(turn.text)
        fired: dict[str, list[str]] = {}
        for sentence in parsed:
            names = [rule.name for rule in rules if rule.fires(sentence)]
            if turn.speaker == LEARNER and (kind := _question_kind(sentence, names)):
                names.append(f"needs.{kind}_question")
            for name in names:
                fired.setdefault(name, []).append(sentence.text)
        read_turns.append(
            ReadTurn(len(read_turns), turn.index, turn.speaker, turn.text, parsed, fired)
        )
    return Reading(read_turns)


def _question_kind(sentence: Sentence, names: list[str]) -> str:
    """open or closed; "" for a statement, or a question that is really advice or a checked
    reflection. An invitation to tell more (聞かせてください) counts as an open question."""
    if "needs.invitation" in names:
        return "open"
    if not sentence.question or _MINIMAL.search(sentence.text):
        return ""
    if "advice" in names or "empathy.reflection" in names:
        return ""
    return "open" if sentence.interrogative else "closed"
