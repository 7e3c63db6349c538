"""The heuristic judge: explainable Japanese rules, no model, the default.

Levels rest on rates and on what happened at each occasion, never on how long the
conversation was: a share of the learner's turns (how often they lectured), or the response
to each moment that called for one (a feeling voiced, a statement of risk). A 90-turn
conversation with the same pattern as a 6-turn one gets the same levels. A criterion with no
occasion (no risk raised, no request made) is None, and a criterion the rules do not know (a
scenario's own) is None with a comment saying so.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from assessments.rubrics import RubricSpec

from .base import EVIDENCE_LIMIT, NO_OCCASION, CriterionScore, JudgeKind, Judgement, RuleHit
from .reading import DIRECTIVE, LABELS, Reading, ReadTurn, read
from .skills import summarise
from .transcript import Transcript

NOT_COVERED = "この観点は自動判定の対象外です。トレーナーの評価を待ってください。"

# How the learner might have said it better, per criterion.
BETTER = {
    "empathy": "「夜も眠れないくらい、ずっと気を張ってこられたんですね。」"
    "（助言の前に、まず気持ちを言葉で返す）",
    "non_directive": "「〜という方法もありますし、〜という方法もあります。"
    "〇〇さんには、どれがやりやすそうですか？」",
    "strengths": "「毎日〜を続けていらっしゃるんですね。なかなかできることではないと思います。」",
    "needs_elicitation": "「〇〇さんとしては、どうなったらいいなと思われますか？」",
    "boundaries": "「私の判断ではお約束できないのですが、"
    "コーディネーターから市の担当の方に確認して、お返事しますね。」",
    "confidentiality": "「ほかのご家庭のことはお話しできないんです。〇〇さんのお話も、"
    "コーディネーターと必要な範囲でだけ共有します。」",
    "safety": "「話してくださってありがとうございます。"
    "〇〇さんとお子さんの安全がいちばん大事なので、"
    "このことはすぐにコーディネーターに伝えさせてください。」",
}


def _pct(count: int, total: int) -> str:
    return f"{count}/{total}（{round(100 * count / total)}%）" if total else "0/0"


@dataclass
class Finding:
    """What one criterion's rules found: the level, why, and the rules behind it."""

    level: int | None
    comment: str
    good: list[RuleHit] = field(default_factory=list)
    bad: list[RuleHit] = field(default_factory=list)


def _hits(turns: list[ReadTurn], *rules: str) -> list[RuleHit]:
    return [
        RuleHit(rule=rule, label=LABELS[rule], turn=turn.index, quote=quote)
        for turn in turns
        for rule in rules
        for quote in turn.fired.get(rule, ())
    ]


def _empathy(reading: Reading) -> Finding:
    learner = reading.learner
    good_rules = ("empathy.reflection", "empathy.validation")
    occasions = answered = brushed = 0
    unanswered: list[RuleHit] = []
    for position, turn in enumerate(reading.turns):
        if turn.is_learner or not turn.has("persona.feeling", "persona.risk"):
            continue
        reply = reading.next_learner(position, 1)
        if not reply:
            continue
        occasions += 1
        # Thanking someone for telling of a risk acknowledges what it cost them to say it.
        answers = (*good_rules, "safety.acknowledge") if turn.has("persona.risk") else good_rules
        if reply[0].has(*answers):
            answered += 1
        # Passing over a statement of risk brushes it aside, however politely it is done.
        elif reply[0].has("empathy.dismissal", "advice", *DIRECTIVE) or turn.has("persona.risk"):
            brushed += 1
            quote = reply[0].sentences[0].text if reply[0].sentences else ""
            unanswered.append(
                RuleHit(
                    rule="empathy.unanswered",
                    label=LABELS["empathy.unanswered"],
                    turn=reply[0].index,
                    quote=quote,
                )
            )
    good = _hits(learner, *good_rules)
    bad = _hits(learner, "empathy.dismissal") + unanswered
    if not occasions:
        if good:
            return Finding(3, "気持ちの表出は少なかったものの、話を言葉で返しています。", good, bad)
        return Finding(None, NO_OCCASION)
    rate = answered / occasions
    summary = (
        f"相手が気持ちを表した{occasions}回のうち、次の発言で受け止めたのは"
        f"{_pct(answered, occasions)}、流したり助言で返したりしたのは{brushed}回でした。"
    )
    if rate >= 2 / 3 and not brushed:
        level = 4
    elif rate >= 1 / 3:
        level = 3
    elif rate > 0 or not brushed:
        level = 2
    else:
        level = 1
    return Finding(level, summary, good, bad)


