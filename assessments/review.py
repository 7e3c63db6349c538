"""Trainer review of role-play sessions, and how far the automatic judges can be trusted.

A trainer reviews the ended practice sessions of the trainees in the cohorts they run (org
admins: all): notes anchored to single turns (`TurnComment`) and their own rubric judgement, a
`trainer` Judgement made on the same form and in the same structure as every other judge.

Comparing trainers' judgements with the automatic ones, criterion by criterion, shows where an
automatic judge can be trusted and where not yet. A trainer who sees the judge's levels while
rating is anchored by them, so a trainer may rate "blind" (nothing of the others shown until
they submit); two blind ratings of one session calibrate the trainers themselves.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from courses.services import display_name
from roleplay.models import PracticeSession, Scenario, SessionStatus
from roleplay.privacy import mask
from roleplay.services import locked
from yorisoi.roles import is_trainer

from .judges.base import NO_OCCASION
from .judges.base import JudgeKind as Judge
from .judges.manual import FormError, from_form
from .judging import masked_judgement, rubric_key, rubric_of
from .models import (
    AUTOMATIC_JUDGES,
    TURN_COMMENT_LENGTH,
    JudgeKind,
    Judgement,
    JudgementStatus,
    Rubric,
    TurnComment,
)
from .rubrics import LEVELS, RubricSpec
from .services import AssessmentError

# Quadratic weighted kappa swings widely on a handful of sessions; below this many it would
# look more certain than it is.
KAPPA_MIN_SESSIONS = 20

# The queue's filters: to review (not yet by me), reviewed by nobody, reviewed by another
# trainer (a second rating calibrates), reviewed by me.
QUEUE_STATES = ("", "unreviewed", "reviewed", "mine")


class ReviewError(AssessmentError):
    """A review that cannot be recorded; `errors` maps form fields to what is wrong."""

    def __init__(self, code: str, message: str, errors: Mapping[str, str] | None = None):
        super().__init__(code, message)
        self.errors = dict(errors or {})


# --- Which sessions a trainer reviews ---------------------------------------------------------


def reviewable_sessions(user):
    """Ended sessions of the trainees in the cohorts `user` runs (org admins: all), never
    their own: the same rule as the trainer's list of practice sessions."""
    if not is_trainer(user):
        return PracticeSession.objects.none()
    return (
        PracticeSession.objects.visible_to(user)
        .exclude(user=user)
        .filter(status=SessionStatus.ENDED)
    )


def review_queue(user, *, scenario: str = "", state: str = ""):
    """The sessions waiting for `user`'s review, newest first, filtered by scenario slug and
    by who reviewed them already (`QUEUE_STATES`)."""
    reviews = Judgement.objects.filter(session=OuterRef("pk"), judge=JudgeKind.TRAINER)
    sessions = reviewable_sessions(user).annotate(
        reviewed=Exists(reviews), reviewed_by_me=Exists(reviews.filter(by=user))
    )
    if scenario:
        sessions = sessions.filter(scenario__slug=scenario)
    wanted = {
        "": Q(reviewed_by_me=False),
        "unreviewed": Q(reviewed=False),
        "reviewed": Q(reviewed=True, reviewed_by_me=False),
        "mine": Q(reviewed_by_me=True),
    }
    return (
        sessions.filter(wanted.get(state, wanted[""]))
        .select_related("user", "scenario")
        .order_by("-ended_at", "-pk")
    )


def queue_scenarios(user):
    """The scenarios the trainer's reviewable sessions were played from, for the filter."""
    played = reviewable_sessions(user).values("scenario_id")
    return Scenario.objects.filter(pk__in=played).order_by("title")


def automatic_judgement(judgements: Iterable[Judgement]) -> Judgement | None:
    """The automatic judgement a trainer starts from: the AI judge's once it is done; in
    scripted practice the author's choice scores (the rules there see only typed lines); else
    the rules'."""
    done = {j.judge: j for j in judgements if j.status == JudgementStatus.DONE}
    for kind in (JudgeKind.LLM, JudgeKind.SCRIPTED, JudgeKind.HEURISTIC):
        if kind in done:
            return done[kind]
    return None


def levels_of(result: Mapping) -> dict[str, int | None]:
    return {key: (score or {}).get("level") for key, score in result.get("scores", {}).items()}


def form_values(result: Mapping) -> dict[str, str]:
    """A stored judgement as the flat rubric form posts it (see judges.manual). The judges'
    stock "no occasion" remark is left out: it is not a comment a trainer would write."""
    values = {}
    for key, score in result.get("scores", {}).items():
        score = score or {}
        level = score.get("level")
        comment = score.get("comment") or ""
        values[f"{key}-level"] = str(level) if level else ""
        values[f"{key}-evidence"] = "\n".join(score.get("evidence") or [])
        values[f"{key}-comment"] = "" if comment == NO_OCCASION else comment
        values[f"{key}-better_line"] = score.get("better_line") or ""
    return values


