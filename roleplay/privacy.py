"""The privacy guard: finds personal information in Japanese text and masks it.

Learners practise with invented families; a real name, phone number or address typed into a
role-play must not be stored or sent to a model. `scan` finds such spans, `mask` replaces each
with a placeholder naming its kind and explains to the learner why.

Numbers are matched on a folded copy of the text in which every character is replaced by one
character (full-width digits and letters by ASCII, every dash-like character by "-"), so an
offset in the copy is the same offset in the original. Names come from Sudachi's part-of-speech
tags, and given names in hiragana from the ちゃん・くん・さん after them; the dictionary ships
inside the sudachidict-core wheel, so nothing is downloaded. tests/roleplay/test_pii_recall.py
measures all of it on a labelled set of learner lines.

Nothing here logs the text it scans.
"""

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from sudachipy import Dictionary, SplitMode

PERSON_NAME = "person_name"
PHONE = "phone"
EMAIL = "email"
POSTAL_CODE = "postal_code"
ADDRESS = "address"
ID_NUMBER = "id_number"

# The placeholders end up in stored transcripts and in prompts, which are Japanese whatever
# the learner's interface language, so they are not translated.
PLACEHOLDERS = {
    PERSON_NAME: "〔氏名〕",
    PHONE: "〔電話番号〕",
    EMAIL: "〔メール〕",
    POSTAL_CODE: "〔郵便番号〕",
    ADDRESS: "〔住所〕",
    ID_NUMBER: "〔個人番号〕",
}

LABELS = {
    PERSON_NAME: gettext_lazy("names"),
    PHONE: gettext_lazy("phone numbers"),
    EMAIL: gettext_lazy("e-mail addresses"),
    POSTAL_CODE: gettext_lazy("postal codes"),
    ADDRESS: gettext_lazy("addresses"),
    ID_NUMBER: gettext_lazy("ID numbers"),
}

# When two findings overlap and are equally long, the kind listed first wins: an e-mail
# address or twelve digits is a surer reading of the characters than a phone number, and a
# phone number than a bare 123-4567.
_PRIORITY = [EMAIL, ID_NUMBER, PHONE, POSTAL_CODE, ADDRESS, PERSON_NAME]


