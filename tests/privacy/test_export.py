"""A user downloads all their data as one JSON file; an org admin can for them."""

import json

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from privacy.models import AccessKind, AccessRecord
from tests.privacy.builders import ANSWER_TEXT, JOURNAL_TEXT, give_records


@pytest.fixture
def records(people, scenario):
    give_records(people.alice, people, scenario)
    give_records(people.bob, people, scenario)
    return people


def download(client, url):
    response = client.post(url)
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_it_exports_the_users_records_and_nobody_elses(client, records):
    client.force_login(records.alice)
    response, data = download(client, reverse("privacy:my_export"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert data["account"]["username"] == "alice"
    sections = data["records"]
    assert [e["text"] for e in sections["journal"]] == [JOURNAL_TEXT.format(name="alice")]
    assert {t["text"] for t in sections["practice_transcripts"]} >= {"それはお疲れですね。"}
    assert [a["paper__title"] for a in sections["quiz_attempts"]] == ["第1章の小テスト"]
    assert [a["text"] for a in sections["quiz_answers"]] == [ANSWER_TEXT.format(name="alice")]
    assert sorted(line["minutes"] for line in sections["hours_ledger"]) == [-10, 30, 120]
    assert [c["number"] for c in sections["certificates"]] == ["YH-alice"]
    assert sections["practice_judgements"] and sections["attendance"]
    text = response.content.decode()
    for other in (records.bob, records.tom):
        assert other.email not in text and f'"{other.username}"' not in text
    assert records.bob.get_full_name() not in text
    assert JOURNAL_TEXT.format(name="bob") not in text
    assert ANSWER_TEXT.format(name="bob") not in text
    assert data["left_out"] == []


def test_it_refuses_a_get_so_a_link_cannot_start_a_download(client, records):
    client.force_login(records.alice)
    assert client.get(reverse("privacy:my_export")).status_code == 405


def test_it_lets_an_org_admin_export_for_a_user_without_their_journal(client, records):
    client.force_login(records.ada)
    response, data = download(client, reverse("privacy:user_export", args=[records.alice.pk]))
    assert data["account"]["username"] == "alice"
    assert "journal" not in data["records"] and data["left_out"] == ["journal"]
    assert JOURNAL_TEXT.format(name="alice") not in response.content.decode()
    assert data["records"]["quiz_attempts"]
    # Recorded for the learner and in the audit log.
    record = AccessRecord.objects.get(learner=records.alice)
    assert (record.viewer, record.kind) == (records.ada, AccessKind.EXPORT)
    entry = ModelLogEntry.objects.get(action="yorisoi.privacy.export")
    assert entry.user_id == records.ada.pk and "alice" not in entry.label


def test_it_keeps_other_users_pages_from_trainers_and_superusers_from_org_admins(
    client, records, django_user_model
):
    client.force_login(records.tom)
    assert client.get(reverse("privacy:user", args=[records.alice.pk])).status_code == 404
    assert client.post(reverse("privacy:user_export", args=[records.alice.pk])).status_code == 404
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(records.ada)
    assert client.get(reverse("privacy:user", args=[root.pk])).status_code == 404
    assert client.get(reverse("privacy:user", args=[records.alice.pk])).status_code == 200


def test_it_links_the_privacy_page_from_the_wagtail_users_list(client, records):
    client.force_login(records.ada)
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert reverse("privacy:user", args=[records.alice.pk]) in html
