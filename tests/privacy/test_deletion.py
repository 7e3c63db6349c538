"""Deleting an account: the user themselves (password, then confirmation) or an org admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import ModelLogEntry

from assessments.models import Answer, Attempt, Certificate, Judgement
from courses.models import Enrollment, HoursEntry, JournalEntry
from privacy import DELETED_NAME, services
from roleplay.models import PracticeSession, SessionScore, Turn
from tests.privacy.builders import JOURNAL_TEXT, give_records

User = get_user_model()


@pytest.fixture
def alice_records(people, scenario):
    return give_records(people.alice, people, scenario)


def gone(user) -> bool:
    return not User.objects.filter(pk=user.pk).exists()


def test_it_deletes_a_trainee_whose_ledger_line_was_corrected(people, alice_records):
    assert HoursEntry.objects.filter(user=people.alice, corrects__isnull=False).exists()
    counts = services.delete_account(people.alice, by=people.ada)
    assert gone(people.alice)
    assert counts["hours_ledger"] == 3
    assert not HoursEntry.objects.filter(user_id=people.alice.pk).exists()
    for model in (JournalEntry, PracticeSession, Attempt, Enrollment):
        assert not model.objects.filter(user_id=people.alice.pk).exists()
    assert not Turn.objects.exists() and not Answer.objects.exists()
    assert not Judgement.objects.exists() and not SessionScore.objects.exists()


def test_it_no_longer_fails_in_wagtails_delete_screen(client, people, alice_records):
    """A superuser's delete in the Wagtail users screens used to end in a 500
    (HoursEntry.corrects is PROTECT); it now goes through the privacy page."""
    root = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(root)
    response = client.post(reverse("wagtailusers_users:delete", args=[people.alice.pk]))
    assert response.status_code == 302
    assert response.url == reverse("privacy:user", args=[people.alice.pk])
    response = client.post(
        reverse("privacy:user_deletion", args=[people.alice.pk]), {"confirm": "on"}
    )
    assert response.status_code == 302 and gone(people.alice)


def test_it_keeps_certificates_with_the_name_replaced(client, people, alice_records):
    certificate = alice_records[2]
    services.delete_account(people.alice, by=people.ada)
    kept = Certificate.objects.get(pk=certificate.pk)
    assert kept.holder_name == DELETED_NAME and kept.number == "YH-alice"
    holder = kept.user
    assert not holder.is_active and not holder.has_usable_password()
    assert (holder.email, holder.first_name) == ("", "") and "alice" not in holder.username
    html = client.get(reverse("assessments:verify", args=[kept.code])).content.decode()
    assert DELETED_NAME in html and "有田" not in html


def test_it_logs_the_deletion_without_learner_text(people, alice_records):
    services.delete_account(people.alice, by=people.ada)
    entry = ModelLogEntry.objects.get(action=services.ACCOUNT_DELETED)
    assert entry.user_id == people.ada.pk
    assert entry.data["records"]["journal"] == 1
    assert "alice" not in entry.label
    for logged in ModelLogEntry.objects.all():
        assert JOURNAL_TEXT.format(name="alice") not in str(logged.data)
    # The ledger's own audit entries no longer carry the learner's name.
    ledger = ModelLogEntry.objects.filter(action__startswith="yorisoi.hours")
    assert ledger.exists() and not ledger.filter(label__contains="alice").exists()


def test_it_leaves_other_learners_alone(people, scenario, alice_records):
    give_records(people.bob, people, scenario)
    services.delete_account(people.alice, by=people.ada)
    assert JournalEntry.objects.filter(user=people.bob).count() == 1
    assert HoursEntry.objects.filter(user=people.bob).count() == 3
    assert Turn.objects.filter(session__user=people.bob).count() == 4


def test_it_deletes_a_trainer_and_keeps_what_they_recorded(people, alice_records):
    services.delete_account(people.tom, by=people.ada)
    assert gone(people.tom)
    correction = HoursEntry.objects.get(user=people.alice, source="correction")
    assert correction.created_by is None
    assert Answer.objects.get().graded_by is None


def test_it_lets_only_a_superuser_delete_a_superuser(people):
    root = User.objects.create_superuser("root", "root@example.org", "pw")
    with pytest.raises(services.PrivacyError):
        services.delete_account(root, by=people.ada)
    other = User.objects.create_superuser("root2", "root2@example.org", "pw")
    services.delete_account(root, by=other)
    assert gone(root)
    with pytest.raises(services.PrivacyError):
        services.delete_account(other, by=other)


def test_it_rolls_everything_back_when_a_step_fails(people, alice_records, monkeypatch):
    def broken(user, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(User, "delete", broken)
    with pytest.raises(RuntimeError):
        services.delete_account(people.alice, by=people.ada)
    assert JournalEntry.objects.filter(user=people.alice).exists()
    assert Certificate.objects.get(pk=alice_records[2].pk).holder_name != DELETED_NAME


# --- The user's own deletion --------------------------------------------------------------


def test_it_asks_for_the_password_then_a_confirmation(client, people, alice_records):
    client.force_login(people.alice)
    url = reverse("privacy:my_deletion")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"password": "not-my-password"})
    assert wrong.status_code == 400 and not gone(people.alice)
    # The confirmation step alone does nothing before the password was given.
    client.post(url, {"step": "delete", "confirm": "on"})
    assert not gone(people.alice)
    confirm = client.post(url, {"password": "pw-for-tests"})
    assert confirm.status_code == 200 and not gone(people.alice)
    html = confirm.content.decode()
    assert 'name="step" value="delete"' in html
    unticked = client.post(url, {"step": "delete"})
    assert unticked.status_code == 400 and not gone(people.alice)
    done = client.post(url, {"step": "delete", "confirm": "on"})
    assert done.status_code == 302 and done.url == reverse("privacy:notice")
    assert gone(people.alice)
    assert client.get(reverse("privacy:mine")).status_code == 302  # signed out


def test_it_asks_an_org_admin_to_confirm(client, people, alice_records):
    client.force_login(people.ada)
    url = reverse("privacy:user_deletion", args=[people.alice.pk])
    assert client.post(url).status_code == 400 and not gone(people.alice)
    assert client.post(url, {"confirm": "on"}).status_code == 302 and gone(people.alice)


def test_it_refuses_an_org_admin_deleting_a_superuser_or_trainers_deleting_anyone(client, people):
    root = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(people.ada)
    response = client.post(reverse("privacy:user_deletion", args=[root.pk]), {"confirm": "on"})
    assert response.status_code == 404 and not gone(root)
    client.force_login(people.tom)
    url = reverse("privacy:user_deletion", args=[people.alice.pk])
    assert client.post(url, {"confirm": "on"}).status_code == 404 and not gone(people.alice)