# --- The review page --------------------------------------------------------------------------


@dataclass
class CriterionRow:
    """One criterion of the rubric form, with what is in its fields and what is wrong."""

    key: str
    label: str
    description: str
    blocker: bool
    level: str
    evidence: str
    comment: str
    better_line: str
    automatic_level: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class TurnRow:
    turn: object
    comments: list[TurnComment]
    # A note that could not be saved, given back to be fixed.
    draft: str = ""


@dataclass
class Rating:
    """A column of the comparison table: who judged, and their level per criterion."""

    label: str
    levels: list[int | None]
    blind: bool = False


@dataclass
class ComparisonRow:
    label: str
    levels: list[int | None]


@dataclass
class ReviewPage:
    session: PracticeSession
    rubric: RubricSpec
    rows: list[CriterionRow]
    turns: list[TurnRow]
    mine: Judgement | None
    automatic: Judgement | None
    # Everything of the others (the automatic judge, other trainers, their comments) is hidden
    # while a trainer rates blind.
    blind: bool
    ratings: list[Rating]
    comparison: list[ComparisonRow]
    trainer_agreement: "Agreement | None"
    error: str = ""


def review_page(
    session: PracticeSession,
    user,
    *,
    blind: bool = False,
    posted: Mapping | None = None,
    errors: Mapping[str, str] | None = None,
    error: str = "",
    draft: tuple[str, str] | None = None,
) -> ReviewPage:
    """What the review page shows `user`. Blind rating is possible only before their own
    judgement exists: once they have submitted, they see everything."""
    rubric = rubric_of(session)
    judgements = list(session.judgements.select_related("by"))
    mine = next(
        (j for j in judgements if j.judge == JudgeKind.TRAINER and j.by_id == user.pk), None
    )
    blind = blind and mine is None
    automatic = None if blind else automatic_judgement(judgements)
    if posted is not None:
        values = posted
    elif mine is not None:
        values = form_values(mine.result)
    elif automatic is not None:
        values = form_values(automatic.result)
    else:
        values = {}
    automatic_levels = levels_of(automatic.result) if automatic else {}
    errors = errors or {}
    rows = [
        CriterionRow(
            key=c.key,
            label=c.label,
            description=c.description,
            blocker=c.blocker,
            level=str(values.get(f"{c.key}-level") or ""),
            evidence=str(values.get(f"{c.key}-evidence") or ""),
            comment=str(values.get(f"{c.key}-comment") or ""),
            better_line=str(values.get(f"{c.key}-better_line") or ""),
            automatic_level=automatic_levels.get(c.key),
            errors={
                name: errors[f"{c.key}-{name}"]
                for name in ("level", "evidence", "comment", "better_line")
                if f"{c.key}-{name}" in errors
            },
        )
        for c in rubric.criteria
    ]
    comments = TurnComment.objects.filter(session=session).select_related("author")
    if blind:
        comments = comments.filter(author=user)
    by_turn = defaultdict(list)
    for comment in comments:
        by_turn[comment.turn_index].append(comment)
    draft_turn, draft_text = draft or ("", "")
    turns = [
        TurnRow(
            turn=t,
            comments=by_turn[t.index],
            draft=draft_text if draft_turn == str(t.index) else "",
        )
        for t in session.turns.all()
    ]
    trainers = [j for j in judgements if j.judge == JudgeKind.TRAINER]
    ratings, trainer_agreement = [], None
    if not blind:
        ratings = _ratings(rubric, automatic, judgements)
        if len(trainers) >= 2:
            trainer_agreement = session_agreement(trainers, rubric.keys)
    return ReviewPage(
        session=session,
        rubric=rubric,
        rows=rows,
        turns=turns,
        mine=mine,
        automatic=automatic,
        blind=blind,
        ratings=ratings,
        comparison=[
            ComparisonRow(label=c.label, levels=[r.levels[i] for r in ratings])
            for i, c in enumerate(rubric.criteria)
        ]
        if ratings
        else [],
        trainer_agreement=trainer_agreement,
        error=error,
    )


def _ratings(
    rubric: RubricSpec, automatic: Judgement | None, judgements: list[Judgement]
) -> list[Rating]:
    """The automatic judge first, then the people who rated: observer, learner, trainers."""
    columns = [automatic] if automatic else []
    for kind in (JudgeKind.OBSERVER, JudgeKind.SELF, JudgeKind.TRAINER):
        columns += [j for j in judgements if j.judge == kind and j.status == JudgementStatus.DONE]
    ratings = []
    for judgement in columns:
        levels = levels_of(judgement.result)
        if judgement.judge == JudgeKind.TRAINER:
            label = display_name(judgement.by) if judgement.by else _("A former trainer")
        else:
            label = judgement.get_judge_display()
        ratings.append(
            Rating(
                label=str(label),
                levels=[levels.get(key) for key in rubric.keys],
                blind=judgement.blind,
            )
        )
    return ratings


