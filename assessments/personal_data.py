"""What the assessments app holds about people, for the privacy registry
(privacy/registry.py)."""

import privacy

from .models import Answer, Attempt, Certificate, Judgement, TurnComment

privacy.register(
    Attempt,
    section="quiz_attempts",
    export=(
        "id",
        "paper__title",
        "course__title",
        "number",
        "status",
        "started_at",
        "submitted_at",
        "graded_at",
        "score",
        "max_score",
        "passed",
    ),
)
privacy.register(
    Answer,
    owner="attempt__user",
    section="quiz_answers",
    export=("attempt_id", "question_key", "choices", "flag", "text", "points", "feedback"),
    actors=("graded_by",),
)
privacy.register(
    Judgement,
    owner="session__user",
    section="practice_judgements",
    export=("session_id", "judge", "rubric", "status", "result", "passed", "created_at"),
    actors=("by",),
)
privacy.register(
    TurnComment,
    owner="session__user",
    actors=("author",),
    why="Trainers' working notes on a transcript: they go with it and are not exported.",
)
privacy.register(
    Certificate,
    on_delete=privacy.KEEP,
    section="certificates",
    export=("number", "course_title", "holder_name", "issued_on", "expires_on", "revoked_at"),
    # A certificate stays verifiable after the holder's account is deleted, without the name
    # (the privacy notice says so).
    replace={"holder_name": privacy.DELETED_NAME},
    actors=("issued_by", "revoked_by"),
)
