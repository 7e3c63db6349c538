"""Small builders shared by the judge tests."""

import json
from pathlib import Path

from assessments.judges.transcript import Transcript

LABELLED = Path(__file__).parent / "data" / "labelled_transcripts.json"


def transcript(*lines: str, first: str = "persona") -> Transcript:
    """Turns alternating between the speakers, starting with `first`."""
    other = {"persona": "learner", "learner": "persona"}
    speaker, turns = first, []
    for line in lines:
        turns.append({"speaker": speaker, "text": line})
        speaker = other[speaker]
    return Transcript.model_validate({"turns": turns})


def labelled() -> list[dict]:
    return json.loads(LABELLED.read_text(encoding="utf-8"))["transcripts"]
