"""Security headers: a CSP without inline script or style on our pages, a looser one only in the
Wagtail admin, a Permissions-Policy everywhere, and no-store on private pages and the API."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from courses.models import CourseIndexPage
from roleplay import services
from roleplay.models import Mode
from yorisoi.headers import NO_STORE_VIEWS
from yorisoi.roles import ensure_groups

ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives if name}


def our_templates():
    """Every template of our own apps, wherever an app keeps them."""
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if path.relative_to(ROOT).parts[0] not in (".venv", "static", "media"):
            yield path


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def test_it_keeps_inline_script_and_style_out_of_our_templates():
    templates = list(our_templates())
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}: {pattern.pattern[:20]}"
        for path in templates
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, JS_URL)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_it_catches_inline_script_and_handlers_in_a_template():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="x">{}</script>')
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<span style="width: 5%">')


@pytest.mark.django_db
def test_it_sends_a_strict_policy_on_the_site(client, people):
    client.force_login(people.alice)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "<progress" in response.content.decode()


@pytest.mark.django_db
def test_it_sends_the_same_policy_on_the_login_page(client):
    csp = policy(client.get(reverse("login")))
    assert csp["script-src"] == ["'self'"] and csp["form-action"] == ["'self'"]


@pytest.fixture
def authoring(people):
    ensure_groups(catalogue=CourseIndexPage.objects.get())
    return people


@pytest.mark.django_db
def test_it_keeps_the_wagtail_admin_working_under_its_own_policy(client, authoring, scenario):
    client.force_login(authoring.tom)
    pages = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_pages:edit", args=[authoring.lessons[0].pk]),
        reverse("wagtailsnippets_roleplay_scenario:edit", args=[scenario.pk]),
        reverse("wagtailsnippets_courses_inpersonsession:add"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'id="wagtail-config"' in html, url  # the editors' JavaScript configuration
        csp = policy(response)
        assert csp["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"], url
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'self'"], url


@pytest.mark.django_db
def test_it_lets_no_other_site_use_the_camera_or_microphone(client):
    features = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in features


@pytest.fixture
def ended_session(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    return services.end_session(session)


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_it_keeps_private_pages_out_of_every_cache(client, people, scenario, ended_session):
    active = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    enrollment = people.alice.enrollments.get(course=people.course)
    client.force_login(people.alice)
    learner = [
        reverse("journal"),
        reverse("my_hours", args=[people.course.pk]),
        reverse("roleplay_play", args=[active.pk]),
        reverse("roleplay_debrief", args=[ended_session.pk]),
        f"/api/roleplay/sessions/{active.pk}",
        "/api/roleplay/scenarios",
    ]
    for url in learner:
        response = client.get(url)
        assert response.status_code == 200 and no_store(response), url
    refused = client.get("/api/roleplay/sessions/999999")
    assert refused.status_code == 404 and no_store(refused)
    client.force_login(people.tom)
    trainer = [
        reverse("trainee_ledger", args=[enrollment.pk]),
        reverse("assessments:review", args=[ended_session.pk]),
    ]
    for url in trainer:
        response = client.get(url)
        assert response.status_code == 200 and no_store(response), url


@pytest.mark.django_db
def test_it_lets_public_pages_be_cached_as_usual(client, people):
    response = client.get(people.course.url)
    assert response.status_code in (200, 302)
    assert not no_store(response)


def test_it_names_only_urls_that_exist_in_the_no_store_list():
    from django.urls import get_resolver

    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    assert names >= NO_STORE_VIEWS
