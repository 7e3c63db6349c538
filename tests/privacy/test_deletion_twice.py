"""Deleting an account twice at once: a double click on the confirmation, or an org admin and
the user themselves. The account goes once, with one audit entry, and neither request fails."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from privacy import services
from tests.privacy.builders import give_records
from tests.threads import at_once

User = get_user_model()
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@concurrent
def test_it_deletes_an_account_once_when_asked_twice_at_once(people, scenario):
    give_records(people.alice, people, scenario)
    alice = people.alice
    # Each request's copy of the account is read before the two start: in SQLite's shared
    # in-memory test database a read beside the other thread's write fails at once ("table is
    # locked") instead of waiting, which a database file does not do.
    by_herself, by_admin = User.objects.get(pk=alice.pk), User.objects.get(pk=alice.pk)
    results, failures = at_once(
        [
            lambda: services.delete_account(by_herself, by=alice),
            lambda: services.delete_account(by_admin, by=people.ada),
        ]
    )
    assert failures == []
    assert not User.objects.filter(pk=alice.pk).exists()
    assert sorted(bool(counts) for counts in results) == [False, True]
    deleted = ModelLogEntry.objects.filter(action=services.ACCOUNT_DELETED)
    assert deleted.count() == 1
