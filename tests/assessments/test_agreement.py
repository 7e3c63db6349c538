"""How far the automatic judges agree with trainers, and trainers with each other: exact and
within-one shares, and quadratic weighted kappa (checked against hand-computed values)."""

import pytest
from django.urls import reverse

from assessments.review import (
    KAPPA_MIN_SESSIONS,
    agreement,
    agreement_report,
    double_rated,
    quadratic_weighted_kappa,
)
from tests.assessments.reviewing import ended_session, judged

# --- Quadratic weighted kappa --------------------------------------------------------------


def test_it_gives_one_for_perfect_agreement():
    assert quadratic_weighted_kappa([(1, 1), (2, 2), (3, 3), (4, 4), (2, 2)]) == 1.0


def test_it_matches_a_worked_four_level_example():
    # Weights w = (i - j)² / 9. Observed: the four disagreements weigh 1/9 + 1/9 + 4/9 + 1/9
    # = 7/9 over 8 pairs = 7/72. The first rater gives each level twice (1/4 each); the
    # second gives 1, 2, 3, 4 to 1, 3, 2, 2 pairs. Expected under chance:
    # 1/4 · (1/8 · 14/9 + 3/8 · 6/9 + 2/8 · 6/9 + 2/8 · 14/9) = 1/4 · 72/72 = 1/4.
    # κ = 1 - (7/72) / (1/4) = 1 - 7/18 = 11/18.
    pairs = [(1, 1), (2, 2), (3, 3), (4, 4), (1, 2), (3, 4), (4, 2), (2, 3)]
    assert quadratic_weighted_kappa(pairs) == pytest.approx(11 / 18)


def test_it_gives_minus_one_for_opposite_extremes():
    # Observed 1 (both pairs weigh 9/9); expected 1/2 (half the chance pairs are opposite).
    assert quadratic_weighted_kappa([(1, 4), (4, 1)]) == pytest.approx(-1.0)


def test_it_is_symmetric_in_the_two_raters():
    pairs = [(1, 2), (2, 2), (3, 1), (4, 3), (2, 4), (3, 3)]
    swapped = [(b, a) for a, b in pairs]
    assert quadratic_weighted_kappa(pairs) == pytest.approx(quadratic_weighted_kappa(swapped))


def test_it_is_undefined_without_pairs_or_without_variation():
    assert quadratic_weighted_kappa([]) is None
    assert quadratic_weighted_kappa([(3, 3), (3, 3)]) is None


# --- Agreement over sessions -----------------------------------------------------------------


def test_it_leaves_out_null_levels_pairwise():
    result = agreement([(1, 3, 3), (2, None, 2), (3, 2, None), (4, 1, 3), (5, 2, 3)])
    assert (result.pairs, result.sessions, result.exact, result.within_one) == (3, 3, 1, 2)
    assert (result.exact_percent, result.within_one_percent) == (33, 67)


def test_it_gives_the_kappa_only_from_the_twentieth_session():
    pairs = [(n, 1 + n % 4, 1 + n % 4) for n in range(KAPPA_MIN_SESSIONS - 1)]
    # Several pairs from one session count that session once.
    few = agreement(pairs + [(0, 2, 2)])
    assert few.sessions == KAPPA_MIN_SESSIONS - 1 and not few.kappa_ready and few.kappa is None
    enough = agreement(pairs + [(KAPPA_MIN_SESSIONS, 2, 2)])
    assert enough.kappa_ready and enough.kappa == 1.0


def test_it_has_nothing_to_say_about_no_pairs():
    empty = agreement([])
    assert (empty.pairs, empty.exact_percent, empty.kappa) == (0, None, None)


# --- The report --------------------------------------------------------------------------------


def row(report, key):
    return next(c for c in report if c.key == key)


def automatic(criterion, judge):
    return next(j.agreement for j in criterion.automatic if j.judge == judge)


@pytest.mark.django_db
def test_it_compares_each_automatic_judge_with_the_trainers(people, scenario):
    one, two, three = (ended_session(people.alice, scenario) for _ in range(3))
    judged(one, "heuristic", {"empathy": 3, "safety": None})
    judged(one, "trainer", {"empathy": 3, "safety": 2}, by=people.tom)
    judged(one, "trainer", {"empathy": 2, "safety": 2}, by=people.ada, blind=True)
    judged(two, "heuristic", {"empathy": 1})
    judged(two, "llm", {"empathy": 4})
    judged(two, "trainer", {"empathy": 4}, by=people.tom, blind=True)
    # No trainer rated this one: it counts nowhere.
    judged(three, "heuristic", {"empathy": 4})
    report = agreement_report()
    empathy = row(report, "empathy")
    rules = automatic(empathy, "heuristic")
    assert (rules.pairs, rules.sessions, rules.exact, rules.within_one) == (3, 2, 1, 2)
    ai = automatic(empathy, "llm")
    assert (ai.pairs, ai.exact) == (1, 1)
    assert (empathy.trainers.pairs, empathy.trainers.exact, empathy.trainers.within_one) == (
        1,
        0,
        1,
    )
    safety = row(report, "safety")
    assert automatic(safety, "heuristic").pairs == 0
    assert (safety.trainers.pairs, safety.trainers.exact) == (1, 1)
    assert safety.blocker

    blind = row(agreement_report(blind_only=True), "empathy")
    assert (automatic(blind, "heuristic").pairs, blind.trainers.pairs) == (2, 0)


@pytest.mark.django_db
def test_it_ignores_judgements_that_are_not_done(people, scenario):
    session = ended_session(people.alice, scenario)
    judged(session, "llm", {"empathy": 1}, status="failed")
    judged(session, "trainer", {"empathy": 4}, by=people.tom)
    assert automatic(row(agreement_report(), "empathy"), "llm").pairs == 0


@pytest.mark.django_db
def test_it_lists_double_rated_sessions_the_trainer_may_see(people, scenario):
    alices, charlies = (
        ended_session(people.alice, scenario),
        ended_session(people.charlie, scenario),
    )
    for session in (alices, charlies):
        judged(session, "trainer", {"empathy": 3, "strengths": 2}, by=people.ada)
        judged(session, "trainer", {"empathy": 3, "strengths": 4}, by=people.tom)
    rows = double_rated(people.tom)
    assert [r.session for r in rows] == [alices]
    assert (rows[0].agreement.pairs, rows[0].agreement.exact) == (2, 1)
    assert len(double_rated(people.ada)) == 2
    assert double_rated(people.tom, blind_only=True) == []


@pytest.mark.django_db
def test_it_shows_n_below_twenty_until_there_are_enough_sessions(client, people, scenario):
    session = ended_session(people.alice, scenario)
    judged(session, "heuristic", {"empathy": 3})
    judged(session, "trainer", {"empathy": 3}, by=people.tom)
    client.force_login(people.tom)
    page = client.get(reverse("assessments:agreement")).content.decode()
    assert f"n &lt; {KAPPA_MIN_SESSIONS}" in page
    assert "100%" in page


@pytest.mark.django_db
def test_it_shows_the_kappa_from_the_twentieth_session(client, people, scenario):
    for n in range(KAPPA_MIN_SESSIONS):
        session = ended_session(people.bob, scenario)
        judged(session, "heuristic", {"empathy": 1 + n % 4})
        judged(session, "trainer", {"empathy": 1 + n % 4}, by=people.tom)
    client.force_login(people.tom)
    page = client.get(reverse("assessments:agreement")).content.decode()
    assert "1.00" in page
