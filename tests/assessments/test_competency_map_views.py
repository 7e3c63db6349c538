"""The learner's competency map page and a cohort's map for its trainers."""

import re

import pytest
from django.urls import reverse

from courses.models import Cohort, Competency
from tests.assessments.map_builders import complete, link_lesson
from tests.assessments.quiz_builders import competency
from tests.factories import make_user
from yorisoi.roles import COORDINATOR

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def world(people):
    people.carol = make_user("carol", COORDINATOR)
    listening = competency()
    competency("HV-SAFETY")
    link_lesson(people.lessons[0], listening)
    link_lesson(people.lessons[1], listening)
    complete(people.alice, people.lessons[0])
    return people


def svg_of(html: str) -> str:
    return re.search(r"<svg.*?</svg>", html, re.S).group(0)


def test_it_draws_a_chart_readable_without_colour(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("assessments:my_competencies"), **EN).content.decode()
    svg = svg_of(html)

    assert 'role="img"' in svg
    assert 'aria-label="Strength per competency, 0 to 4"' in svg
    # One <title> per bar (plus the chart's own), each naming the competency and its value.
    bars = re.findall(r'<g class="bar">\s*<title>(.*?)</title>', svg, re.S)
    assert len(bars) == Competency.objects.count() == 2
    assert "HV-LISTEN 傾聴: strength 2.0 / 4" in bars[0]
    # The value is written as text beside the bar, and "no evidence" is said, not coloured.
    assert ">2.0 / 4</text>" in svg
    assert ">no evidence yet</text>" in svg
    assert 'font-weight="bold">HV-1 関わりの基本</text>' in svg
    # A single fill colour: no meaning is carried by colour.
    assert len(set(re.findall(r'fill="(#[0-9a-f]+)"', svg))) <= 1


def test_it_mirrors_the_chart_in_a_table(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("assessments:my_competencies"), **EN).content.decode()
    table = re.search(r'<table class="records competency-table">.*?</table>', html, re.S).group(0)

    cells = re.findall(
        r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", table, re.S
    )
    assert [(name.strip(), value.strip()) for name, value in cells] == [
        ("HV-LISTEN 傾聴", "2.0"),
        ("HV-SAFETY 傾聴", "no evidence yet"),
    ]
    assert "1 / 2" in table  # lessons completed


def test_it_explains_the_strength_formula_on_the_page(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("assessments:my_competencies"), **EN).content.decode()

    assert "the mean rubric level" in html
    assert "not 0" in html


def test_it_shows_a_cohort_its_trainees_strengths(client, world):
    client.force_login(world.tom)

    html = client.get(
        reverse("assessments:cohort_competencies", args=[world.cohort_a.pk]), **EN
    ).content.decode()

    assert "有田 愛" in html and "坂井 望" in html
    assert "近藤" not in html  # Charlie is in cohort B
    assert ">2.0</td>" in html
    assert "background-color: rgba(" in html  # the shade, as an extra to the number


MY_MAP = {"alice": 200, "bob": 200, "charlie": 200, "carol": 200, "tom": 200, "tina": 200}
COHORT_MAP = {
    "alice": 404,
    "bob": 404,
    "charlie": 404,
    "carol": 404,
    "tom": 200,
    "tina": 404,
    "ada": 200,
}


@pytest.mark.parametrize("name, status", sorted((MY_MAP | {"ada": 200}).items()))
def test_it_shows_everyone_signed_in_their_own_map(client, world, name, status):
    client.force_login(getattr(world, name))

    assert client.get(reverse("assessments:my_competencies")).status_code == status


@pytest.mark.parametrize("name, status", sorted(COHORT_MAP.items()))
def test_it_shows_a_cohorts_map_only_to_its_trainers_and_admins(client, world, name, status):
    client.force_login(getattr(world, name))

    url = reverse("assessments:cohort_competencies", args=[world.cohort_a.pk])
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url_name", ["my_competencies", "cohort_competencies"])
def test_it_sends_anonymous_visitors_to_log_in(client, world, url_name):
    args = [world.cohort_a.pk] if url_name == "cohort_competencies" else []

    response = client.get(reverse(f"assessments:{url_name}", args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_says_so_when_a_cohort_has_no_trainees(client, world):
    empty = Cohort.objects.create(
        course=world.course,
        name="第14期",
        starts_on=world.cohort_a.starts_on,
        ends_on=world.cohort_a.ends_on,
    )
    client.force_login(world.ada)

    html = client.get(reverse("assessments:cohort_competencies", args=[empty.pk]), **EN)

    assert "No trainees in this cohort yet." in html.content.decode()
