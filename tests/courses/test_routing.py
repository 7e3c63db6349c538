"""The catalogue finds its pages by URL path in one lookup; Wagtail's rules still hold."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from courses import services
from courses.models import ModulePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, people):
    services.enrol(people.alice, people.course)
    client.force_login(people.alice)
    return client


def test_it_serves_a_lesson_with_its_course_and_module(signed_in, people):
    lesson = people.course.lessons().first()
    response = signed_in.get(lesson.url)
    assert response.status_code == 200
    assert response.context["course"].pk == people.course.pk
    assert lesson.get_parent().title in response.content.decode()


def test_it_hides_a_lesson_under_an_unpublished_module(signed_in, people):
    lesson = people.course.lessons().first()
    ModulePage.objects.get(pk=lesson.get_parent().pk).unpublish()
    lesson.refresh_from_db()
    assert lesson.live
    assert signed_in.get(lesson.url).status_code == 404


def test_it_hides_a_lesson_of_an_unpublished_course(signed_in, people):
    lesson = people.course.lessons().first()
    people.course.unpublish()
    assert signed_in.get(lesson.url).status_code == 404


def test_it_answers_404_for_unknown_and_too_deep_paths(signed_in, people):
    lesson = people.course.lessons().first()
    assert signed_in.get(people.course.url + "no-such-module/").status_code == 404
    assert signed_in.get(lesson.url + "deeper/").status_code == 404


def test_it_still_redirects_a_module_to_its_place_in_the_course(signed_in, people):
    module = people.course.modules().first()
    response = signed_in.get(module.url)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#module-{module.slug}")


def test_it_links_the_live_lessons_either_side_across_modules(signed_in, people):
    first, second, third, fourth = people.course.lessons()
    third.unpublish()
    html = signed_in.get(second.url).content.decode()
    assert f'href="{first.url}"' in html
    assert f'href="{fourth.url}"' in html
    assert f'href="{third.url}"' not in html
    html = signed_in.get(first.url).content.decode()
    assert f'href="{second.url}">{second.title} →' in html
    assert "← " not in html


def test_it_keeps_a_view_restriction_on_the_course_for_its_lessons(signed_in, people):
    # The restriction check reads the ancestors from the lesson's path: one on the course
    # (a group the learner is not in) must still hold for the lessons under it.
    staff = Group.objects.create(name="職員のみ")
    restriction = PageViewRestriction.objects.create(
        page=people.course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(staff)
    lesson = people.course.lessons().first()
    assert signed_in.get(lesson.url).status_code == 302
    people.alice.groups.add(staff)
    assert signed_in.get(lesson.url).status_code == 200


def test_it_applies_the_source_page_restriction_to_an_alias(signed_in, people):
    lesson, *_rest, last = people.course.lessons()
    alias = lesson.create_alias(parent=last.get_parent(), update_slug=f"{lesson.slug}-alias")
    PageViewRestriction.objects.create(
        page=lesson, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = signed_in.get(alias.url)
    assert response.status_code == 200
    assert "wagtailcore/password" in " ".join(t.name for t in response.templates if t.name)
