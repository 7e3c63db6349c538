"""The request's Wagtail Site comes from the cache, and every change to a site or its root page
reaches the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from courses.models import CourseIndexPage
from yorisoi import sites

pytestmark = pytest.mark.django_db


def site_queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return sum('"wagtailcore_site"' in q["sql"] for q in captured.captured_queries), response


def test_it_finds_the_site_in_the_database_once_then_in_the_cache(client, people):
    client.force_login(people.alice)
    lesson = people.lessons[0]
    first, response = site_queries(client, lesson.url)
    assert response.status_code == 200
    second, response = site_queries(client, lesson.url)
    assert response.status_code == 200
    assert (first, second) == (1, 0)


def test_it_serves_the_catalogue_with_the_title_just_published(client, people):
    client.get("/")
    catalogue = CourseIndexPage.objects.get()
    catalogue.title = "研修講座のご案内"
    catalogue.save_revision().publish()
    assert "研修講座のご案内" in client.get("/").content.decode()


def test_it_routes_from_a_new_root_page_as_soon_as_the_site_is_saved(client, people):
    assert client.get(people.course.url).status_code == 302  # the course, asking to sign in
    other = Page.get_first_root_node().add_child(instance=Page(title="別のサイト", slug="other"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = other
    site.save()
    assert client.get(people.course.url).status_code == 404
    assert "別のサイト" in client.get("/").content.decode()


def test_it_answers_404_once_the_site_is_deleted(client, people):
    assert client.get("/").status_code == 200
    Site.objects.all().delete()
    assert client.get("/").status_code == 404


def test_it_forgets_the_site_when_its_root_page_is_moved(client, people):
    client.get("/")
    catalogue = CourseIndexPage.objects.get()
    holder = Page.get_first_root_node().add_child(instance=Page(title="入れ物", slug="holder"))
    catalogue.move(holder, pos="last-child")
    assert sites.KEY not in sites.cache


def test_it_keeps_a_bounded_number_of_hosts(people):
    for n in range(sites.MAX_HOSTS + 10):
        assert sites.site_for(f"made-up-{n}.example", 80) is not None  # the default site
    assert len(sites.cache.get(sites.KEY)) <= sites.MAX_HOSTS


def test_it_refuses_a_host_outside_allowed_hosts_before_caching_it(client, people, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert "evil.example:80" not in (sites.cache.get(sites.KEY) or {})


def test_it_leaves_views_other_than_wagtails_pages_alone(client, people, monkeypatch):
    def fail(*args):
        raise AssertionError("looked up the site")

    monkeypatch.setattr(sites, "site_for", fail)
    client.force_login(people.alice)
    assert client.get("/api/roleplay/scenarios").status_code == 200
    assert client.get("/privacy/").status_code == 200
    with pytest.raises(AssertionError, match="looked up the site"):
        client.get("/")