# --- Recording a review -----------------------------------------------------------------------


def _check_reviewer(session: PracticeSession, by) -> None:
    """Re-checked under the session's lock: the same rule as the queue, so a request for a
    session the trainer may not review reveals nothing about it."""
    if not reviewable_sessions(by).filter(pk=session.pk).exists():
        raise ReviewError("not_found", _("This practice session does not exist."))


def record_review(session: PracticeSession, form: Mapping, *, by, blind: bool = False):
    """Store `by`'s rubric judgement of the session from the posted form, or update the one
    they made before: one per trainer and session, so a double click writes once.

    A rating counts as blind only when it was made, and kept, without seeing the others."""
    rubric = rubric_of(session)
    try:
        judged = from_form(rubric, form, judge=Judge.TRAINER)
    except FormError as error:
        raise ReviewError(
            "invalid_form", _("Some fields need another look; they are marked below."), error.errors
        ) from None
    judged = masked_judgement(judged, session.fiction())
    result = judged.model_dump(mode="json")
    with locked(session.pk) as current:
        _check_reviewer(current, by)
        mine = Judgement.objects.filter(session=current, judge=JudgeKind.TRAINER, by=by).first()
        blind = blind and (mine is None or mine.blind)
        if mine is not None and mine.result == result and mine.blind == blind:
            return mine
        if mine is None:
            mine = Judgement(session=current, judge=JudgeKind.TRAINER, by=by)
        updated = mine.pk is not None
        mine.rubric = rubric_key(rubric.key)
        mine.status = JudgementStatus.DONE
        mine.result = result
        mine.passed = judged.passed
        mine.blind = blind
        mine.save()
        log(
            mine,
            "assessments.review.record",
            user=by,
            data={
                "session": current.pk,
                "levels": levels_of(result),
                "passed": judged.passed,
                "blind": blind,
                "updated": updated,
            },
        )
    return mine


def add_comment(session: PracticeSession, turn_index: int, text: str, *, by) -> TurnComment:
    """A trainer's note on one turn, masked before it is stored. The same note posted twice
    (a double click) is stored once."""
    text = (text or "").strip()
    if not text:
        raise ReviewError("invalid_comment", _("Write a comment first."))
    if len(text) > TURN_COMMENT_LENGTH:
        raise ReviewError(
            "invalid_comment",
            _("Write at most %(limit)d characters.") % {"limit": TURN_COMMENT_LENGTH},
        )
    # Trainers may name real people in notes; names in the scenario are the exercise's own.
    text = mask(text, fiction=session.fiction()).masked
    with locked(session.pk) as current:
        _check_reviewer(current, by)
        if not current.turns.filter(index=turn_index).exists():
            raise ReviewError("invalid_turn", _("This turn is not part of the conversation."))
        comment, created = TurnComment.objects.get_or_create(
            session=current, turn_index=turn_index, author=by, text=text
        )
        if created:
            log(
                comment,
                "assessments.review.comment",
                user=by,
                data={"session": current.pk, "turn": turn_index},
            )
    return comment


# --- Agreement --------------------------------------------------------------------------------


def quadratic_weighted_kappa(
    pairs: Sequence[tuple[int, int]], levels: Sequence[int] = LEVELS
) -> float | None:
    """Cohen's kappa with quadratic weights for two raters' levels on the same items.

    1 is perfect agreement, 0 what chance gives, below 0 worse than chance. None when it is
    undefined: no pairs, or both raters always gave the same single level (no variation for
    agreement to beat chance on)."""
    if not pairs:
        return None
    position = {level: i for i, level in enumerate(levels)}
    span = (len(levels) - 1) ** 2

    def weight(a: int, b: int) -> Fraction:
        return Fraction((position[a] - position[b]) ** 2, span)

    n = len(pairs)
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    observed = sum((weight(a, b) for a, b in pairs), Fraction(0)) / n
    expected = sum(
        (first[a] * second[b] * weight(a, b) for a in first for b in second), Fraction(0)
    ) / (n * n)
    if expected == 0:
        return None
    return float(1 - observed / expected)


@dataclass(frozen=True)
class Agreement:
    """How often two judges gave the same level, or levels one apart, on the same criterion.
    Pairs with a null level on either side are left out (no occasion is not a level)."""

    pairs: int = 0
    sessions: int = 0
    exact: int = 0
    within_one: int = 0
    kappa: float | None = None

    @property
    def exact_percent(self) -> int | None:
        return round(100 * self.exact / self.pairs) if self.pairs else None

    @property
    def within_one_percent(self) -> int | None:
        return round(100 * self.within_one / self.pairs) if self.pairs else None

    @property
    def kappa_ready(self) -> bool:
        return self.sessions >= KAPPA_MIN_SESSIONS


