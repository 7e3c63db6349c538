"""How dates, people's names and quotations read on every page: one filter each, so no page
differs."""

import datetime

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

from courses.services import display_name as _display_name

register = template.Library()

# (date, date with time) per language; other languages read the English way.
DATE_FORMATS = {
    "ja": ("Y年n月j日（D）", "Y年n月j日（D）G:i"),
    "en": ("D j M Y", "D j M Y, G:i"),
}


@register.filter
def long_date(value, with_time=""):
    """2026年12月7日（月） in Japanese, Mon 7 Dec 2026 in English; `long_date:"time"` adds
    the local time. Datetimes are shown in the site's time zone."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
    elif with_time:
        with_time = ""  # a date has no time to show
    language = (translation.get_language() or "ja").split("-")[0]
    formats = DATE_FORMATS.get(language, DATE_FORMATS["en"])
    return format_date(value, formats[1] if with_time else formats[0])


@register.filter
def display_name(user):
    """A person's name family name first (佐藤 花子), or their user name when they have none."""
    return _display_name(user) if user else ""


# Opening quote mark → its closing mark. Quoted words reach the pages both bare and in brackets
# (a scripted choice is written 「…」, observers type 「」 or "", and a judge may quote one
# sentence of a bracketed turn, keeping only its opening or its closing mark), while the pages
# put them in <q> or 「」 themselves; without this, Japanese pages showed 「「…」」.
QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”", "‘": "’", '"': '"', "'": "'"}


def _encloses(text: str) -> bool:
    """Whether the first and last characters are one pair of quote marks around all the text."""
    opening, closing, inner = text[0], text[-1], text[1:-1]
    if QUOTE_PAIRS.get(opening) != closing:
        return False
    if opening == closing:
        return opening not in inner
    depth = 0
    for char in inner:
        depth += (char == opening) - (char == closing)
        if depth < 0:
            return False
    return depth == 0


def _unmatched(text: str, mark: str) -> bool:
    """Whether a quote mark at one end of the text has no partner inside it."""
    pair = QUOTE_PAIRS.get(mark) or next(o for o, c in QUOTE_PAIRS.items() if c == mark)
    if pair == mark:
        return text.count(mark) == 1
    opening, closing = (mark, pair) if mark in QUOTE_PAIRS else (pair, mark)
    return text.count(opening) != text.count(closing)


@register.filter
def unquoted(value):
    """The words without the quote marks around them: 「はい」 → はい, and a quoted fragment
    such as 「はい。 loses its lone mark; 「A」と「B」 stays as it is, since its first and last
    marks belong to different quotes."""
    text = str(value or "").strip()
    closers = set(QUOTE_PAIRS.values())
    if len(text) >= 2 and _encloses(text):
        return text[1:-1].strip()
    if text[:1] in QUOTE_PAIRS and _unmatched(text, text[0]):
        text = text[1:]
    if text[-1:] in closers and _unmatched(text, text[-1]):
        text = text[:-1]
    return text.strip()
