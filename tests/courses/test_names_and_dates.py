"""Names read family name first and dates the Japanese way, on every page and in the admin."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from courses import services
from tests.factories import make_user


def render(source, **context):
    return Template("{% load yorisoi_format %}" + source).render(Context(context))


def test_it_writes_dates_the_japanese_way_in_japanese():
    monday = date(2026, 12, 7)
    evening = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("UTC"))  # 18:30 in Tokyo
    with translation.override("ja"):
        assert render("{{ d|long_date }}", d=monday) == "2026年12月7日（月）"
        assert render('{{ d|long_date:"time" }}', d=evening) == "2026年12月7日（月）18:30"
        assert render('{{ d|long_date:"time" }}', d=monday) == "2026年12月7日（月）"
    with translation.override("en"):
        assert render("{{ d|long_date }}", d=monday) == "Mon 7 Dec 2026"
        assert render('{{ d|long_date:"time" }}', d=evening) == "Mon 7 Dec 2026, 18:30"
    assert render("{{ d|long_date }}", d=None) == ""


@pytest.mark.django_db
def test_it_names_people_family_name_first(people):
    hanako = make_user("hanako", "受講者", last_name="佐藤", first_name="花子")
    assert services.display_name(hanako) == "佐藤 花子"
    assert hanako.get_full_name() == "佐藤 花子"
    assert render("{{ u|display_name }}", u=hanako) == "佐藤 花子"
    assert render("{{ u|display_name }}", u=people.tom) == "tom"


@pytest.mark.django_db
def test_it_names_people_family_name_first_in_the_admin(client, people):
    make_user("hanako", "受講者", last_name="佐藤", first_name="花子")
    client.force_login(people.ada)
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "佐藤 花子" in html
    assert "花子 佐藤" not in html


@pytest.mark.django_db
def test_it_shows_who_made_a_ledger_line_by_name(client, people):
    people.tom.last_name, people.tom.first_name = "高橋", "徹"
    people.tom.save()
    services.record_attendance(people.session_a, {people.alice.pk: "present"}, by=people.tom)
    client.force_login(people.tom)
    html = client.get(
        reverse("trainee_ledger", args=[people.alice.enrollments.get().pk])
    ).content.decode()
    assert ">高橋 徹</td>" in html
