"""The scenario list puts the learner's own role first."""

import pytest
from django.urls import reverse

from tests.factories import build_scenario, make_user
from yorisoi.roles import COORDINATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_roles(people):
    build_scenario("co-call", title="調整の電話", learner_role="coordinator")
    build_scenario("hv-visit", title="はじめての訪問", learner_role="home_visitor")


def titles_in_order(client):
    html = client.get(reverse("roleplay_scenarios")).content.decode()
    return html.index("はじめての訪問"), html.index("調整の電話")


def test_it_lists_home_visitor_scenarios_first_for_a_trainee(client, people, both_roles):
    client.force_login(people.alice)
    visitor, coordinator = titles_in_order(client)
    assert visitor < coordinator


def test_it_lists_coordinator_scenarios_first_for_a_coordinator(client, people, both_roles):
    client.force_login(make_user("carol", COORDINATOR))
    visitor, coordinator = titles_in_order(client)
    assert coordinator < visitor
