"""Every time a trainer or an admin opens someone else's records, the learner can see it."""

import pytest
from django.urls import reverse

from courses.models import Enrollment
from privacy.models import AccessKind, AccessRecord
from tests.assessments.reviewing import ended_session
from tests.privacy.builders import give_records


@pytest.fixture
def alice_session(people, scenario):
    return ended_session(people.alice, scenario)


def kinds_for(user):
    return [(r.viewer_id, r.kind) for r in AccessRecord.objects.filter(learner=user)]


def test_it_records_a_trainer_opening_a_debrief(client, people, alice_session):
    client.force_login(people.tom)
    assert client.get(reverse("roleplay_debrief", args=[alice_session.pk])).status_code == 200
    record = AccessRecord.objects.get()
    assert (record.learner, record.viewer, record.kind) == (
        people.alice,
        people.tom,
        AccessKind.DEBRIEF,
    )
    assert record.object_id == str(alice_session.pk) and "テスト訪問" in record.label
    # No learner text in the record.
    assert "お疲れ" not in record.label


def test_it_does_not_record_learners_opening_their_own(client, people, alice_session):
    client.force_login(people.alice)
    client.get(reverse("roleplay_debrief", args=[alice_session.pk]))
    client.get(f"/api/roleplay/sessions/{alice_session.pk}")
    assert not AccessRecord.objects.exists()


def test_it_records_nothing_when_the_trainer_is_refused(client, people, alice_session):
    client.force_login(people.tina)
    assert client.get(reverse("roleplay_debrief", args=[alice_session.pk])).status_code == 404
    assert not AccessRecord.objects.exists()


def test_it_records_the_api_transcript_and_the_trainers_list(client, people, alice_session):
    client.force_login(people.ada)
    assert client.get(f"/api/roleplay/sessions/{alice_session.pk}").status_code == 200
    assert client.get(reverse("trainer_roleplay")).status_code == 200
    assert sorted(kinds_for(people.alice)) == sorted(
        [(people.ada.pk, AccessKind.TRANSCRIPT), (people.ada.pk, AccessKind.PRACTICE_LIST)]
    )


def test_it_records_the_hours_ledger_review_and_result(client, people, scenario):
    session, attempt, _certificate = give_records(people.alice, people, scenario)
    enrollment = Enrollment.objects.get(user=people.alice)
    client.force_login(people.tom)
    assert client.get(reverse("trainee_ledger", args=[enrollment.pk])).status_code == 200
    assert client.get(reverse("assessments:review", args=[session.pk])).status_code == 200
    client.force_login(people.ada)
    assert client.get(reverse("assessments:result", args=[attempt.pk])).status_code == 200
    assert sorted(kinds_for(people.alice)) == sorted(
        [
            (people.tom.pk, AccessKind.HOURS),
            (people.tom.pk, AccessKind.REVIEW),
            (people.ada.pk, AccessKind.RESULT),
        ]
    )


def test_it_shows_the_learner_who_opened_what(client, people, alice_session):
    client.force_login(people.tom)
    client.get(reverse("roleplay_debrief", args=[alice_session.pk]))
    client.force_login(people.alice)
    response = client.get(reverse("privacy:mine"))
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "tom" in html and str(AccessKind.DEBRIEF.label) in html
    client.force_login(people.bob)
    assert "tom" not in client.get(reverse("privacy:mine")).content.decode()
