"""Who may open and post to the trainer review screens.

Alice and Bob are trainees in cohort A (Tom's), Charlie in cohort B (Tina's); Carol is a
coordinator with no cohort; Ada is the org admin. The session under review is Alice's.
"""

import pytest
from django.urls import reverse

from assessments.models import Judgement, TurnComment
from roleplay.models import SessionStatus
from tests.assessments.reviewing import ended_session, rubric_form
from tests.factories import make_user
from yorisoi.roles import COORDINATOR

# Trainees and coordinators are refused the trainer screens (403); a trainer who does not run
# the learner's cohort is told the session does not exist (404).
LEARNERS = {"alice": 403, "bob": 403, "charlie": 403, "carol": 403}
PAGES = {
    "reviews": LEARNERS | {"tom": 200, "tina": 200, "ada": 200},
    "agreement": LEARNERS | {"tom": 200, "tina": 200, "ada": 200},
    "review": LEARNERS | {"tom": 200, "tina": 404, "ada": 200},
}
POSTS = {
    "review_submit": LEARNERS | {"tina": 404},
    "review_comment": LEARNERS | {"tina": 404},
}


@pytest.fixture
def world(people, scenario):
    people.carol = make_user("carol", COORDINATOR)
    people.session = ended_session(people.alice, scenario)
    return people


def url(name, session):
    if name in ("reviews", "agreement"):
        return reverse(f"assessments:{name}")
    return reverse(f"assessments:{name}", args=[session.pk])


@pytest.mark.django_db
def test_it_gives_each_role_exactly_its_review_pages(client, world):
    for name, expected in PAGES.items():
        for username, status in expected.items():
            client.force_login(getattr(world, username))
            response = client.get(url(name, world.session))
            assert response.status_code == status, (name, username)


@pytest.mark.django_db
def test_it_refuses_review_posts_to_everyone_but_the_learners_trainers(client, world):
    for name, expected in POSTS.items():
        for username, status in expected.items():
            client.force_login(getattr(world, username))
            data = rubric_form({"empathy": 3}) if name == "review_submit" else {"turn": 1}
            response = client.post(url(name, world.session), data | {"text": "よい問い"})
            assert response.status_code == status, (name, username)
    assert not Judgement.objects.filter(judge="trainer").exists()
    assert not TurnComment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["tom", "ada"])
def test_it_lets_the_learners_trainer_and_the_org_admin_post(client, world, who):
    client.force_login(getattr(world, who))
    page = reverse("assessments:review", args=[world.session.pk])
    response = client.post(url("review_submit", world.session), rubric_form({"empathy": 3}))
    assert response.status_code == 302 and response["Location"] == page
    response = client.post(url("review_comment", world.session), {"turn": 1, "text": "よい問い"})
    assert response.status_code == 302 and response["Location"].startswith(page)
    assert Judgement.objects.get(judge="trainer").by == getattr(world, who)
    assert TurnComment.objects.get().author == getattr(world, who)


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login(client, world):
    for name in (*PAGES, *POSTS):
        target = url(name, world.session)
        response = client.post(target) if name in POSTS else client.get(target)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.django_db
def test_it_hides_active_sessions_and_a_trainers_own_practice(client, world, scenario):
    active = ended_session(world.bob, scenario, status=SessionStatus.ACTIVE)
    own = ended_session(world.tom, scenario)
    client.force_login(world.tom)
    for session in (active, own):
        assert client.get(url("review", session)).status_code == 404
        response = client.post(url("review_submit", session), rubric_form({"empathy": 3}))
        assert response.status_code == 404
    assert not Judgement.objects.exists()