@dataclass(frozen=True, order=True)
class Finding:
    start: int
    end: int
    type: str
    text: str

    def as_dict(self):
        return {"type": self.type, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class MaskResult:
    masked: str
    findings: list[Finding]

    @cached_property
    def notice(self) -> str:
        """The message shown to the learner when something was masked, empty otherwise."""
        if not self.findings:
            return ""
        kinds = dict.fromkeys(f.type for f in self.findings)
        separator = pgettext("between the kinds of masked information", ", ")
        return _(
            "Please do not use real families' information in practice. We masked %(kinds)s."
        ) % {"kinds": separator.join(str(LABELS[kind]) for kind in kinds)}


def scan(text: str) -> list[Finding]:
    """All personal information in `text`, in order, with no two findings overlapping."""
    folded = _fold(text)
    candidates = [
        *_regex_findings(folded, text),
        *_person_names(text),
    ]
    return _without_overlaps(candidates)


def mask(text: str, fiction: str = "") -> MaskResult:
    """Replace personal information with placeholders.

    Names that occur in `fiction` (a scenario's own text) are the made-up people of the
    exercise, so a learner may say 森さん to a persona called 森 あかり.
    """
    findings = [
        f for f in scan(text) if not (f.type == PERSON_NAME and fiction and f.text in fiction)
    ]
    parts = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(PLACEHOLDERS[finding.type])
        position = finding.end
    parts.append(text[position:])
    return MaskResult(masked="".join(parts), findings=findings)


def kept_text_notice(text: str) -> str:
    """A reminder for text kept as the learner wrote it (a journal reflection), when it appears
    to hold a real person's details; empty otherwise. Such text is the learner's own and is not
    masked: the learner decides what to change."""
    kinds = dict.fromkeys(f.type for f in scan(text))
    if not kinds:
        return ""
    separator = pgettext("between the kinds of masked information", ", ")
    return _(
        "This seems to contain %(kinds)s. If they belong to a real family or person, please "
        "rewrite them so that nobody can be recognised."
    ) % {"kinds": separator.join(str(LABELS[kind]) for kind in kinds)}


# -- Folding -------------------------------------------------------------------------------

# IMEs produce many look-alike dashes in numbers, the katakana long-vowel mark among them.
_DASHES = "‐‑‒–—―−－ー─━ｰ"
_VOWEL_MARKS = "ーｰ"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", char)
    # Keep the copy aligned with the original: characters NFKC expands (㍿, ½) stay as they are.
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    folded = [_fold_char(char) for char in text]
    # ー after anything but a digit is the long-vowel mark (マイナンバー), not a dash.
    for i, char in enumerate(text):
        if char in _VOWEL_MARKS and not (i and folded[i - 1].isdigit()):
            folded[i] = char
    return "".join(folded)


# -- Patterns over the folded text ---------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# A Japanese number: 0 then 9 or 10 more digits, grouped by hyphens, dots or spaces, with the
# area code or the exchange in brackets (03(1234)5678, (03)1234-5678), or the same after +81
# with the leading 0 dropped. The digit count is checked afterwards, which keeps the pattern
# readable.
_SEP = r"[ .-]?"
_PHONE = re.compile(
    r"(?<![\d+.-])(?:"
    r"\+81" + _SEP + r"(?:\(0\))?\d{1,4}" + _SEP + r"\d{1,4}" + _SEP + r"\d{3,4}"
    r"|\(0\d{1,4}\) ?\d{1,4}" + _SEP + r"\d{3,4}"
    r"|0\d{1,4} ?\(\d{1,4}\) ?\d{3,4}"
    r"|0\d{1,4}" + _SEP + r"\d{1,4}" + _SEP + r"\d{3,4}"
    r")(?![\d-]|\.\d)"
)

# Digits joined by a hyphen and followed by a unit are a range (500-1000円, 1-3月), not a
# postal code or block number.
_NOT_A_RANGE = r"(?! ?[円人件回時分秒歳年月日週名個%])"

# 〒123-4567 always, seven bare digits after 郵便番号, and a bare 123-4567 when it is not a
# range. Only the digits are the finding; the label stays readable.
_POSTAL_CODE = re.compile(
    r"〒 ?\d{3}-?\d{4}(?!\d)"
    r"|(?<=郵便番号)[:は ]*(?P<digits>\d{7})(?!\d)"
    r"|(?<![\d-])\d{3}-\d{4}(?![\d-])" + _NOT_A_RANGE
)

# Twelve digits, bare or as 4-4-4: a My Number, but also a bank account, an insurance card or
# a benefit number, so the check digit is not asked for. Longer runs (a barcode) are not it.
_ID_NUMBER = re.compile(r"(?<![\d-])\d{4}[ -]?\d{4}[ -]?\d{4}(?![\d-])")

# A street-level address: a place name ending in an administrative unit (都道府県市区町村郡),
# perhaps a town name after it (Sapporo's 北1条西 too), then block numbers (丁目・番地・番・号
# or 1-2-3), but not 3番目; or a town name with its 丁目 (桜丘3丁目5-2); or a bare 番地 (5番地の2),
# which nothing but an address uses. A place named without block numbers (市の保健センター) is
# how the domain talks, not an address.
_KANJI = r"[\u3005\u3007\u4e00-\u9fff\u30a1-\u30faヶ]"
_NUMBER = r"(?:\d+|[一二三四五六七八九十〇]+)"
# The cities whose names are written in hiragana; any other hiragana before 市 is a sentence.
_KANA_CITY = (
    r"(?:さいたま|つくば|いわき|ひたちなか|みどり|かすみがうら|あわら|たつの|かほく|むつ|うきは"
    r"|みやま|えびの)市"
)
_PLACE = (
    r"(?:"
    + _KANJI
    + r"{1,4}?[都道府県])?(?:"
    + _KANA_CITY
    + "|"
    + _KANJI
    + r"{1,10}?[都道府県市区町村郡])"
    r"(?:" + _KANJI + r"|\d+条){0,15}?"
)
_BLOCK = (
    r"(?:" + _NUMBER + r"(?:丁目|番地|番|号)(?:-?の?" + _NUMBER + r"(?:丁目|番地|番|号)?)*"
    r"|\d+(?:-\d+)+号?)(?![目町丁])" + _NOT_A_RANGE
)
_TOWN_CHOME = _KANJI + r"{2,10}?" + _NUMBER + r"丁目(?:-?\d+(?:-\d+)*(?:番地?|号)?)*"
_BANCHI = r"(?<!\d)" + _NUMBER + r"番地(?:の?" + _NUMBER + r"(?!\d*[番号]))?"
# Kyoto names a place by the street it is on and the crossing it lies from: 烏丸通四条上る
# (north of), 下ル (south of), 西入ル・東入る (west, east along the street), often with the
# town's name after it.
_KYOTO = (
    r"(?:"
    + _KANJI
    + r"{1,6}?[市区])*"
    + _KANJI
    + r"{1,6}?通"
    + _KANJI
    + r"{1,6}?(?:上|下|[東西]入)[るル]"
    r"(?:" + _KANJI + r"{1,8}?町)?(?:" + _NUMBER + r"(?:番地?)?)?"
)
_ADDRESS = re.compile("|".join((_KYOTO, _PLACE + _BLOCK, _TOWN_CHOME, _BANCHI)))


def _regex_findings(folded: str, text: str):
    for kind, pattern, is_valid in (
        (EMAIL, _EMAIL, None),
        (PHONE, _PHONE, _is_phone),
        (POSTAL_CODE, _POSTAL_CODE, None),
        (ID_NUMBER, _ID_NUMBER, None),
        (ADDRESS, _ADDRESS, None),
    ):
        for match in pattern.finditer(folded):
            if is_valid is None or is_valid(match.group()):
                start, end = (
                    match.span("digits") if match.groupdict().get("digits") else match.span()
                )
                yield Finding(start, end, kind, text[start:end])


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+81"):
        digits = digits[2:].removeprefix("0")
        return len(digits) in (9, 10)
    return len(digits) in (10, 11)


# -- Person names --------------------------------------------------------------------------

_dictionary = None
_dictionary_lock = threading.Lock()
_local = threading.local()


def tokenizer():
    """A Sudachi tokenizer for this thread.

    The dictionary is shared and opened once; a tokenizer is cheap but keeps state while it
    works, so each thread gets its own. The judges of role-plays read Japanese with it too.
    """
    global _dictionary
    mine = getattr(_local, "tokenizer", None)
    if mine is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
        mine = _local.tokenizer = _dictionary.tokenizer(mode=SplitMode.C)
    return mine


# Sudachi refuses input over 49,149 bytes; 12,000 characters stay below it even when every
# character takes four bytes in UTF-8.
_CHUNK = 12_000


def _chunks(text: str):
    """Pieces of `text` Sudachi accepts, cut after a sentence or line where possible."""
    start = 0
    while len(text) - start > _CHUNK:
        window = text[start : start + _CHUNK]
        cut = max(window.rfind("\n"), window.rfind("。")) + 1 or _CHUNK
        yield start, window[:cut]
        start += cut
    yield start, text[start:]


def _is_name_part(morpheme) -> bool:
    return morpheme.part_of_speech()[:3] == ("名詞", "固有名詞", "人名")


def _is_space(morpheme) -> bool:
    return morpheme.part_of_speech()[0] == "空白" and len(morpheme.surface()) == 1


# Sudachi takes UTF-8, which a lone surrogate (half of a pair, cut off) cannot be; it is read
# as an unknown character, one for one, so offsets stay put.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _person_names(text: str):
    sudachi = tokenizer()
    for offset, piece in _chunks(text):
        morphemes = list(sudachi.tokenize(_LONE_SURROGATE.sub("\ufffd", piece)))
        found = [*_dictionary_names(piece, morphemes), *_kana_names(piece, morphemes)]
        found += _kana_names_again(piece, morphemes, found)
        for start, end in found:
            yield Finding(offset + start, offset + end, PERSON_NAME, piece[start:end])


def _dictionary_names(piece: str, morphemes):
    """(start, end) of the names Sudachi's dictionary knows (田中花子, 陽子, はるか)."""
    i = 0
    while i < len(morphemes):
        if not _is_name_part(morphemes[i]):
            i += 1
            continue
        # A surname and a given name come as two morphemes, perhaps with a space between
        # (田中 花子); they make one name.
        j = i + 1
        while True:
            if j < len(morphemes) and _is_name_part(morphemes[j]):
                j += 1
            elif (
                j + 1 < len(morphemes)
                and _is_space(morphemes[j])
                and _is_name_part(morphemes[j + 1])
            ):
                j += 2
            else:
                break
        start, end = morphemes[i].begin(), morphemes[j - 1].end()
        name = piece[start:end]
        if not (
            _is_split_word(morphemes, i)
            or _is_pseudonym(name)
            or (_KANA_NAME.fullmatch(name) and not _is_kana_name(name, morphemes, i))
        ):
            yield start, end
        i = j


# Given names are often written in hiragana (ゆいちゃん, そうたくん, はるか), which the dictionary
# knows only in part and splits oddly (そう + たくん). A run of hiragana right before ちゃん, くん
# or さん is read as a name unless it is one of the everyday words that take these endings.
_KANA_NAME = re.compile(r"[ぁ-ゖ][ぁ-ゖー]{1,5}")
_HONORIFIC = re.compile(r"(?<=[ぁ-ゖー])(?:ちゃん|くん|さん)")
_PARTICLES = {"の", "は", "が", "を", "に", "と", "も", "へ", "や", "で", "から", "より", "って"}
# Family, people, animals and greetings that take ちゃん・くん・さん as names do (おばあちゃん,
# みなさん, くまさん, おつかれさん), written without them.
_NOT_NAME_WORDS = """
    おかあ おとう かあ とう おばあ おじい ばあ じい おねえ おにい ねえ にい あに あね
    いもうと おとうと むすめ むすこ まご おじ おば おい ぼく わたし あなた あんた おまえ
    おたく そちら こちら あちら どちら どなた だれ みな みんな あか あかんぼう おこ こども
    おこども おく おくさ だんな おかみ おまわり おいしゃ いしゃ はいしゃ かんごし ほけんし
    せんせい おとなり となり おむかい おきゃく きゃく おともだち ともだち おじょう おぼっ ぼっ
    ちび おちび いいこ よいこ あのこ このこ そのこ おりこう ねぼすけ なきむし よわむし
    がんばりや はずかしがりや あまえんぼう くいしんぼう おしゃべり おてんば やおや さかなや
    はなや ほんや くすりや とこや おつかれ ごくろう ごちそう おはよう おめでとう ありがとう
    おかげ おだいじ ねこ いぬ わん にゃん うさぎ くま ぞう きりん さる とり ひよこ かえる
    さかな おさかな くるま でんしゃ にんぎょう おにんぎょう かめ りす ねずみ ぶた こぶた やぎ
    ひつじ たぬき きつね おひ おほし おつき ほし たく
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def _is_kana_name(name: str, morphemes, i: int) -> bool:
    """Whether a hiragana word Sudachi calls a name stands on its own as one.

    Glued to hiragana that is not a particle (ほ + けんし), it is a word split wrongly."""
    if name in _NOT_NAMES:
        return False
    if i == 0:
        return True
    before = morphemes[i - 1]
    glued = re.match(r"[ぁ-ゖー]", before.surface()[-1:]) is not None
    return not glued or before.part_of_speech()[0] in ("助詞", "助動詞")


def _kana_names(piece: str, morphemes):
    """(start, end) of hiragana names right before ちゃん・くん・さん (ゆい, そうた)."""
    starts = {m.begin(): m for m in morphemes}
    begins = [m.begin() for m in morphemes]

    def morpheme_at(position: int):
        index = bisect.bisect_right(begins, position) - 1
        return morphemes[index] if index >= 0 else None

    run_from = 0
    for match in _HONORIFIC.finditer(piece):
        at = match.start()
        if _is_known_word(morpheme_at(at), at, morpheme_at(at - 1)):
            continue
        start = at
        while start > run_from and re.match(r"[ぁ-ゖー]", piece[start - 1]):
            start -= 1
        run_from = match.end()
        start = _after_particles(piece, starts, start, at)
        name = piece[start:at]
        if _KANA_NAME.fullmatch(name) and name not in _NOT_NAMES:
            yield start, at


def _is_known_word(word, at: int, before) -> bool:
    """Whether the honorific's characters belong to a dictionary word: お母さん, 赤ちゃん,
    沢山, ちゃんと, 散歩. Sudachi's misreadings of names do not count: たくん read as a verb,
    or ちゃんと after a name it took for fillers (え + ま + ちゃんと)."""
    if word.part_of_speech()[0] == "接尾辞":
        return False
    if word.begin() == at:
        misread = before is not None and before.part_of_speech()[0] == "感動詞"
        return not misread and word.part_of_speech()[0] not in ("動詞", "助動詞")
    kinds = ("名詞", "副詞", "形状詞")
    return (
        word.part_of_speech()[0] in kinds and re.search(_KANJI, word.normalized_form()) is not None
    )


def _after_particles(piece: str, starts: dict, start: int, end: int) -> int:
    """Where the name begins in a run of hiragana: after the last particle that leaves it at
    least two characters (むすめの|ゆい, きょうは|そうた), else the start of the run."""
    best = start
    position = start
    # A particle follows a word: one that opens the text or a sentence is part of the name.
    attached = start > 0 and re.match(r"\w", piece[start - 1]) is not None
    while position < end:
        morpheme = starts.get(position)
        if morpheme is None:
            break
        after = morpheme.end()
        if (
            (attached or position > start)
            and morpheme.part_of_speech()[0] == "助詞"
            and morpheme.surface() in _PARTICLES
            and end - after >= 2
        ):
            best = after
        position = after
    return best


def _kana_names_again(piece: str, morphemes, found: list[tuple[int, int]]):
    """The other places a hiragana name found above is used on its own (ゆいの服)."""
    names = {piece[s:e] for s, e in found if _KANA_NAME.fullmatch(piece[s:e])}
    taken = {s for s, _ in found}
    return [
        (m.begin(), m.end()) for m in morphemes if m.surface() in names and m.begin() not in taken
    ]


def _is_split_word(morphemes, i: int) -> bool:
    """Whether the name at `i` is really the tail of a word Sudachi split wrongly.

    保健師 comes out as 保 + 健師 (a given name); a name glued to a one-kanji common noun
    is such a split, while 母の陽子 or 担当の田中 keep a particle in between.
    """
    if i == 0:
        return False
    before = morphemes[i - 1]
    return (
        len(before.surface()) == 1
        and before.part_of_speech()[:2] == ("名詞", "普通名詞")
        and re.fullmatch(_KANJI, before.surface()) is not None
    )


def _is_pseudonym(name: str) -> bool:
    """Aさん, Ｂちゃん: a single Latin letter is how training material hides a person."""
    return len(name) == 1 and _fold(name).isascii() and name.isalpha()


# -- Overlaps ------------------------------------------------------------------------------


def _kind_order(finding: Finding) -> int:
    return _PRIORITY.index(finding.type)


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    """Keep the longest finding where several overlap, the surer kind where equally long."""
    kept: list[Finding] = []
    for candidate in sorted(candidates, key=lambda f: (f.start - f.end, _kind_order(f))):
        if all(candidate.end <= f.start or f.end <= candidate.start for f in kept):
            kept.append(candidate)
    return sorted(kept)
