"""Properties of the privacy guard over generated text (Hypothesis)."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roleplay.privacy import PLACEHOLDERS, mask, scan

# Japanese, ASCII and the characters that have broken tokenizers before: lone surrogates,
# NUL and other controls.
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),
        st.sampled_from(
            "ぁあいうえおかがきくけこさしすせそちゃんくん丁目番地号〒@-ー（）() 0123456789"
        ),
        st.sampled_from("\ud800\udbff\udc00\udfff"),
        st.sampled_from("\x00\x01\x7f"),
    ),
    max_size=200,
)
# Words around the embedded details: no digits, letters or @ that could run into them.
FILLER = st.text(alphabet="あいうえおかきくけこ、。はがをに 「」田中様", max_size=20)

DIGIT_RUNS = re.compile(r"\d+")


def digits(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789-()", "０１２３４５６７８９－（）"))


@st.composite
def phones(draw):
    area = "0" + draw(digits(1)).replace("0", "3")
    style = draw(st.sampled_from(["{a}-{b}-{c}", "{a}({b}){c}", "({a}){b}-{c}", "{a}{b}{c}"]))
    number = style.format(a=area, b=draw(digits(4)), c=draw(digits(4)))
    return full_width(number) if draw(st.booleans()) else number


@st.composite
def emails(draw):
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{0,10}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{2,10}", fullmatch=True))
    return f"{local}@{domain}.{draw(st.sampled_from(['jp', 'com', 'co.jp', 'ne.jp']))}"


@st.composite
def postal_codes(draw):
    code = f"〒{draw(digits(3))}-{draw(digits(4))}"
    return full_width(code) if draw(st.booleans()) else code


@st.composite
def id_numbers(draw):
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(draw(digits(4)) for _ in range(3))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(ANY_TEXT)
def test_it_masks_any_text_without_raising(text):
    result = mask(text)
    assert isinstance(result.masked, str)
    assert all(text[f.start : f.end] == f.text for f in result.findings)


def test_it_masks_huge_text_without_raising():
    text = ("田中花子さん 090-1234-5678 \x00\ud800" + "あ" * 5000 + "\n") * 20
    assert mask(text).masked.count(PLACEHOLDERS["phone"]) == 20


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_it_is_idempotent(text):
    once = mask(text).masked
    assert mask(once).masked == once


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_it_never_adds_digits(text):
    """Masking removes or keeps digits; it never makes a longer run of them."""
    longest = max((len(run) for run in DIGIT_RUNS.findall(text)), default=0)
    masked = mask(text).masked
    assert max((len(run) for run in DIGIT_RUNS.findall(masked)), default=0) <= longest
    assert sum(c.isdigit() for c in masked) <= sum(c.isdigit() for c in text)


@settings(max_examples=200, deadline=None)
@given(
    FILLER,
    st.one_of(
        phones().map(lambda s: ("phone", s)),
        emails().map(lambda s: ("email", s)),
        postal_codes().map(lambda s: ("postal_code", s)),
        id_numbers().map(lambda s: ("id_number", s)),
    ),
    FILLER,
)
def test_it_masks_any_phone_e_mail_postal_code_or_id_number_in_text(before, detail, after):
    kind, value = detail
    text = f"{before}{value}{after}"
    result = mask(text)
    assert value not in result.masked
    covered = {i for f in scan(text) for i in range(f.start, f.end)}
    assert covered.issuperset(range(len(before), len(before) + len(value)))
    assert kind in {f.type for f in result.findings}
