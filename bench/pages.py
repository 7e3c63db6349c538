"""Benchmark: server time and SQL queries of the pages people open most, against a bare page.

Run with `.venv/bin/python bench/pages.py` (a scratch database: see bench/scratch.py). It loads
the default content pack, signs a trainee in (enrolled, a third of the online lessons done, one
scripted role-play played to its ending) and a trainer with a cohort of 30 trainees × 12 lessons,
then times each page through Django's test Client: the whole middleware stack, routing, views
and templates, without a network. The runs are interleaved (one request to each page per round, in
turn), so a change in the load of a shared machine falls on all pages alike; each figure is the
median of BENCH_RUNS rounds after a warm-up round.

The baseline is a bare Wagtail page without a model of its own: a view defined in this script,
served through the same middleware for the same signed-in trainee, that does what Wagtail's
serve view does (find the Site, run the serve hooks, which check view restrictions) for the same
LessonPage, found by id in one query, and renders it with Wagtail's base context (`page`) in a
minimal template: the title and the StreamField body with `{% include_block %}`, no site header,
navigation, progress or journal. It is what showing this lesson's content costs at the least
with Wagtail, so the lesson page's ratio is the cost of everything we put around the content.
The other pages show other content; their ratio to the same bare page says how heavy each is
next to a lesson's bare content. The lesson is the one of median body size in the pack's first
course.
"""

import json
import time

import scratch
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.template.response import TemplateResponse
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, path, reverse
from wagtail import hooks
from wagtail.models import Page, Site

from courses import services
from courses.models import CoursePage, Delivery, LessonPage
from roleplay import services as roleplay_services
from roleplay.models import Mode, Scenario
from tests.factories import make_user, populate_cohort
from yorisoi import urls as site_urls
from yorisoi.roles import TRAINEE, ensure_groups

BARE = engines["django"].from_string(
    '{% load wagtailcore_tags %}<!doctype html><html lang="ja"><head><meta charset="utf-8">'
    "<title>{{ page.title }}</title></head><body><main><h1>{{ page.title }}</h1>"
    "{% for block in page.body %}{% include_block block %}{% endfor %}</main></body></html>"
)


def bare_lesson(request, pk):
    """What Wagtail's own serve view does for a page, with Wagtail's base context and a minimal
    template. The page is found by id in one query (Wagtail's routing takes two per level)."""
    if Site.find_for_request(request) is None:
        raise Http404

    def render_bare(page, request, args, kwargs):
        return TemplateResponse(request, BARE, Page.get_context(page, request))

    page = get_object_or_404(LessonPage.objects.live(), pk=pk)
    chain = render_bare
    for hook in reversed(hooks.get_hooks("on_serve_page")):
        chain = hook(chain)
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, (), {})
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, (), {})


# This module is the URL configuration while it runs: the site's URLs, and the bare page.
urlpatterns = [path("bench/bare/<int:pk>/", bare_lesson, name="bench_bare"), *site_urls.urlpatterns]


def median_lesson(course: CoursePage) -> LessonPage:
    lessons = sorted(
        course.lessons(), key=lambda lesson: len(json.dumps(lesson.body.get_prep_value()))
    )
    return lessons[len(lessons) // 2]


def play_to_an_ending(user) -> int:
    """A scripted session of the pack's first scenario, first choice each time, to its end."""
    scenario = Scenario.objects.playable().first()
    session = roleplay_services.start_session(user, scenario, Mode.SCRIPTED)
    while session.is_active:
        node = session.current_node()
        choice = node.available(session.state)[0]
        roleplay_services.submit(session, choice=choice.id)
        session.refresh_from_db()
    return session.pk


def setup():
    call_command("migrate", verbosity=0)
    ensure_groups()
    call_command("load_content", verbosity=0)
    course = CoursePage.objects.live().order_by("path").first()
    trainee = make_user("bench-trainee", TRAINEE)
    services.enrol(trainee, course)
    lessons = list(course.lessons().filter(delivery=Delivery.ONLINE))
    for lesson in lessons[: len(lessons) // 3]:
        services.complete_lesson(trainee, lesson)
    lesson = median_lesson(course)
    debrief = play_to_an_ending(trainee)
    cohort, trainer = populate_cohort(30, 3, 4)
    learner, teacher = scratch.signed_in(trainee), scratch.signed_in(trainer)
    pages = {
        "bare_page": (learner, reverse("bench_bare", args=[lesson.pk])),
        "lesson_page": (learner, lesson.url),
        "trainee_home": (learner, reverse("home")),
        "course_page": (learner, course.url),
        "debrief": (learner, reverse("roleplay_debrief", args=[debrief])),
        "trainer_dashboard": (teacher, reverse("cohort_dashboard", args=[cohort.pk])),
    }
    return pages, lesson


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def main():
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    pages, lesson = setup()
    queries = {}
    for name, (client, url) in pages.items():
        get(client, url)  # warm-up: caches, compiled templates, the rendered Markdown
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        queries[name] = scratch.statements(captured)
    timings = {name: [] for name in pages}
    for _ in range(scratch.RUNS):
        for name, (client, url) in pages.items():
            started = time.perf_counter()
            get(client, url)
            timings[name].append((time.perf_counter() - started) * 1000)
    bare = scratch.median(timings.pop("bare_page"))
    scratch.note(
        f"bench/pages.py: server time per page (test Client), median of {scratch.RUNS} "
        f"interleaved rounds; baseline: the bare page of lesson {lesson.slug!r} "
        f"({len(lesson.body)} blocks), {queries['bare_page']} queries"
    )
    for name, runs in timings.items():
        scratch.figure(f"{name}_time", scratch.median(runs), "ms", (bare, "ms"))
        scratch.figure(f"{name}_queries", queries[name], "queries")


if __name__ == "__main__":
    main()
