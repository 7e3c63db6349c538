"""The heuristic judge against the labelled transcripts: a floor under its agreement, so a
rule change that makes it worse shows up. bench/judge.py prints the same figures."""

from tests.assessments.judging import agreement, labelled


def test_it_agrees_with_the_labels_it_was_developed_on():
    total, exact, near = agreement(labelled("development"))
    assert total >= 12 * 7
    assert exact / total >= 0.95
    assert near == total


def test_it_agrees_within_one_level_on_held_out_labels():
    total, exact, near = agreement(labelled("held_out"))
    assert exact / total >= 0.75
    assert near / total >= 0.9
