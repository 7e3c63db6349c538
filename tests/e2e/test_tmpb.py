from django.db import connections
from wagtail.models import Page
from tests.e2e.browser import e2e

pytestmark = e2e

def info(tag, live_server):
    c = connections["default"]
    s = getattr(c, "_test_serialized_contents", "")
    print(tag, id(c), id(live_server.thread.connections_override.get("default")), len(s), '"wagtailcore.page"' in s, Page.objects.count())

def test_it_a(browsing, people, live_server):
    info("A0", live_server)
    page = browsing.page(people.alice)
    page.goto("/me/")
    info("A1", live_server)

def test_it_b(browsing, live_server):
    info("B", live_server)
