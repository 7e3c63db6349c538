"""The public privacy notice, and the one-time notice before a learner's first practice."""

import pytest
from django.urls import reverse

from privacy.models import NoticeAcknowledgement
from roleplay.models import PracticeSession


def test_it_shows_the_privacy_notice_to_anyone(client, settings):
    settings.YORISOI_ORGANISATION_NAME = "よりそい子育てネット"
    settings.YORISOI_TRANSCRIPT_RETENTION_DAYS = 400
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "よりそい子育てネット" in html and "400" in html
    # Linked from every page's footer.
    assert f'href="{reverse("privacy:notice")}"' in html


@pytest.fixture
def alice(client, people):
    client.force_login(people.alice)
    return client


def test_it_shows_the_practice_notice_before_the_first_session(alice, people, scenario):
    start = reverse("roleplay_start", args=[scenario.slug])
    response = alice.post(start, {"mode": "scripted"})
    assert response.status_code == 302 and response.url.startswith(
        reverse("privacy:practice_notice")
    )
    assert not PracticeSession.objects.exists()
    notice = alice.get(response.url)
    assert notice.status_code == 200
    back = reverse("roleplay_scenario", args=[scenario.slug])
    done = alice.post(reverse("privacy:practice_notice"), {"next": back})
    assert done.url == back
    assert NoticeAcknowledgement.objects.filter(user=people.alice).count() == 1
    response = alice.post(start, {"mode": "scripted"})
    session = PracticeSession.objects.get()
    assert response.url == reverse("roleplay_play", args=[session.pk])


def test_it_asks_only_once(alice, people, scenario):
    alice.post(reverse("privacy:practice_notice"))
    alice.post(reverse("privacy:practice_notice"))
    assert NoticeAcknowledgement.objects.filter(user=people.alice).count() == 1


def test_it_ignores_a_next_link_to_another_site(alice, people):
    done = alice.post(reverse("privacy:practice_notice"), {"next": "https://evil.example/"})
    assert done.url == reverse("roleplay_scenarios")
