"""The privacy guard: finds personal information in Japanese text and masks it.

Learners practise with invented families; a real name, phone number or address typed into a
role-play must not be stored or sent to a model. `scan` finds such spans, `mask` replaces each
with a placeholder naming its kind and explains to the learner why.

Numbers are matched on a folded copy of the text in which every character is replaced by one
character (full-width digits and letters by ASCII, every dash-like character by "-"), so an
offset in the copy is the same offset in the original. Names come from Sudachi's part-of-speech
tags; its dictionary ships inside the sudachidict-core wheel, so nothing is downloaded.

Nothing here logs the text it scans.
"""

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
# address or a validated My Number is a surer reading of the characters than a phone
# number, and a phone number than a bare 123-4567.
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


# -- Folding -------------------------------------------------------------------------------

# IMEs produce many look-alike dashes in numbers, the katakana long-vowel mark among them.
_DASHES = "‐‑‒–—―−－ー─━"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", char)
    # Keep the copy aligned with the original: characters NFKC expands (㍿, ½) stay as they are.
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    return "".join(_fold_char(char) for char in text)


# -- Patterns over the folded text ---------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# A Japanese number: 0 then 9 or 10 more digits, grouped by hyphens, spaces or a bracketed
# area code, or the same after +81 with the leading 0 dropped. The digit count is checked
# afterwards, which keeps the pattern readable.
_PHONE = re.compile(
    r"(?<![\d+-])"
    r"(?:\+81[ -]?(?:\(0\))?\d{1,4}|\(0\d{1,4}\)|0\d{1,4})"
    r"[ -]?\d{1,4}[ -]?\d{3,4}"
    r"(?![\d-])"
)

# Digits joined by a hyphen and followed by a unit are a range (500-1000円, 1-3月), not a
# postal code or block number.
_NOT_A_RANGE = r"(?! ?[円人件回時分秒歳年月日週名個%])"

# 〒123-4567 always; a bare 123-4567 only when it is not a range.
_POSTAL_CODE = re.compile(r"〒 ?\d{3}-?\d{4}(?!\d)|(?<![\d-])\d{3}-\d{4}(?![\d-])" + _NOT_A_RANGE)

_MY_NUMBER = re.compile(r"(?<![\d-])\d{4}([ -]?)\d{4}\1\d{4}(?![\d-])")

# A street-level address: a place name ending in an administrative unit (都道府県市区町村郡),
# perhaps a town name after it (Sapporo's 北1条西 too), then block numbers (丁目・番地・番・号
# or 1-2-3), but not 3番目; or a town name with its 丁目 (桜丘3丁目5-2). A place named without
# block numbers (市の保健センター) is how the domain talks, not an address.
_KANJI = r"[\u3005\u4e00-\u9fff\u30a1-\u30faヶ]"
_NUMBER = r"(?:\d+|[一二三四五六七八九十]+)"
_PLACE = _KANJI + r"{1,10}?[都道府県市区町村郡](?:" + _KANJI + r"|\d+条){0,15}?"
_BLOCK = (
    r"(?:" + _NUMBER + r"(?:丁目|番地|番|号)(?:-?の?" + _NUMBER + r"(?:丁目|番地|番|号)?)*"
    r"|\d+(?:-\d+)+号?)(?!目)" + _NOT_A_RANGE
)
_TOWN_CHOME = _KANJI + r"{2,10}?" + _NUMBER + r"丁目(?:\d+(?:-\d+)*(?:番地?|号)?)*"
_ADDRESS = re.compile(_PLACE + _BLOCK + "|" + _TOWN_CHOME)


def _regex_findings(folded: str, text: str):
    for kind, pattern, is_valid in (
        (EMAIL, _EMAIL, None),
        (PHONE, _PHONE, _is_phone),
        (POSTAL_CODE, _POSTAL_CODE, None),
        (ID_NUMBER, _MY_NUMBER, _is_my_number),
        (ADDRESS, _ADDRESS, None),
    ):
        for match in pattern.finditer(folded):
            if is_valid is None or is_valid(match.group()):
                yield Finding(match.start(), match.end(), kind, text[match.start() : match.end()])


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+81"):
        digits = digits[2:].removeprefix("0")
        return len(digits) in (9, 10)
    return len(digits) in (10, 11)


def _is_my_number(candidate: str) -> bool:
    """Whether the twelfth digit is the My Number check digit of the first eleven.

    Real My Numbers always pass; nine in ten random twelve-digit numbers (an order number,
    a bank reference) do not, and those are not ours to mask.
    """
    digits = [int(d) for d in re.sub(r"\D", "", candidate)]
    body, check = digits[:11], digits[11]
    total = sum(
        digit * (n + 1 if n <= 6 else n - 5) for n, digit in enumerate(reversed(body), start=1)
    )
    remainder = total % 11
    return check == (0 if remainder <= 1 else 11 - remainder)


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


def _person_names(text: str):
    sudachi = tokenizer()
    for offset, piece in _chunks(text):
        morphemes = list(sudachi.tokenize(piece))
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
            if not _is_split_word(morphemes, i) and not _is_pseudonym(piece[start:end]):
                yield Finding(offset + start, offset + end, PERSON_NAME, piece[start:end])
            i = j


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