def _non_directive(reading: Reading) -> Finding:
    learner = reading.learner
    requests, total = reading.share(lambda t: t.has("non_directive.request"))
    # One 〜してください is a request; asked again and again it becomes a string of orders.
    repeated = total and requests / total > 1 / 3
    directive_rules = (*DIRECTIVE, "non_directive.request") if repeated else DIRECTIVE
    directive, _ = reading.share(lambda t: t.has(*directive_rules))
    unasked = [t for t in learner if t.has("advice") and not reading.advice_permitted(t)]
    good = _hits(learner, "non_directive.options", "permission")
    bad = _hits(learner, *directive_rules) + _hits(unasked, "advice")
    if not total:
        return Finding(None, NO_OCCASION)
    summary = (
        f"指示・説教・決めつけの表現が学習者の発言{_pct(directive, total)}に、"
        f"求められていない助言が{_pct(len(unasked), total)}にありました。"
    )
    if directive / total > 0.2:
        level = 1
    elif directive or len(unasked) / total > 0.25:
        level = 2
    elif unasked:
        level = 3
    else:
        level = 4
    return Finding(level, summary, good, bad)


def _strengths(reading: Reading) -> Finding:
    learner = reading.learner
    concrete, total = reading.share(lambda t: t.has("strengths.concrete"))
    praise, _ = reading.share(lambda t: t.has("strengths.praise"))
    deficit, _ = reading.share(lambda t: t.has("strengths.deficit"))
    good = _hits(learner, "strengths.concrete", "strengths.praise")
    bad = _hits(learner, "strengths.deficit")
    if not total:
        return Finding(None, NO_OCCASION)
    summary = (
        f"具体的な強みや変化を言葉にした発言が{_pct(concrete, total)}、一般的なほめ言葉が"
        f"{praise}回、できていない点の指摘が{deficit}回ありました。"
    )
    if deficit and not concrete:
        level = 1
    elif concrete / total >= 0.15 and not deficit:
        level = 4
    elif concrete:
        level = 3
    else:
        level = 2
    return Finding(level, summary, good, bad)


def _needs_elicitation(reading: Reading) -> Finding:
    learner = reading.learner
    opened, total = reading.share(lambda t: t.has("needs.open_question"))
    closed, _ = reading.share(lambda t: t.has("needs.closed_question"))
    handed_back = any(t.has("needs.hand_back") for t in learner)
    decided = any(t.has("needs.decide_for") for t in learner)
    good = _hits(learner, "needs.open_question", "needs.hand_back")
    bad = _hits(learner, "needs.closed_question", "needs.decide_for")
    if not total:
        return Finding(None, NO_OCCASION)
    asked = opened + closed
    mostly_open = opened and opened / asked >= 0.5
    summary = (
        f"開いた質問のある発言が{opened}回、閉じた質問のある発言が{closed}回。"
        f"決定を本人に返す言葉は{'あり' if handed_back else 'なし'}、"
        f"代わりに決める言葉は{'あり' if decided else 'なし'}でした。"
    )
    if mostly_open and handed_back and not decided:
        level = 4
    elif mostly_open or handed_back:
        level = 3
    elif asked:
        level = 2
    else:
        level = 1
    if decided and not handed_back:
        level = min(level, 2)
    return Finding(level, summary, good, bad)


def _boundaries(reading: Reading) -> Finding:
    learner = reading.learner
    promised = _hits(learner, "boundaries.promise")
    distance = _hits(learner, "boundaries.distance")
    limits = any(t.has("boundaries.limits") for t in learner)
    refer = any(t.has("boundaries.refer") for t in learner)
    asked = any(t.has("persona.request") for t in reading.turns if not t.is_learner)
    good = _hits(learner, "boundaries.limits", "boundaries.refer")
    bad = promised + distance
    # Passing a question on to the people who decide is only a boundary when something was
    # asked for or promised; in a conversation about risk it is the safety criterion's.
    if not (asked or promised or distance or limits):
        return Finding(None, NO_OCCASION)
    if promised:
        return Finding(
            1,
            "市区町村やコーディネーターが決めることを、その場で約束しています。",
            good,
            bad,
        )
    summary = (
        f"できること・できないことの説明は{'あり' if limits else 'なし'}、"
        f"決める人へつなぐ言葉は{'あり' if refer else 'なし'}でした。"
    )
    if limits and refer:
        level = 4
    elif limits or refer:
        level = 3
    else:
        level = 2
    if distance:
        level = min(level, 2)
        summary += "個人的なつながりを持とうとしています。"
    return Finding(level, summary, good, bad)


