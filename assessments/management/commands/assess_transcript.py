"""Judge a role-play transcript from a file and print the judgement as JSON (DESIGN §4).

    manage.py assess_transcript FILE [--rubric standard] [--judge heuristic|llm]

FILE holds {"turns": [{"speaker": "learner"|"persona", "text": "..."}]}. The output is
{"rubric", "judge", "scores": {criterion: {"level", "evidence", "comment", "better_line",
"rules"}}, "passed", "error", "fallback", "model", "skills"}.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from assessments import judges
from assessments.judges.base import JudgeError
from assessments.judges.transcript import Transcript
from assessments.models import Rubric
from assessments.rubrics import STANDARD_KEY


class Command(BaseCommand):
    help = "Judge a role-play transcript (JSON file) on a rubric and print the scores as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help='JSON: {"turns": [{"speaker", "text"}]}; - for stdin')
        parser.add_argument("--rubric", default=STANDARD_KEY, help="rubric key (standard)")
        parser.add_argument(
            "--judge", default="heuristic", choices=["heuristic", "llm"], help="which judge"
        )

    def handle(self, *args, **options):
        transcript = self._read(options["file"])
        try:
            rubric = Rubric.objects.spec(options["rubric"])
        except Rubric.DoesNotExist:
            raise CommandError(f"unknown rubric {options['rubric']!r}") from None
        try:
            judgement = judges.assess(transcript, rubric, options["judge"])
        except JudgeError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(judgement.model_dump(mode="json"), ensure_ascii=False))

    def _read(self, name: str) -> Transcript:
        try:
            raw = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{name} is not UTF-8 text") from None
        try:
            return Transcript.model_validate_json(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
            raise CommandError(f"{name} is not a transcript ({problems})") from None
