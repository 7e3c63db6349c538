"""The competency map: what a learner's record shows of each competency.

Three kinds of evidence roll up per competency:

- lessons: live lessons linked to the competency that the learner completed, out of those in
  the courses they are enrolled in (plus any they completed elsewhere);
- quiz and exam items: questions of submitted attempts whose frozen paper links the
  competency, as points earned out of points possible (a written answer still waiting for a
  trainer is left out; an unanswered question of a graded attempt counts zero);
- rubric scores: the levels (1–4) that the primary judgement of each ended role-play session
  gave to criteria linked to the competency (standard criteria through `RubricCriterion`,
  a scenario's own criteria through `ScenarioCriterion`). The primary judgement is the one
  the debrief leads with.

Strength, from 0 to 4, is the mean of the parts for which there is evidence:
4 × lessons completed share, 4 × quiz points share, and the mean rubric level. A competency
with no evidence at all has no strength (None), which is not the same as 0.

Every map, for one learner or a whole cohort, is built in a constant number of queries.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from courses.models import Competency, Enrollment, LessonCompletion, LessonPage
from roleplay.models import PracticeSession, ScenarioCriterion, SessionStatus

from .judging import primary_judgement
from .models import (
    Answer,
    Attempt,
    AttemptStatus,
    JudgeKind,
    Judgement,
    JudgementStatus,
    Question,
    QuizKind,
    RubricCriterion,
)
from .papers import QuestionType
from .rubrics import STANDARD_KEY

MAX_STRENGTH = 4
TENTH = Decimal("0.1")


@dataclass
class Evidence:
    """What one learner's record shows of one competency."""

    competency: Competency
    lessons_done: int = 0
    lessons_total: int = 0
    quiz_items: int = 0
    exam_items: int = 0
    points: Decimal = Decimal(0)
    max_points: Decimal = Decimal(0)
    levels: list[int] = field(default_factory=list)
    latest: date | None = None

    def saw(self, when) -> None:
        day = timezone.localdate(when) if hasattr(when, "tzinfo") else when
        if self.latest is None or day > self.latest:
            self.latest = day

    @property
    def rubric_scores(self) -> int:
        return len(self.levels)

    @property
    def has_evidence(self) -> bool:
        return bool(self.lessons_done or self.quiz_items or self.exam_items or self.levels)

    @property
    def lesson_share(self) -> Decimal | None:
        if not self.lessons_done or not self.lessons_total:
            return None
        return Decimal(self.lessons_done) / self.lessons_total

    @property
    def quiz_share(self) -> Decimal | None:
        if not self.max_points:
            return None
        return self.points / self.max_points

    @property
    def mean_level(self) -> Decimal | None:
        if not self.levels:
            return None
        return (Decimal(sum(self.levels)) / len(self.levels)).quantize(TENTH, ROUND_HALF_UP)

    @property
    def strength(self) -> Decimal | None:
        """0–4, the mean of the parts with evidence (see the module docstring)."""
        parts = []
        if self.lesson_share is not None:
            parts.append(MAX_STRENGTH * self.lesson_share)
        if self.quiz_share is not None:
            parts.append(MAX_STRENGTH * self.quiz_share)
        if self.levels:
            parts.append(Decimal(sum(self.levels)) / len(self.levels))
        if not parts:
            return None
        return (sum(parts) / len(parts)).quantize(TENTH, ROUND_HALF_UP)


@dataclass
class CategoryEvidence:
    category: object
    rows: list[Evidence]


@dataclass
class CompetencyMap:
    """One learner's evidence per competency, grouped by category in framework order."""

    categories: list[CategoryEvidence]

    @property
    def rows(self) -> list[Evidence]:
        return [row for category in self.categories for row in category.rows]

    @property
    def has_evidence(self) -> bool:
        return any(row.has_evidence for row in self.rows)

    def relevant(self) -> "CompetencyMap":
        """What concerns this learner: every competency of the frameworks their courses teach
        (a linked lesson in a course they are enrolled in, or one they completed), and from any
        other framework only the competencies their record has evidence for. A home visitor in
        training is not shown the coordinators' framework as dozens of "no evidence yet" rows
        because one role-play criterion touched one of its competencies."""
        taught = {
            group.category.framework_id
            for group in self.categories
            if any(row.lessons_total for row in group.rows)
        }
        categories = []
        for group in self.categories:
            if group.category.framework_id in taught:
                categories.append(group)
            elif shown := [row for row in group.rows if row.has_evidence]:
                categories.append(CategoryEvidence(group.category, shown))
        return CompetencyMap(categories)


def competency_map(user) -> CompetencyMap:
    return competency_maps([user])[user.pk]


