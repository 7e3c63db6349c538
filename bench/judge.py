"""Benchmark: the heuristic rubric judge's time and its agreement with labelled examples.

Run with `.venv/bin/python bench/judge.py`. Prints, in the `make bench` format:

- the median CPU time to judge a 40-turn (and a 90-turn) transcript against a 6-turn
  baseline with the same per-turn pattern (the first 6-turn labelled conversation, repeated),
  after one warm-up run that opens the Sudachi dictionary, and the CPU time per turn at 90
  turns against that at 6 (a ratio near 1: the cost grows only with the text). CPU time,
  because on a shared machine a 40 ms run is often descheduled where a 1 ms run is not, which
  wall time would charge to the judge; the 90-turn wall time is printed too;
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
from tests.assessments.judging import agreement

LABELLED = scratch.ROOT / "tests" / "assessments" / "data" / "labelled_transcripts.json"
RUNS = 31


def conversation(pattern: list[dict], length: int) -> Transcript:
    turns = pattern * -(-length // len(pattern))
    return Transcript.model_validate({"turns": turns[:length]})


def median_ms(transcripts: dict[int, Transcript]) -> dict[int, tuple[float, float]]:
    """Median (CPU time, wall time) in ms of judging each transcript. The runs are
    interleaved, so a change in the load of a shared machine falls on all lengths alike."""
    timings: dict[int, list[tuple[float, float]]] = {length: [] for length in transcripts}
    for transcript in transcripts.values():
        heuristic.assess(transcript, STANDARD)
    for _ in range(RUNS):
        for length, transcript in transcripts.items():
            cpu, wall = time.thread_time(), time.perf_counter()
            heuristic.assess(transcript, STANDARD)
            timings[length].append((time.thread_time() - cpu, time.perf_counter() - wall))
    return {
        length: (
            statistics.median(t[0] for t in runs) * 1000,
            statistics.median(t[1] for t in runs) * 1000,
        )
        for length, runs in timings.items()
    }


def main():
    items = json.loads(LABELLED.read_text(encoding="utf-8"))["transcripts"]
    pattern = next(item["turns"] for item in items if len(item["turns"]) == 6)
    took = median_ms({length: conversation(pattern, length) for length in (6, 40, 90)})
    baseline = took[6][0]
    print("# bench/judge.py: CPU time; baseline: a 6-turn transcript (per turn: at 6 turns)")
    for length in (40, 90):
        cpu = took[length][0]
        print(
            f"heuristic_judge_{length}_turns: {cpu:.1f} ms | baseline: {baseline:.1f} ms "
            f"| ratio: {cpu / baseline:.2f}"
        )
    per_turn, per_turn_baseline = took[90][0] / 90, baseline / 6
    print(
        f"heuristic_judge_per_turn_at_90_turns: {per_turn:.2f} ms | baseline: "
        f"{per_turn_baseline:.2f} ms | ratio: {per_turn / per_turn_baseline:.2f}"
    )
    print(f"heuristic_judge_90_turns_wall_clock: {took[90][1]:.1f} ms")
    for split in ("development", "held_out"):
        total, exact, near = agreement([item for item in items if item["split"] == split])
        print(f"judge_agreement_exact_{split}: {100 * exact / total:.1f} % of {total} levels")
        print(f"judge_agreement_within_one_{split}: {100 * near / total:.1f} % of {total} levels")


if __name__ == "__main__":
    main()
