"""The learner's competency map page and a cohort's map for its trainers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import RubricCriterion
from courses.models import Cohort, Competency, CompetencyCategory, CompetencyFramework
from tests.assessments.map_builders import complete, link_lesson
from tests.assessments.quiz_builders import competency
from tests.assessments.reviewing import ended_session, judged
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
    assert re.search(r'font-weight="bold"><tspan[^>]*>HV-1 関わりの基本</tspan>', svg)
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
    assert 'class="heat-4"' in html  # the shade of 2.0 of 4, as an extra to the number


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


def test_it_lays_the_chart_out_for_a_phone(client, world):
    client.force_login(world.alice)

    svg = svg_of(client.get(reverse("assessments:my_competencies"), **EN).content.decode())

    # About as wide as a 390px phone's content and drawn at full width: 1:1 there, so the
    # 14px labels stay 14px instead of shrinking to 6px as the old 640-wide chart did.
    assert re.search(r'viewBox="0 0 360 \d+"', svg)
    assert 'width="100%"' in svg
    assert int(re.search(r'font-size="(\d+)"', svg).group(1)) >= 13
    # Each name has its own line above its bar, not a column beside it.
    first = re.search(r'<g class="bar">.*?</g>', svg, re.S).group(0)
    label_y = int(re.search(r'<tspan x="0" y="(\d+)">HV-LISTEN 傾聴</tspan>', first).group(1))
    bar_y = int(re.search(r'<rect x="\d+" y="(\d+)"', first).group(1))
    assert bar_y > label_y


def test_it_wraps_a_long_name_instead_of_cutting_it(client, world):
    Competency.objects.filter(code="HV-SAFETY").update(
        name="報告から見えた課題をもとに、支援の方向転換や会議を行政に持ちかける"
    )
    client.force_login(world.alice)

    svg = svg_of(client.get(reverse("assessments:my_competencies"), **EN).content.decode())

    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    safety = [line for line in lines if "行政" in line or "HV-SAFETY" in line]
    assert len(safety) == 2
    assert "".join(safety).replace(" ", "") == (
        "HV-SAFETY報告から見えた課題をもとに、支援の方向転換や会議を行政に持ちかける"
    )


@pytest.fixture
def two_frameworks(world):
    """Alice's course teaches the home visitors' framework; the coordinators' framework has
    one competency a role-play criterion touched and one nothing did."""
    coordinators = CompetencyFramework.objects.create(code="coordinator", name="コーディネーター")
    category = CompetencyCategory.objects.create(
        framework=coordinators, code="CO-5", name="家庭と訪問支援員の間をつなぐ"
    )
    touched = Competency.objects.create(category=category, code="CO-5-04", name="段取り")
    Competency.objects.create(category=category, code="CO-5-05", name="橋渡し")
    other = CompetencyCategory.objects.create(framework=coordinators, code="CO-6", name="行政")
    Competency.objects.create(category=other, code="CO-6-01", name="報告")
    return touched


def test_it_shows_a_learner_only_the_competencies_that_concern_them(
    client, world, two_frameworks, scenario
):
    # Parental many-to-many links are written when their owner is saved.
    criterion = RubricCriterion.objects.get(rubric__key="standard", key="empathy")
    criterion.competencies.add(two_frameworks)
    criterion.save()
    judged(ended_session(world.alice, scenario), "heuristic", {"empathy": 3})
    client.force_login(world.alice)

    html = client.get(reverse("assessments:my_competencies"), **EN).content.decode()

    # The taught framework in full, evidence or not; of the other, only what has evidence.
    assert "HV-LISTEN" in html and "HV-SAFETY" in html
    assert "CO-5-04" in html
    assert "CO-5-05" not in html and "CO-6" not in html


def test_it_shows_a_learner_without_courses_or_evidence_no_rows(client, world, two_frameworks):
    client.force_login(world.carol)

    html = client.get(reverse("assessments:my_competencies"), **EN).content.decode()

    assert "<svg" not in html and "competency-table" not in html
    assert "No evidence yet" in html


def test_it_builds_a_learners_page_in_a_constant_number_of_queries(client, world, two_frameworks):
    client.force_login(world.alice)
    url = reverse("assessments:my_competencies")
    client.get(url)  # the first request of a session looks up more than the map
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for lesson in world.lessons[1:]:
        complete(world.alice, lesson)
        link_lesson(lesson, two_frameworks)

    with CaptureQueriesContext(connection) as more:
        client.get(url)

    assert len(more) == len(few)