def competency_maps(users: Iterable) -> dict[int, CompetencyMap]:
    """The map of each learner, by user id, in a constant number of queries."""
    user_ids = [user.pk for user in users]
    competencies = list(
        Competency.objects.select_related("category__framework").order_by(
            "category__framework__sort_order",
            "category__framework__code",
            "category__sort_order",
            "category__code",
            "sort_order",
            "code",
        )
    )
    by_code = {c.code: c for c in competencies}
    evidence = {
        user_id: {c.pk: Evidence(competency=c) for c in competencies} for user_id in user_ids
    }
    _add_lessons(user_ids, evidence)
    _add_answers(user_ids, evidence, by_code)
    _add_rubric_levels(user_ids, evidence, by_code)
    maps = {}
    for user_id in user_ids:
        categories: dict[int, CategoryEvidence] = {}
        for competency in competencies:
            group = categories.setdefault(
                competency.category_id, CategoryEvidence(competency.category, [])
            )
            group.rows.append(evidence[user_id][competency.pk])
        maps[user_id] = CompetencyMap(list(categories.values()))
    return maps


def _add_lessons(user_ids: list[int], evidence: dict) -> None:
    linked = defaultdict(list)  # lesson id -> competency ids
    paths = {}
    for lesson_id, path, competency_id in (
        LessonPage.objects.live()
        .filter(competencies__isnull=False)
        .values_list("id", "path", "competencies")
    ):
        linked[lesson_id].append(competency_id)
        paths[lesson_id] = path
    course_paths = defaultdict(list)
    for user_id, path in Enrollment.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "course__path"
    ):
        course_paths[user_id].append(path)
    done = defaultdict(dict)
    for user_id, lesson_id, completed_at in LessonCompletion.objects.filter(
        user_id__in=user_ids, lesson_id__in=linked.keys()
    ).values_list("user_id", "lesson_id", "completed_at"):
        done[user_id][lesson_id] = completed_at
    for user_id in user_ids:
        mine = evidence[user_id]
        for lesson_id, competency_ids in linked.items():
            completed_at = done[user_id].get(lesson_id)
            in_course = any(paths[lesson_id].startswith(p) for p in course_paths[user_id])
            if completed_at is None and not in_course:
                continue
            for competency_id in competency_ids:
                row = mine[competency_id]
                row.lessons_total += 1
                if completed_at is not None:
                    row.lessons_done += 1
                    row.saw(completed_at)


def _add_answers(user_ids: list[int], evidence: dict, by_code: Mapping) -> None:
    attempts = list(
        Attempt.objects.filter(user_id__in=user_ids)
        .exclude(status=AttemptStatus.IN_PROGRESS)
        .values_list("pk", "user_id", "quiz_id", "status", "submitted_at", "paper")
    )
    points = defaultdict(dict)  # attempt id -> question key -> points (None: to grade)
    for attempt_id, key, earned in Answer.objects.filter(
        attempt_id__in=[a[0] for a in attempts]
    ).values_list("attempt_id", "question_key", "points"):
        points[attempt_id][key] = earned
    older = _codes_from_quizzes(attempts)
    for attempt_id, user_id, quiz_id, status, submitted_at, paper in attempts:
        mine = evidence[user_id]
        is_exam = paper.get("kind") == QuizKind.EXAM
        for question in paper.get("questions", []):
            key = question["key"]
            codes = question.get("competencies")
            if codes is None:
                codes = older.get((quiz_id, key), [])
            if not codes:
                continue
            answered = key in points[attempt_id]
            earned = points[attempt_id].get(key)
            if answered and earned is None:
                continue  # a written answer waiting for a trainer says nothing yet
            if not answered:
                if status != AttemptStatus.GRADED and question["type"] == QuestionType.WRITTEN:
                    continue
                earned = 0
            for code in codes:
                competency = by_code.get(code)
                if competency is None:
                    continue
                row = mine[competency.pk]
                if is_exam:
                    row.exam_items += 1
                else:
                    row.quiz_items += 1
                row.points += Decimal(earned)
                row.max_points += Decimal(question["points"])
                if submitted_at:
                    row.saw(submitted_at)


def _codes_from_quizzes(attempts: list) -> dict[tuple[int, str], list[str]]:
    """Competency codes of questions whose frozen paper predates competencies in papers,
    read from the live quiz by question key (one query, only when such papers exist)."""
    quiz_ids = {
        quiz_id
        for _pk, _user, quiz_id, _status, _at, paper in attempts
        if quiz_id and any("competencies" not in q for q in paper.get("questions", []))
    }
    if not quiz_ids:
        return {}
    codes = defaultdict(list)
    for quiz_id, key, code in (
        Question.objects.filter(quiz_id__in=quiz_ids, competencies__isnull=False)
        .values_list("quiz_id", "key", "competencies__code")
        .order_by()
    ):
        codes[(quiz_id, key)].append(code)
    return codes


