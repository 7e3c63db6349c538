"""Remove role-play transcripts past YORISOI_TRANSCRIPT_RETENTION_DAYS; safe to run from cron.

Idempotent (a second run finds nothing), works in short batches (no long lock), and keeps each
session's rubric levels and ledger credit.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from privacy import services


class Command(BaseCommand):
    help = "Remove role-play transcripts older than the retention period (keeps scores and hours)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; change nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Sessions per transaction (default 200)."
        )

    def handle(self, *args, dry_run=False, batch_size=200, **options):
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1")
            raise SystemExit(2)
        days = settings.YORISOI_TRANSCRIPT_RETENTION_DAYS
        cutoff = services.transcript_cutoff()
        if dry_run:
            sessions = services.expired_sessions(cutoff)
            turns = services.expired_turns(cutoff).count()
            self.stdout.write(
                f"dry run: {sessions.count()} sessions, {turns} turns older than {days} days "
                f"(last activity before {cutoff:%Y-%m-%d %H:%M}) would be removed"
            )
            return

        def progress(sessions: int, turns: int) -> None:
            self.stdout.write(f"removed {turns} turns of {sessions} sessions so far")

        sessions, turns = services.purge_transcripts(
            cutoff, batch_size=batch_size, progress=progress
        )
        self.stdout.write(
            f"done: removed {turns} turns of {sessions} sessions older than {days} days"
        )
