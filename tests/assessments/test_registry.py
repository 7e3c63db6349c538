"""The registry of certified home visitors: statuses, renewals due, follow-up hours, CSV."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import registry
from assessments.models import CertificationRule
from assessments.registry import RegistryFilter
from courses.models import Audience, HoursEntry, HoursSource
from tests.assessments.map_builders import certificate
from tests.factories import build_course, make_user
from yorisoi.roles import COORDINATOR

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(people):
    people.carol = make_user("carol", COORDINATOR)
    today = timezone.localdate()
    people.valid = certificate(people.alice, people.course, "YH-2026-0001")
    people.due = certificate(
        people.bob, people.course, "YH-2026-0002", expires_on=today + timedelta(days=30)
    )
    people.expired = certificate(
        people.charlie,
        people.course,
        "YH-2024-0001",
        issued_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=1),
    )
    other = build_course("other-course")
    people.revoked = certificate(people.alice, other, "YH-2025-0001", revoked=True)
    return people


def numbers(filters, today=None):
    return [c.number for c in registry.registry(filters, today=today)]


def test_it_lists_every_certificate_by_number(world):
    assert numbers(RegistryFilter()) == [
        "YH-2024-0001",
        "YH-2025-0001",
        "YH-2026-0001",
        "YH-2026-0002",
    ]


@pytest.mark.parametrize(
    "status, expected",
    [
        ("valid", ["YH-2026-0001", "YH-2026-0002"]),
        ("expired", ["YH-2024-0001"]),
        ("revoked", ["YH-2025-0001"]),
    ],
)
def test_it_filters_by_status(world, status, expected):
    assert numbers(RegistryFilter(status=status)) == expected


def test_it_ignores_an_unknown_status():
    assert RegistryFilter.from_query({"status": "bogus"}).status == ""


def test_it_finds_renewals_due_within_ninety_days(world):
    today = timezone.localdate()
    certificate(world.tom, world.course, "YH-2026-0003", expires_on=today + timedelta(days=91))
    certificate(world.tina, world.course, "YH-2026-0004", expires_on=today + timedelta(days=90))

    assert numbers(RegistryFilter(due=True)) == ["YH-2026-0002", "YH-2026-0004"]
    rows = {
        r.certificate.number: r for r in registry.registry_rows(registry.registry(RegistryFilter()))
    }
    assert rows["YH-2026-0002"].due_soon and rows["YH-2026-0004"].due_soon
    assert not rows["YH-2026-0003"].due_soon
    assert not rows["YH-2024-0001"].due_soon  # already expired: not a renewal any more


def test_it_counts_the_fiscal_year_from_april():
    assert registry.fiscal_year(date(2026, 4, 1)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert registry.fiscal_year(date(2027, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert registry.fiscal_year(date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 3, 31))


def _line(user, course, minutes, day):
    at = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))
    return HoursEntry.objects.create(
        user=user, course=course, minutes=minutes, source=HoursSource.SESSION, created_at=at
    )


def test_it_counts_follow_up_hours_of_this_fiscal_year(world):
    today = date(2026, 5, 10)
    follow_up = build_course("follow-up")
    follow_up.audience = Audience.HOME_VISITOR
    follow_up.save()
    renewal = build_course("renewal")  # audience "all", but the rule names it
    CertificationRule.objects.create(course=world.course, renewal_course=renewal)
    coordinators = build_course("coordinators")
    coordinators.audience = Audience.COORDINATOR
    coordinators.save()
    _line(world.alice, follow_up, 90, date(2026, 4, 1))
    _line(world.alice, renewal, 60, date(2027, 3, 31))
    _line(world.alice, follow_up, 600, date(2026, 3, 31))  # last fiscal year
    _line(world.alice, world.course, 600, date(2026, 5, 1))  # the certification course itself
    _line(world.alice, coordinators, 600, date(2026, 5, 1))  # not follow-up for visitors

    rows = registry.registry_rows([world.valid], today=today)

    assert rows[0].follow_up_minutes == 150
    assert str(rows[0].follow_up_hours) == "2.5"


# --- The pages ----------------------------------------------------------------------------------

KEEPERS = {"carol": 200, "tom": 200, "tina": 200, "ada": 200}
TRAINEES = {"alice": 404, "bob": 404, "charlie": 404}


@pytest.mark.parametrize("url_name", ["registry", "registry_csv"])
@pytest.mark.parametrize("name, status", sorted((KEEPERS | TRAINEES).items()))
def test_it_shows_the_registry_to_its_keepers_only(client, world, url_name, name, status):
    client.force_login(getattr(world, name))

    assert client.get(reverse(f"assessments:{url_name}")).status_code == status


@pytest.mark.parametrize("url_name", ["registry", "registry_csv"])
def test_it_sends_anonymous_visitors_to_log_in(client, world, url_name):
    response = client.get(reverse(f"assessments:{url_name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_highlights_renewals_due_on_the_page(client, world):
    client.force_login(world.carol)

    html = client.get(reverse("assessments:registry") + "?due=1", **EN).content.decode()

    assert "YH-2026-0002" in html and "YH-2026-0001" not in html
    assert "Renewal due soon</span>" in html
    assert "fiscal year" in html


def test_it_pages_the_registry(client, world):
    for n in range(60):
        certificate(make_user(f"visitor{n}", "受講者"), world.course, f"YH-2027-{n:04d}")
    client.force_login(world.carol)

    first = client.get(reverse("assessments:registry"), **EN).content.decode()
    second = client.get(reverse("assessments:registry") + "?page=2", **EN).content.decode()

    assert "Page 1 of 2" in first
    assert "YH-2027-0059" in second and "YH-2027-0059" not in first


def test_it_exports_the_filtered_registry_as_excel_friendly_csv(client, world):
    world.bob.last_name = '=HYPERLINK("http://evil.example")'
    world.bob.save()
    certificate(world.bob, build_course("third"), "YH-2026-0009", holder_name=world.bob.last_name)
    client.force_login(world.carol)

    response = client.get(reverse("assessments:registry_csv") + "?status=valid", **EN)
    body = response.content.decode("utf-8")

    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeff")
    assert "YH-2024-0001" not in body  # expired, filtered out
    assert "'=HYPERLINK(" in body
    assert '\n"=HYPERLINK' not in body and "\n=HYPERLINK" not in body
