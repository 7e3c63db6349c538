"""What the courses app holds about people, for the privacy registry (privacy/registry.py)."""

import privacy

from .models import (
    Attendance,
    Cohort,
    CohortInvitation,
    Enrollment,
    HoursEntry,
    JournalEntry,
    LessonCompletion,
)


def delete_ledger(lines):
    # A correction or reversal PROTECTs the credit it adjusts; both are the same learner's, so
    # the adjustments go first and the credits after them.
    lines.filter(corrects__isnull=False).delete()
    lines.delete()


privacy.register(
    Enrollment,
    section="enrolments",
    export=("course__title", "cohort__name", "enrolled_at"),
    actors=("enrolled_by",),
)
privacy.register(
    CohortInvitation,
    section="cohort_invitations",
    export=("cohort__course__title", "cohort__name", "name", "email", "status", "created_at"),
    actors=("invited_by", "answered_by"),
)
privacy.register(
    Attendance,
    section="attendance",
    export=("session__title", "session__starts_at", "status", "recorded_at"),
    actors=("recorded_by",),
)
privacy.register(
    LessonCompletion,
    section="lesson_completions",
    export=("lesson__title", "completed_at"),
)
privacy.register(
    HoursEntry,
    section="hours_ledger",
    export=(
        "id",
        "course__title",
        "minutes",
        "source",
        "lesson__title",
        "session__title",
        "corrects_id",
        "reason",
        "created_at",
    ),
    actors=("created_by",),
    delete=delete_ledger,
)
privacy.register(
    JournalEntry,
    section="journal",
    export=("lesson__title", "prompt", "text", "updated_at"),
    # The journal promises that nobody else reads it, org admins included.
    owner_only=True,
)
privacy.register(
    Cohort,
    owner=None,
    actors=("trainers",),
    why="Cohorts are the organisation's; a trainer who leaves is taken off their cohorts.",
)
