import pytest
from django.urls import reverse

from courses.models import CourseIndexPage
from yorisoi.roles import ensure_groups


@pytest.fixture
def authoring(people):
    ensure_groups(catalogue=CourseIndexPage.objects.get())
    return people


@pytest.mark.django_db
def test_it_lets_trainers_author_lessons_in_wagtail(client, authoring):
    client.force_login(authoring.tom)
    lesson = authoring.lessons[0]
    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
    assert response.status_code == 200
    assert "duration_minutes" in response.content.decode()


@pytest.mark.django_db
def test_it_keeps_trainees_out_of_the_admin(client, authoring):
    client.force_login(authoring.alice)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_it_lists_only_the_trainers_own_cohorts_in_the_admin(client, authoring):
    client.force_login(authoring.tom)
    response = client.get(reverse("wagtailsnippets_courses_cohort:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第12期" in html and "第13期" not in html
    for view in ("edit", "delete"):
        url = reverse(f"wagtailsnippets_courses_cohort:{view}", args=[authoring.cohort_b.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "乗っ取り"}).status_code == 404
    url = reverse("wagtailsnippets_courses_inpersonsession:edit", args=[authoring.session_b.pk])
    assert client.get(url).status_code == 404
    own = reverse("wagtailsnippets_courses_cohort:edit", args=[authoring.cohort_a.pk])
    assert client.get(own).status_code == 200
    authoring.cohort_b.refresh_from_db()
    assert authoring.cohort_b.name == "第13期"


@pytest.mark.django_db
def test_it_shows_the_admin_in_japanese_by_default(client, authoring):
    client.force_login(authoring.tom)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'lang="ja"' in html
