"""A permission matrix over every URL of the learner and trainer screens."""

import pytest
from django.urls import reverse


def urls(p):
    """(name, url, {user: expected status}) for each page; anonymous is checked separately."""
    lesson = p.lessons[0]
    enrollment_alice = p.alice.enrollments.get()
    enrollment_charlie = p.charlie.enrollments.get()
    return [
        ("home", reverse("home"), {"alice": 200, "charlie": 200, "tom": 200, "ada": 200}),
        ("journal", reverse("journal"), {"alice": 200, "tom": 200}),
        ("my_hours", reverse("my_hours", args=[p.course.pk]), {"alice": 200, "tom": 404}),
        ("trainer_cohorts", reverse("trainer_cohorts"), {"alice": 403, "tom": 200, "ada": 200}),
        (
            "cohort_dashboard",
            reverse("cohort_dashboard", args=[p.cohort_a.pk]),
            {"alice": 403, "charlie": 403, "tom": 200, "tina": 404, "ada": 200},
        ),
        (
            "cohort_export",
            reverse("cohort_export", args=[p.cohort_a.pk]),
            {"alice": 403, "tom": 200, "tina": 404, "ada": 200},
        ),
        (
            "roster",
            reverse("roster", args=[p.cohort_a.pk]),
            {"alice": 403, "tom": 200, "tina": 404, "ada": 200},
        ),
        (
            "attendance",
            reverse("attendance", args=[p.session_a.pk]),
            {"bob": 403, "tom": 200, "tina": 404, "ada": 200},
        ),
        (
            "trainee_ledger",
            reverse("trainee_ledger", args=[enrollment_alice.pk]),
            {"alice": 403, "charlie": 403, "tom": 200, "tina": 404, "ada": 200},
        ),
        (
            "trainee_ledger_b",
            reverse("trainee_ledger", args=[enrollment_charlie.pk]),
            {"tom": 404, "tina": 200},
        ),
        ("lesson", lesson.url, {"alice": 200, "tom": 200}),
        ("course", p.course.url, {"alice": 200, "charlie": 200}),
    ]


@pytest.mark.django_db
def test_it_gives_each_role_exactly_its_pages(client, people):
    for name, url, expected in urls(people):
        for username, status in expected.items():
            client.force_login(getattr(people, username))
            response = client.get(url)
            assert response.status_code == status, (name, username, response.status_code)


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login_except_for_the_catalogue(client, people):
    for name, url, _expected in urls(people):
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
    assert client.get("/").status_code == 200
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.django_db
def test_it_refuses_post_endpoints_to_anonymous_users(client, people):
    lesson = people.lessons[0]
    for url in (
        reverse("complete_lesson", args=[lesson.pk]),
        reverse("enrol", args=[people.course.pk]),
        reverse("save_reflection", args=[lesson.pk, "x"]),
    ):
        response = client.post(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_it_keeps_unenrolled_learners_out_of_lessons(client, people):
    from tests.factories import make_user

    dora = make_user("dora", "受講者")
    client.force_login(dora)
    response = client.get(people.lessons[0].url)
    assert response.status_code == 302
    assert response["Location"] == people.course.url


@pytest.mark.django_db
def test_it_shows_a_helpful_404(client, people):
    client.force_login(people.alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "講座一覧" in response.content.decode() or "catalogue" in response.content.decode()
