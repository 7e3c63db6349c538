"""What the role-play app holds about people, for the privacy registry (privacy/registry.py)."""

import privacy

from .models import AIUsage, PracticeSession, SessionScore, Turn

privacy.register(
    PracticeSession,
    section="practice_sessions",
    export=(
        "id",
        "scenario_data__title",
        "mode",
        "status",
        "ending",
        "started_at",
        "ended_at",
    ),
)
privacy.register(
    Turn,
    owner="session__user",
    section="practice_transcripts",
    export=("session_id", "index", "speaker", "text", "created_at"),
)
privacy.register(
    SessionScore,
    owner="session__user",
    section="practice_scores",
    export=("session_id", "source", "scores", "comment", "created_at"),
    actors=("scorer",),
)
privacy.register(
    AIUsage,
    section="ai_partner_use",
    export=("day", "turns", "tokens"),
)
