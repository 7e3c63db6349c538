"""Benchmark: the heuristic rubric judge's time and its agreement with labelled examples.

Run with `.venv/bin/python bench/judge.py`. Prints, in the `make bench` format:

- the median time to judge a 40-turn (and a 90-turn) transcript against a 6-turn baseline
  with the same per-turn pattern (the first 6-turn labelled conversation, repeated), after one
  warm-up run that opens the Sudachi dictionary, and the time per turn at 90 turns against
  the time per turn at 6 (a ratio near 1 means the judge's cost grows only with the text);
- the agreement of the judge's levels with the levels in
  tests/assessments/data/labelled_transcripts.json, per split: exact, and within one level
  (a None on one side and a level on the other counts as a disagreement in both).
"""

import json
import statistics
import time

import scratch

from assessments.judges import heuristic
from assessments.judges.transcript import Transcript
from assessments.rubrics import STANDARD

LABELLED = scratch.ROOT / "tests" / "assessments" / "data" / "labelled_transcripts.json"
RUNS = 31


def conversation(pattern: list[dict], length: int) -> Transcript:
    turns = pattern * -(-length // len(pattern))
    return Transcript.model_validate({"turns": turns[:length]})


def median_ms(transcripts: dict[int, Transcript]) -> dict[int, float]:
    """Median judging time per transcript. The runs are interleaved, so a change in the load
    of a shared machine falls on all lengths alike."""
    timings: dict[int, list[float]] = {length: [] for length in transcripts}
    for transcript in transcripts.values():
        heuristic.assess(transcript, STANDARD)
    for _ in range(RUNS):
        for length, transcript in transcripts.items():
            started = time.perf_counter()
            heuristic.assess(transcript, STANDARD)
            timings[length].append(time.perf_counter() - started)
    return {length: statistics.median(t) * 1000 for length, t in timings.items()}


def agreement(items: list[dict]) -> tuple[int, int, int]:
    """(levels compared, exact matches, matches within one level)."""
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


def main():
    items = json.loads(LABELLED.read_text(encoding="utf-8"))["transcripts"]
    pattern = next(item["turns"] for item in items if len(item["turns"]) == 6)
    took = median_ms({length: conversation(pattern, length) for length in (6, 40, 90)})
    baseline = took[6]
    for length in (40, 90):
        print(
            f"heuristic_judge_{length}_turns: {took[length]:.1f} ms | baseline: {baseline:.1f} ms "
            f"(6 turns) | ratio: {took[length] / baseline:.2f}"
        )
    per_turn, per_turn_baseline = took[90] / 90, baseline / 6
    print(
        f"heuristic_judge_per_turn_at_90_turns: {per_turn:.2f} ms | baseline: "
        f"{per_turn_baseline:.2f} ms (at 6 turns) | ratio: {per_turn / per_turn_baseline:.2f}"
    )
    for split in ("development", "held_out"):
        total, exact, near = agreement([i for i in items if i["split"] == split])
        print(f"judge_agreement_exact_{split}: {100 * exact / total:.1f} % of {total} levels")
        print(f"judge_agreement_within_one_{split}: {100 * near / total:.1f} % of {total} levels")


if __name__ == "__main__":
    main()
