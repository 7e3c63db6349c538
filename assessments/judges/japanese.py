"""Japanese text as the heuristic judge reads it: sentences with their tokens.

Sudachi (the same dictionary and per-thread tokenizer as the privacy guard, so it is opened
once per process) gives each token's dictionary form, so one rule matches every inflection:
`べし` finds すべき, するべきだ and すべきです alike. Rules match regular expressions against
three views of a sentence: its text, its dictionary forms and its surface tokens, each token
framed by `|` so a pattern can ask for whole tokens in a row.
"""

import re
from dataclasses import dataclass

from roleplay.privacy import tokenizer as sudachi_tokenizer

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
# Sudachi refuses very long input; a "sentence" this long has no punctuation at all and is
# cut into pieces so it can still be read.
_PIECE = 2000

# Sentence-final particles and punctuation, left out when a rule asks how a sentence ends.
_FINAL_PARTICLES = {"よ", "ね", "な", "わ", "ぞ", "さ", "よね"}
_QUESTION_ENDINGS = {"か", "かな", "かしら", "の"}
INTERROGATIVES = frozenset(
    {
        "どう",
        "何",
        "なに",
        "なん",
        "どんな",
        "どの",
        "どれ",
        "どこ",
        "いつ",
        "いつ頃",
        "誰",
        "どちら",
        "どっち",
        "いかが",
        "どういう",
        "なぜ",
        "どのくらい",
        "どれくらい",
    }
)
# Godan verbs in the potential form end like this; their normalised form is the plain verb
# (作れる → 作る), which tells them from verbs that merely end the same way.
_POTENTIAL = re.compile(r"[れえけせてねべめげ]る$")
# After these an interrogative is an indefinite (何か, 誰も, なんとか), not a question word.
_INDEFINITE = {"か", "も"}
_INDEFINITE_AFTER_NAN = {"か", "も", "と", "だか", "て"}


@dataclass(frozen=True)
class Sentence:
    text: str
    lemmas: str
    surfaces: str
    # The dictionary forms without the closing punctuation and sentence-final particles.
    core: str
    words: frozenset[str]
    question: bool
    interrogative: bool
    imperative: bool
    # A verb in its potential form (作れる, 書ける): what someone is able to do.
    potential: bool

    def has(self, words) -> bool:
        return not self.words.isdisjoint(words)


def sentences(text: str) -> list[Sentence]:
    """The sentences of one turn, each a verbatim (stripped) piece of `text`."""
    found = []
    for match in _SENTENCE.finditer(text):
        piece = match.group().strip()
        for start in range(0, len(piece), _PIECE):
            part = piece[start : start + _PIECE].strip()
            if part:
                found.append(_analyse(part))
    return found


def _analyse(text: str) -> Sentence:
    morphemes = list(sudachi_tokenizer().tokenize(text))
    lemmas = [m.dictionary_form() for m in morphemes]
    words = {*lemmas, *(m.normalized_form() for m in morphemes)}
    pos = [m.part_of_speech() for m in morphemes]
    end = len(morphemes)
    while end and (pos[end - 1][0] in ("補助記号", "空白") or lemmas[end - 1] in _FINAL_PARTICLES):
        end -= 1
    question = text.rstrip().endswith(("?", "？")) or (
        end > 0 and pos[end - 1][1] == "終助詞" and lemmas[end - 1] in _QUESTION_ENDINGS
    )
    interrogative = any(
        lemma in INTERROGATIVES and not _indefinite(lemma, lemmas[n + 1 : n + 2])
        for n, lemma in enumerate(lemmas)
    )
    imperative = any(
        p[5] == "命令形" and p[0] == "動詞" and lemma not in ("くださる", "いらっしゃる", "ござる")
        for p, lemma in zip(pos, lemmas, strict=True)
    )
    potential = any(
        p[0] == "動詞" and m.normalized_form() != m.dictionary_form() and _POTENTIAL.search(lemma)
        for m, p, lemma in zip(morphemes, pos, lemmas, strict=True)
    )
    return Sentence(
        text=text,
        lemmas=_frame(lemmas),
        surfaces=_frame(m.surface() for m in morphemes),
        core=_frame(lemmas[:end]),
        words=frozenset(words),
        question=question,
        interrogative=interrogative,
        imperative=imperative,
        potential=potential,
    )


def _indefinite(lemma: str, following: list[str]) -> bool:
    if not following:
        return False
    return following[0] in (_INDEFINITE_AFTER_NAN if lemma in ("なん", "何") else _INDEFINITE)


def _frame(tokens) -> str:
    return "|" + "|".join(tokens) + "|"