def agreement(pairs: Iterable[tuple[object, int | None, int | None]]) -> Agreement:
    """Agreement over `(session id, level, level)` pairs. The kappa is given only once
    `KAPPA_MIN_SESSIONS` sessions have a level from both sides."""
    given = [(session, a, b) for session, a, b in pairs if a is not None and b is not None]
    sessions = len({session for session, _, _ in given})
    levels = [(a, b) for _, a, b in given]
    return Agreement(
        pairs=len(given),
        sessions=sessions,
        exact=sum(a == b for a, b in levels),
        within_one=sum(abs(a - b) <= 1 for a, b in levels),
        kappa=quadratic_weighted_kappa(levels) if sessions >= KAPPA_MIN_SESSIONS else None,
    )


def session_agreement(trainers: list[Judgement], keys: list[str]) -> Agreement:
    """Agreement between the trainers who rated one session, over its criteria."""
    pairs = []
    for one, other in combinations(trainers, 2):
        first, second = levels_of(one.result), levels_of(other.result)
        pairs += [(one.session_id, first.get(key), second.get(key)) for key in keys]
    return agreement(pairs)


@dataclass
class JudgeAgreement:
    judge: str
    label: str
    agreement: Agreement


@dataclass
class CriterionAgreement:
    key: str
    label: str
    blocker: bool
    # Per automatic judge (heuristic, llm, scripted): its agreement with trainers.
    automatic: list[JudgeAgreement]
    trainers: Agreement


def agreement_report(*, blind_only: bool = False) -> list[CriterionAgreement]:
    """Per criterion of the standard rubric: how often each automatic judge agrees with the
    trainers who reviewed the same sessions, and trainers with each other on sessions two or
    more of them rated. Every trainer's rating is one pair with the judge. With `blind_only`,
    only ratings made without seeing the judge or other trainers count.

    The figures are the organisation's: the judge is the same for every cohort."""
    trainer_rows = Judgement.objects.filter(judge=JudgeKind.TRAINER, status=JudgementStatus.DONE)
    if blind_only:
        trainer_rows = trainer_rows.filter(blind=True)
    trainers = defaultdict(list)
    for session_id, result in trainer_rows.values_list("session_id", "result"):
        trainers[session_id].append(levels_of(result))
    automatic = defaultdict(dict)
    automatic_rows = Judgement.objects.filter(
        session_id__in=list(trainers),
        judge__in=AUTOMATIC_JUDGES,
        status=JudgementStatus.DONE,
    ).values_list("session_id", "judge", "result")
    for session_id, judge, result in automatic_rows:
        automatic[judge][session_id] = levels_of(result)
    labels = dict(JudgeKind.choices)
    report = []
    for criterion in Rubric.objects.spec().criteria:
        key = criterion.key
        per_judge = []
        for kind in AUTOMATIC_JUDGES:
            judged = automatic[kind]
            pairs = [
                (session_id, judged[session_id].get(key), rating.get(key))
                for session_id, ratings in trainers.items()
                if session_id in judged
                for rating in ratings
            ]
            per_judge.append(JudgeAgreement(kind, labels[kind], agreement(pairs)))
        pairs = [
            (session_id, one.get(key), other.get(key))
            for session_id, ratings in trainers.items()
            for one, other in combinations(ratings, 2)
        ]
        report.append(
            CriterionAgreement(
                key=key,
                label=criterion.label,
                blocker=criterion.blocker,
                automatic=per_judge,
                trainers=agreement(pairs),
            )
        )
    return report


@dataclass
class DoubleRated:
    session: PracticeSession
    raters: list[str]
    agreement: Agreement


def double_rated(user, *, blind_only: bool = False) -> list[DoubleRated]:
    """The sessions `user` may review that two or more trainers rated, newest first, each
    with the trainers' agreement over its criteria."""
    reviews = Judgement.objects.filter(judge=JudgeKind.TRAINER, status=JudgementStatus.DONE)
    if blind_only:
        reviews = reviews.filter(blind=True)
    rated = defaultdict(list)
    for judgement in reviews.filter(session__in=reviewable_sessions(user)).select_related("by"):
        rated[judgement.session_id].append(judgement)
    twice = {pk: js for pk, js in rated.items() if len(js) >= 2}
    sessions = PracticeSession.objects.filter(pk__in=list(twice)).select_related("user")
    rows = []
    for session in sessions.order_by("-ended_at", "-pk"):
        judgements = twice[session.pk]
        rows.append(
            DoubleRated(
                session=session,
                raters=[display_name(j.by) if j.by else _("A former trainer") for j in judgements],
                agreement=session_agreement(judgements, rubric_of(session).keys),
            )
        )
    return rows
