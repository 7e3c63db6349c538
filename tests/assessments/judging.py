"""Builders shared by the judge tests and bench/judge.py."""

import json
from pathlib import Path

from assessments.judges import heuristic
from assessments.judges.transcript import Transcript
from assessments.rubrics import STANDARD

LABELLED = Path(__file__).parent / "data" / "labelled_transcripts.json"


def transcript(*lines: str, first: str = "persona") -> Transcript:
    """Turns alternating between the speakers, starting with `first`."""
    other = {"persona": "learner", "learner": "persona"}
    speaker, turns = first, []
    for line in lines:
        turns.append({"speaker": speaker, "text": line})
        speaker = other[speaker]
    return Transcript.model_validate({"turns": turns})


def labelled(split: str | None = None) -> list[dict]:
    items = json.loads(LABELLED.read_text(encoding="utf-8"))["transcripts"]
    return [item for item in items if split in (None, item["split"])]


def agreement(items: list[dict]) -> tuple[int, int, int]:
    """(levels compared, exact matches, matches within one level) of the heuristic judge with
    the labels. None against a level is a disagreement in both counts."""
    total = exact = near = 0
    for item in items:
        judged = heuristic.assess(Transcript.model_validate({"turns": item["turns"]}), STANDARD)
        for key, expected in item["expected"].items():
            got = judged.scores[key].level
            total += 1
            exact += got == expected
            if got is None or expected is None:
                near += got == expected
            else:
                near += abs(got - expected) <= 1
    return total, exact, near
