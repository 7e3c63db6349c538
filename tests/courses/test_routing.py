"""The catalogue finds its pages by URL path in one lookup; Wagtail's rules still hold."""

import pytest

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
