"""How dates and people's names read on every page: one filter each, so no page differs."""

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
