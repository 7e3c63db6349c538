"""Pages whose SQL query count must not grow with the size of a course, a ledger or a history.

Counts, not timings: a count is the same on every machine, so it can be asserted exactly.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import sites

from courses import services
from courses.models import HoursEntry
from roleplay import services as roleplay_services
from roleplay.models import Mode
from tests.assessments.quiz_builders import build_quiz
from tests.factories import build_course
from yorisoi import sites as site_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_cached(people):
    """The site is read once and then kept (yorisoi/sites.py): count what every later request
    costs, not the first one's cache fill."""
    site_cache.site_for("testserver", 80)


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_it_renders_the_course_page_in_the_same_queries_for_2_or_22_modules(client, people):
    small = build_course(slug="small", modules=2, lessons_per_module=3)
    large = build_course(slug="large", modules=22, lessons_per_module=3)
    for course in (small, large):
        services.enrol(people.alice, course)
    client.force_login(people.alice)
    assert queries_of(client, large.url) == queries_of(client, small.url)


def test_it_renders_the_hours_page_in_the_same_queries_with_50_corrections(client, people):
    services.enrol(people.alice, people.course)
    for lesson in people.course.lessons():
        services.complete_lesson(people.alice, lesson)
    client.force_login(people.alice)
    url = reverse("my_hours", args=[people.course.pk])
    before = queries_of(client, url)
    credits = list(HoursEntry.objects.filter(user=people.alice))
    for n in range(50):
        credit = credits[n % len(credits)]
        services.correct_entry(credit, 10 + n, f"記録の訂正 {n}", by=people.tom)
    assert queries_of(client, url) == before


def test_it_renders_a_lesson_page_in_at_most_15_queries_with_a_quiz_block(client, people):
    # 9 without the quiz: session, the user with their roles, lesson, outline (course, modules,
    # lessons),
    # view restrictions, enrolment, completion, journal, competencies. The site and the
    # catalogue it routes from come from the cache (yorisoi/sites.py).
    # The quiz block adds its quiz and attempts, and takes the enrolment from the page.
    client.force_login(people.alice)
    lesson = people.lessons[0]
    plain = queries_of(client, lesson.url)
    lesson.body.append(("quiz", build_quiz(course=people.course)))
    lesson.save_revision().publish()
    assert plain == 9
    assert queries_of(client, lesson.url) == plain + 2


def test_it_lists_scenarios_and_practice_in_the_same_queries_for_1_or_30_sessions(
    client, people, scenario
):
    client.force_login(people.alice)
    roleplay_services.start_session(people.alice, scenario, Mode.SCRIPTED)
    one = queries_of(client, reverse("roleplay_scenarios"))
    for _ in range(29):
        roleplay_services.start_session(people.alice, scenario, Mode.SCRIPTED)
    assert queries_of(client, reverse("roleplay_scenarios")) == one


def test_it_reads_the_site_root_paths_from_the_cache_once_however_many_lessons_a_page_links(
    client, people, monkeypatch
):
    # With Redis as the cache each read is a network round trip: the course page read it once
    # per lesson link (27 times for the default pack's first course) until its links were
    # made with the request, which keeps the paths for the rest of the request.
    real, reads = sites.cache, []

    class Counting:
        def get(self, key, *args, **kwargs):
            reads.append(key)
            return real.get(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(sites, "cache", Counting())
    large = build_course(slug="large", modules=6, lessons_per_module=4)
    services.enrol(people.alice, large)
    client.force_login(people.alice)
    for url in (large.url, reverse("home"), large.get_parent().url):
        client.get(url)  # the first request fills the cache
        reads.clear()
        assert client.get(url).status_code == 200
        assert len(reads) <= 1, url
