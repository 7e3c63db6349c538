"""Every model that links to the user model is registered with the privacy module."""

from courses.models import HoursEntry, JournalEntry
from privacy import registry


def test_it_covers_every_relation_to_the_user_model(db):
    assert registry.unregistered_user_links() == []


def test_it_reports_a_model_that_is_not_registered(db):
    without_ledger = {r.model: r for r in registry.registrations() if r.model is not HoursEntry}
    missing = registry.unregistered_user_links(without_ledger)
    assert "courses.HoursEntry.user" in missing
    assert "courses.HoursEntry.created_by" in missing


def test_it_reports_an_actor_link_that_would_delete_rows(db):
    journal = registry.registration_for(JournalEntry)
    as_actor = {
        **{r.model: r for r in registry.registrations()},
        JournalEntry: registry.Registration(
            model=JournalEntry,
            owner=None,
            on_delete=journal.on_delete,
            section="x",
            actors=("user",),
        ),
    }
    assert any(
        m.startswith("courses.JournalEntry.user (an actor link")
        for m in registry.unregistered_user_links(as_actor)
    )


def test_it_covers_wagtails_own_records(db):
    from wagtail.models import ModelLogEntry, PageLogEntry, Revision
    from wagtail.users.models import UserProfile

    for model in (ModelLogEntry, PageLogEntry, Revision, UserProfile):
        assert registry.registration_for(model) is not None
