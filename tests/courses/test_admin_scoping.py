"""Every Wagtail view of cohorts and in-person sessions is scoped to the trainer's own cohorts."""

import re

import pytest
from django.urls import reverse

from courses.models import CourseIndexPage, InPersonSession
from yorisoi.roles import ensure_groups


@pytest.fixture
def authoring(people):
    ensure_groups(catalogue=CourseIndexPage.objects.get())
    return people


def session_data(cohort):
    return {
        "cohort": cohort.pk,
        "title": "同行訪問",
        "starts_at": "2026-12-01 10:00",
        "place": "公民館",
        "hours": "1.5",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["copy", "history", "history_results", "usage"])
def test_it_hides_another_trainers_cohort_in_every_view(client, authoring, view):
    client.force_login(authoring.tom)
    theirs = reverse(f"wagtailsnippets_courses_cohort:{view}", args=[authoring.cohort_b.pk])
    assert client.get(theirs).status_code == 404
    session = reverse(
        f"wagtailsnippets_courses_inpersonsession:{view}", args=[authoring.session_b.pk]
    )
    assert client.get(session).status_code == 404
    own = reverse(f"wagtailsnippets_courses_cohort:{view}", args=[authoring.cohort_a.pk])
    assert client.get(own).status_code == 200


@pytest.mark.django_db
def test_it_offers_only_the_trainers_cohorts_in_the_chooser(client, authoring):
    client.force_login(authoring.tom)
    html = client.get(reverse("wagtailsnippetchoosers_courses_cohort:choose_results")).content
    assert "第12期" in html.decode() and "第13期" not in html.decode()
    chosen = "wagtailsnippetchoosers_courses_cohort:chosen"
    assert client.get(reverse(chosen, args=[authoring.cohort_b.pk])).status_code == 404
    assert client.get(reverse(chosen, args=[authoring.cohort_a.pk])).status_code == 200
    multiple = reverse("wagtailsnippetchoosers_courses_cohort:chosen_multiple")
    response = client.get(f"{multiple}?id={authoring.cohort_b.pk}")
    assert "第13期" not in response.content.decode()


@pytest.mark.django_db
def test_it_lets_no_trainer_add_a_session_to_another_cohort(client, authoring):
    client.force_login(authoring.tom)
    add = reverse("wagtailsnippets_courses_inpersonsession:add")
    response = client.post(add, session_data(authoring.cohort_b))
    assert response.status_code == 200
    assert "cohort" in response.context["form"].errors
    assert not InPersonSession.objects.filter(title="同行訪問").exists()
    response = client.post(add, session_data(authoring.cohort_a))
    assert response.status_code == 302
    assert InPersonSession.objects.get(title="同行訪問").cohort == authoring.cohort_a


@pytest.mark.django_db
def test_it_lets_no_trainer_move_a_session_to_another_cohort(client, authoring):
    client.force_login(authoring.tom)
    edit = reverse("wagtailsnippets_courses_inpersonsession:edit", args=[authoring.session_a.pk])
    response = client.post(edit, session_data(authoring.cohort_b))
    assert response.status_code == 200
    authoring.session_a.refresh_from_db()
    assert authoring.session_a.cohort == authoring.cohort_a


@pytest.mark.django_db
def test_it_lets_the_org_admin_reach_every_cohort(client, authoring):
    client.force_login(authoring.ada)
    url = reverse("wagtailsnippets_courses_cohort:copy", args=[authoring.cohort_b.pk])
    assert client.get(url).status_code == 200
    add = reverse("wagtailsnippets_courses_inpersonsession:add")
    assert client.post(add, session_data(authoring.cohort_b)).status_code == 302


@pytest.mark.django_db
def test_it_lists_only_trainers_in_the_cohort_trainers_picker(client, people):
    client.force_login(people.ada)
    form = client.get(reverse("wagtailsnippets_courses_cohort:add")).content.decode()
    listed = re.search(r'<select name="trainers".*?</select>', form, re.S).group(0)
    for trainer in (people.tom, people.tina, people.ada):
        assert f'value="{trainer.pk}"' in listed
    for trainee in (people.alice, people.bob, people.charlie):
        assert f'value="{trainee.pk}"' not in listed


@pytest.mark.django_db
def test_it_names_trainers_in_the_picker_family_name_first(client, people):
    people.tom.last_name, people.tom.first_name = "富田", "智"
    people.tom.save()
    client.force_login(people.ada)
    form = client.get(reverse("wagtailsnippets_courses_cohort:add")).content.decode()
    listed = re.search(r'<select name="trainers".*?</select>', form, re.S).group(0)
    assert f'<option value="{people.tom.pk}">富田 智</option>' in listed
