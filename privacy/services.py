"""Export, account deletion and transcript retention, driven by the registry.

Deletion follows pretix's pattern: one transaction, the account row locked first, every
registered model handled as it declares, one audit entry (counts only, never learner text).
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from yorisoi.db import one_writer_on_sqlite

from . import registry
from .models import AccessKind, AccessRecord
from .registry import ANONYMISE, DELETE, DELETED_NAME, KEEP

EXPORT_FORMAT = "yorisoi-personal-data/1"
ACCOUNT_DELETED = "yorisoi.privacy.delete_account"
DATA_EXPORTED = "yorisoi.privacy.export"


class PrivacyError(Exception):
    """A request we refuse, with a message for the person asking."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Export ---------------------------------------------------------------------------------


def account_data(user) -> dict:
    return {
        "username": user.get_username(),
        "email": user.email,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }


def export_data(user, *, by) -> dict:
    """Everything registered as `user`'s data, by section. An org admin's export for someone
    else leaves out what only its owner may read (the journal) and says so."""
    for_owner = by.pk == user.pk
    records, left_out = {}, []
    for registration in registry.registrations():
        if registration.owner_only and not for_owner:
            left_out.append(registration.section)
            continue
        rows = registration.exported(user)
        if rows is not None:
            records[registration.section] = rows
    if not for_owner:
        AccessRecord.objects.create(learner=user, viewer=by, kind=AccessKind.EXPORT)
    log(
        user,
        DATA_EXPORTED,
        user=by,
        title=f"#{user.pk}",
        data={"account": user.pk, "by_owner": for_owner},
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "account": account_data(user),
        "records": records,
        "left_out": left_out,
    }


# --- Deletion -------------------------------------------------------------------------------


def deletion_refused(user, by) -> str | None:
    """Why `by` may not delete `user`'s account, or None. Views check who may manage whom;
    this is the rule no screen may bypass."""
    if user.is_superuser and not by.is_superuser:
        return _("Only a superuser can delete a superuser's account.")
    if (
        user.is_superuser
        and not get_user_model()
        ._default_manager.filter(is_superuser=True, is_active=True)
        .exclude(pk=user.pk)
        .exists()
    ):
        return _("This is the last superuser account; make another superuser first.")
    return None


def deletion_summary(user) -> list[dict]:
    """What the deletion would touch: per registered model with rows of `user`, its name, the
    count and what happens to them (a Policy)."""
    summary = []
    for registration in registry.registrations():
        count = registration.rows_of(user).count()
        if count:
            summary.append(
                {
                    "label": registration.model._meta.verbose_name_plural,
                    "count": count,
                    "policy": registration.on_delete.value,
                }
            )
    return summary


def delete_account(user, *, by) -> dict[str, int]:
    """Delete `user`'s account: each registered model's rows go, are anonymised or are kept
    with the name replaced, as it declares; then the account itself. Returns the counts, none
    when the account was gone already (a double click on the confirmation, or the user and an
    org admin at once: the second waits for the first's lock, then finds nothing to delete)."""
    with one_writer_on_sqlite(), transaction.atomic():
        return _delete_locked(user, by=by)


def _delete_locked(user, *, by) -> dict[str, int]:
    user_model = get_user_model()
    user = user_model._base_manager.select_for_update().filter(pk=user.pk).first()
    if user is None:
        return {}
    refused = deletion_refused(user, by)
    if refused:
        raise PrivacyError(refused)
    counts, placeholder = {}, None
    for registration in registry.registrations():
        rows = registration.rows_of(user)
        count = rows.count()
        if not count:
            continue
        counts[registration.section] = count
        if registration.on_delete is DELETE:
            _forget_log_labels(rows)
            (registration.delete or QuerySet.delete)(rows)
        elif registration.on_delete is ANONYMISE:
            _forget_log_labels(rows)
            rows.update(**{registration.owner: None}, **registration.replace)
        elif registration.on_delete is KEEP:
            placeholder = placeholder or _placeholder_account()
            rows.update(**{registration.owner: placeholder}, **registration.replace)
    _forget_log_labels(user_model._base_manager.filter(pk=user.pk))
    log(
        user,
        ACCOUNT_DELETED,
        user=by,
        title=f"{DELETED_NAME} #{user.pk}",
        data={"account": user.pk, "by_owner": by.pk == user.pk, "records": counts},
    )
    user.delete()
    return counts


def _placeholder_account():
    """An account with no personal data that holds kept records (certificates) of a deleted
    person; one per deletion, since a person holds at most one live certificate per course."""
    placeholder = get_user_model()(
        username=f"deleted-{secrets.token_hex(6)}", last_name=DELETED_NAME, is_active=False
    )
    placeholder.set_unusable_password()
    placeholder.save()
    return placeholder


def _forget_log_labels(rows: QuerySet) -> None:
    """Audit entries keep what happened but not the name in their label (e.g. a ledger line's
    "alice +30 min"), for every row the deletion removes or anonymises."""
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(rows.model, for_concrete_model=False),
        object_id__in=rows.annotate(_key=Cast("pk", CharField())).values("_key"),
    ).update(label=DELETED_NAME)


# --- Retention ------------------------------------------------------------------------------


def transcript_cutoff(now=None):
    """Transcripts of sessions last active before this are past their retention period."""
    return (now or timezone.now()) - timedelta(days=settings.YORISOI_TRANSCRIPT_RETENTION_DAYS)


def expired_sessions(cutoff) -> QuerySet:
    """Practice sessions last active before `cutoff` that still have a transcript."""
    from roleplay.models import PracticeSession, Turn

    with_turns = Turn.objects.values("session_id")
    return PracticeSession.objects.filter(last_activity_at__lt=cutoff, pk__in=with_turns)


def expired_turns(cutoff) -> QuerySet:
    from roleplay.models import Turn

    return Turn.objects.filter(session__in=expired_sessions(cutoff))


def purge_transcripts(
    cutoff, *, batch_size: int = 200, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Remove the transcripts (turns, the trainers' notes on turns, and the quoted evidence in
    scores) of sessions last active before `cutoff`, keeping each session, its rubric levels
    and its ledger credit. Works in short transactions of `batch_size` sessions, so it holds
    no lock for long and can stop and start again. Returns (sessions, turns)."""
    from assessments.models import Judgement, TurnComment
    from roleplay.models import SessionScore, Turn

    sessions_done = turns_done = 0
    while True:
        batch = list(
            expired_sessions(cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return sessions_done, turns_done
        with transaction.atomic():
            turns, _ = Turn.objects.filter(session_id__in=batch).delete()
            TurnComment.objects.filter(session_id__in=batch).delete()
            for score in SessionScore.objects.filter(session_id__in=batch):
                score.scores = _without_evidence(score.scores)
                score.save(update_fields=["scores"])
            for judgement in Judgement.objects.filter(session_id__in=batch):
                judgement.result = {
                    **judgement.result,
                    "scores": _without_evidence(judgement.result.get("scores") or {}),
                }
                judgement.save(update_fields=["result"])
        sessions_done += len(batch)
        turns_done += turns
        if progress:
            progress(sessions_done, turns_done)


def _without_evidence(scores: dict) -> dict:
    """Rubric scores with the quoted lines removed: the quotes are part of the transcript."""
    return {
        key: {**score, "evidence": []} if isinstance(score, dict) else score
        for key, score in scores.items()
    }
