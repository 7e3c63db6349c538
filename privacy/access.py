"""The access log: one call in every view where a trainer or an admin opens someone else's
transcript, feedback, hours or results."""

from .models import AccessKind, AccessRecord

__all__ = ["AccessKind", "record_access"]


def record_access(request, kind: AccessKind, *records) -> None:
    """Note that `request.user` opened `records` (objects with a `user_id`: practice sessions,
    enrolments, attempts). A learner's own records are not logged. The label is the record's
    audit-log name (`str()`), which by our models' rule never holds learner text."""
    viewer = request.user
    AccessRecord.objects.bulk_create(
        AccessRecord(
            learner_id=record.user_id,
            viewer=viewer,
            kind=kind,
            label=str(record)[:200],
            object_id=str(record.pk),
        )
        for record in records
        if record.user_id != viewer.pk
    )