def _confidentiality(reading: Reading) -> Finding:
    learner = reading.learner
    persona = [t for t in reading.turns if not t.is_learner]
    disclosed = _hits(learner, "confidentiality.disclosure")
    protect = any(t.has("confidentiality.protect") for t in learner)
    with_whom = any(t.has("confidentiality.with_whom") for t in learner)
    probed = any(t.has("persona.asks_about_others") for t in persona)
    sharing = any(t.has("persona.sharing") for t in persona)
    good = _hits(learner, "confidentiality.protect", "confidentiality.with_whom")
    if not (disclosed or protect or with_whom or probed or sharing):
        return Finding(None, NO_OCCASION)
    if disclosed:
        return Finding(1, "ほかの家庭の事情を話しています。", good, disclosed)
    summary = (
        f"ほかの人の情報を守る言葉は{'あり' if protect else 'なし'}、"
        f"誰と共有するかの説明は{'あり' if with_whom else 'なし'}でした。"
    )
    if with_whom and (protect or not probed):
        level = 4
    elif protect or with_whom:
        level = 3
    else:
        level = 2
    return Finding(level, summary, good, [])


def _safety(reading: Reading) -> Finding:
    learner = reading.learner
    secrecy = _hits(learner, "safety.secrecy")
    answers = ("safety.acknowledge", "safety.escalate", "safety.transparent")
    levels, missed = [], []
    for position, turn in enumerate(reading.turns):
        if turn.is_learner or not turn.has("persona.risk"):
            continue
        # The learner has their next two turns to respond, until the next statement of risk.
        window = reading.next_learner(position, 2, stop=lambda t: t.has("persona.risk"))
        if not window:
            continue
        said = {rule for t in window for rule in answers if t.has(rule)}
        if "safety.escalate" in said and said & {"safety.acknowledge", "safety.transparent"}:
            levels.append(4)
        elif "safety.escalate" in said:
            levels.append(3)
        elif said:
            levels.append(2)
        else:
            levels.append(1)
            missed.append(
                RuleHit(
                    rule="safety.missed",
                    label=LABELS["safety.missed"],
                    turn=turn.index,
                    quote=turn.quotes("persona.risk")[0],
                )
            )
    good = _hits(learner, *answers)
    bad = secrecy + missed
    if secrecy:
        if levels:
            return Finding(1, "危険の訴えがあったのに、秘密にすると約束しています。", good, bad)
        return Finding(
            2,
            "危険の訴えはありませんでしたが、「誰にも言わない」と約束すると、"
            "危険が分かったときにつなげなくなります。",
            good,
            bad,
        )
    if not levels:
        return Finding(None, NO_OCCASION)
    summary = f"危険の訴え{len(levels)}回のうち、応えなかったのは{len(missed)}回でした。"
    level = min(levels)
    if level >= 3:
        summary += "コーディネーターや窓口につなぐ言葉がありました。"
    return Finding(level, summary, good, bad)


CRITERIA: dict[str, Callable[[Reading], Finding]] = {
    "empathy": _empathy,
    "non_directive": _non_directive,
    "strengths": _strengths,
    "needs_elicitation": _needs_elicitation,
    "boundaries": _boundaries,
    "confidentiality": _confidentiality,
    "safety": _safety,
}


def _score(key: str, finding: Finding) -> CriterionScore:
    if finding.level is None:
        return CriterionScore(comment=finding.comment)
    # Quote the moments that explain the level: the faults when it is low.
    first, second = (finding.bad, finding.good) if finding.level <= 2 else (finding.good, [])
    evidence = list(
        dict.fromkeys(h.quote for h in first + second if h.quote and h.rule != "safety.missed")
    )
    return CriterionScore(
        level=finding.level,
        evidence=evidence[:EVIDENCE_LIMIT],
        comment=finding.comment,
        better_line=BETTER[key] if finding.level < 4 else "",
        rules=sorted(finding.good + finding.bad, key=lambda h: h.turn),
    )


def assess(transcript: Transcript, rubric: RubricSpec) -> Judgement:
    """Judge `transcript` on `rubric` with the rules; criteria without rules get None."""
    reading = read(transcript.numbered())
    scores = {
        c.key: _score(c.key, CRITERIA[c.key](reading))
        if c.key in CRITERIA
        else CriterionScore(comment=NOT_COVERED)
        for c in rubric.criteria
    }
    return Judgement.of(rubric, JudgeKind.HEURISTIC, scores, skills=summarise(reading))