def _add_rubric_levels(user_ids: list[int], evidence: dict, by_code: Mapping) -> None:
    sessions = {
        pk: (user_id, scenario_id, mode, ended_at, data)
        for pk, user_id, scenario_id, mode, ended_at, data in PracticeSession.objects.filter(
            user_id__in=user_ids, status=SessionStatus.ENDED
        ).values_list("pk", "user_id", "scenario_id", "mode", "ended_at", "scenario_data")
    }
    judgements = defaultdict(list)
    for judgement in Judgement.objects.filter(
        session_id__in=sessions.keys(),
        judge__in=[JudgeKind.SCRIPTED, JudgeKind.OBSERVER, JudgeKind.LLM, JudgeKind.HEURISTIC],
    ).only("session_id", "judge", "status", "result"):
        judgements[judgement.session_id].append(judgement)
    standard = defaultdict(list)
    for key, code in RubricCriterion.objects.filter(rubric__key=STANDARD_KEY).values_list(
        "key", "competencies__code"
    ):
        standard[key] += [code] if code else []
    own = defaultdict(list)
    for scenario_id, key, code in ScenarioCriterion.objects.filter(
        scenario_id__in={s[1] for s in sessions.values() if s[1]}, competencies__isnull=False
    ).values_list("scenario_id", "key", "competencies__code"):
        own[(scenario_id, key)].append(code)
    for session_id, (user_id, scenario_id, mode, ended_at, data) in sessions.items():
        primary = primary_judgement(mode, judgements[session_id])
        if primary is None or primary.status != JudgementStatus.DONE:
            continue
        uses_standard = (data.get("rubric") or {}).get("standard", True)
        for key, score in (primary.result.get("scores") or {}).items():
            level = (score or {}).get("level")
            if level is None:
                continue
            # A scenario's criterion with a standard key is dropped for the standard one.
            codes = standard.get(key) if uses_standard and key in standard else None
            if codes is None:
                codes = own.get((scenario_id, key), [])
            for code in codes:
                competency = by_code.get(code)
                if competency is None:
                    continue
                row = evidence[user_id][competency.pk]
                row.levels.append(level)
                if ended_at:
                    row.saw(ended_at)


# --- The chart -------------------------------------------------------------------------------

# Laid out for a phone: the viewBox is about as wide as a 390px screen's content, so the SVG is
# drawn nearly 1:1 there and its 14px text stays 14px. Each label gets its own lines above its
# bar instead of a column beside it, which is what made the old chart shrink to 6px text.
CHART_WIDTH = 360
FONT_SIZE = 14
LINE_HEIGHT = 19
LEFT = 8
BAR_WIDTH = 280
BAR_HEIGHT = 16
ROW_GAP = 12
TOP = 24
LABEL_EMS = 24  # a label line's budget, in em, with room for wider fonts than the estimate
LABEL_LINES = 3


@dataclass
class ChartItem:
    lines: list[tuple[int, str]]  # (baseline y, text)
    title: str = ""
    bar_y: int = 0
    bar: int = 0  # bar length in px; 0 with `value` "" means no evidence
    value: str = ""
    has_evidence: bool = False
    is_heading: bool = False


@dataclass
class Chart:
    width: int
    height: int
    font_size: int
    left: int
    bar_width: int
    bar_height: int
    ticks: list[tuple[int, int]]  # (x, strength)
    items: list[ChartItem]

    @property
    def track_end(self) -> int:
        return self.left + self.bar_width

    @property
    def inner_ticks(self) -> list[int]:
        return [x for x, _n in self.ticks[1:-1]]


def _ems(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.62


def _wrap(text: str) -> list[str]:
    """`text` in lines that fit the chart's width (estimated: a full-width character is 1em,
    any other about 0.6em), at most LABEL_LINES of them, the last cut with an ellipsis."""
    lines, line, width = [], "", 0.0
    for char in text:
        if width + _ems(char) > LABEL_EMS:
            lines.append(line.rstrip())
            line, width = "", 0.0
            if char == " ":
                continue
        line += char
        width += _ems(char)
    lines.append(line)
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def chart(cmap: CompetencyMap, *, no_evidence: str, title_format: str) -> Chart:
    """The bar chart's geometry: under its category's heading, each competency's name on its
    own lines and its bar below, with the value written beside the bar, so the chart reads
    without colour.

    `title_format` is the bar's tooltip with %(name)s, %(strength)s and %(evidence)s."""
    items, y = [], TOP
    for group in cmap.categories:
        y += 8
        lines = []
        for text in _wrap(str(group.category)):
            y += LINE_HEIGHT
            lines.append((y, text))
        items.append(ChartItem(lines=lines, is_heading=True))
        y += 4
        for row in group.rows:
            strength = row.strength
            name = f"{row.competency.code} {row.competency.name}"
            value = no_evidence if strength is None else f"{strength} / {MAX_STRENGTH}"
            lines = []
            for text in _wrap(name):
                y += LINE_HEIGHT
                lines.append((y, text))
            items.append(
                ChartItem(
                    lines=lines,
                    title=title_format
                    % {
                        "name": name,
                        "strength": value,
                        "evidence": row.lessons_done
                        + row.quiz_items
                        + row.exam_items
                        + row.rubric_scores,
                    },
                    bar_y=y + 6,
                    bar=0 if strength is None else int(BAR_WIDTH * strength / MAX_STRENGTH),
                    value=value,
                    has_evidence=strength is not None,
                )
            )
            y += 6 + BAR_HEIGHT + ROW_GAP
    ticks = [(LEFT + BAR_WIDTH * n // MAX_STRENGTH, n) for n in range(MAX_STRENGTH + 1)]
    return Chart(
        width=CHART_WIDTH,
        height=y,
        font_size=FONT_SIZE,
        left=LEFT,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
        ticks=ticks,
        items=items,
    )
