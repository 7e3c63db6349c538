"""How well the privacy guard does on a labelled set of learner lines (data/pii_lines.yaml).

A span counts as found when the guard's findings cover every one of its characters, whatever
kind they name: what matters is that nothing of it reaches a transcript or a model.
"""

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from roleplay.privacy import scan

DATA = Path(__file__).parent / "data" / "pii_lines.yaml"
ALWAYS = ("phone", "email", "postal_code", "id_number")


@cache
def labelled():
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def spans(line: dict):
    """(kind, start, end) of each span the line says must be masked."""
    for kind, text, *nth in line["mask"]:
        start = -1
        for _ in range(nth[0] if nth else 1):
            start = line["text"].index(text, start + 1)
        yield kind, start, start + len(text)


def missed_spans():
    """Every labelled span, and the ones the guard left (partly) unmasked."""
    total, missed = Counter(), []
    for line in labelled()["pii"]:
        covered = set()
        for finding in scan(line["text"]):
            covered.update(range(finding.start, finding.end))
        for kind, start, end in spans(line):
            total[kind] += 1
            if not covered.issuperset(range(start, end)):
                missed.append((kind, line["text"][start:end], line["text"]))
    return total, missed


def test_it_has_a_set_big_enough_to_measure():
    data = labelled()
    assert len(data["pii"]) >= 150
    assert len(data["clean"]) >= 60


def test_it_masks_at_least_95_percent_of_personal_details():
    total, missed = missed_spans()
    recall = 1 - len(missed) / sum(total.values())
    assert recall >= 0.95, missed


@pytest.mark.parametrize("kind", ALWAYS)
def test_it_masks_every_phone_e_mail_postal_code_and_id_number(kind):
    total, missed = missed_spans()
    assert total[kind] >= 15
    assert [m for m in missed if m[0] == kind] == []


def test_it_raises_at_most_one_false_alarm_per_30_ordinary_lines():
    clean = labelled()["clean"]
    false_alarms = [(f.type, f.text, line) for line in clean for f in scan(line)]
    assert len(false_alarms) <= len(clean) / 30, false_alarms


def test_it_masks_little_beyond_the_labelled_spans():
    """Findings that touch no labelled span count as false alarms in the mixed lines too."""
    lines = labelled()["pii"]
    extra = []
    for line in lines:
        labelled_chars = {i for _, start, end in spans(line) for i in range(start, end)}
        extra += [
            (f.text, line["text"])
            for f in scan(line["text"])
            if labelled_chars.isdisjoint(range(f.start, f.end))
        ]
    assert len(extra) <= len(lines) / 30, extra
