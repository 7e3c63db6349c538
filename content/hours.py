"""Whether the minutes a pack's lessons credit rest on what they hold (`load_content --check`).

An online lesson credits the learner with its `duration_minutes` when it is marked complete, so
its content must support that time. It supports

    characters of body text / 500  +  10 per reflection
    +  2 per question of each embedded quiz  +  the minutes of each assigned role-play,

and may credit at most 1.25 times that. An in-person lesson (lecture, group work, accompanied
visit) credits the hours of the session itself; its page is the trainer's plan, which must
hold at least 1,500 characters and a timetable in this form, from 0:00 to the lesson's end:

    ## 時間割（120分）

    - 0:00〜0:10 はじめに
    - 0:10〜2:00 …

A course with required hours must have lessons whose minutes add up to exactly those hours.
Nothing here touches the database: the caller says how many questions each quiz has.
"""

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from courses.blocks import render_markdown
from courses.models import Delivery

from .directives import Block
from .fields import Origin

CHARACTERS_PER_MINUTE = 500
REFLECTION_MINUTES = 10
QUESTION_MINUTES = 2
# How far credited minutes may exceed the supported ones: reading speeds differ.
TOLERANCE = Fraction(5, 4)
PLAN_CHARACTERS = 1500
TIMETABLE_HEADING = re.compile(r"^##\s*時間割（(\d+)分）\s*$")
# 〜 (wave dash) and ～ (full-width tilde) look the same; authors type either.
TIMETABLE_LINE = re.compile(r"^- (\d+):([0-5]\d)\s*[〜～]\s*(\d+):([0-5]\d)\s+\S")
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def visible_characters(text: str, markdown: bool = False) -> int:
    """Characters a reader sees: no white space, no markup, no link targets."""
    if markdown:
        text = render_markdown(text)
    if markdown or "<" in text:
        text = html.unescape(TAG.sub("", text))
    return len(SPACE.sub("", text))


def body_characters(body: list[Block]) -> int:
    """The characters of text a lesson body shows: Markdown, rich text, callouts, reflection
    prompts and key phrases (videos and images are not counted)."""
    total = 0
    for block in body:
        value = block.value
        match block.type:
            case "markdown":
                total += visible_characters(value, markdown=True)
            case "rich_text":
                total += visible_characters(value)
            case "callout":
                total += visible_characters(value["title"])
                total += visible_characters(value["body"], markdown=True)
            case "reflection":
                total += visible_characters(value["prompt"])
            case "key_phrases":
                for phrase in value["phrases"]:
                    total += visible_characters(phrase["say"] + phrase["instead"])
    return total


def timetable_problems(body: list[Block], duration: int) -> list[str]:
    """What is wrong with the `## 時間割（N分）` timetable of an in-person lesson, if anything."""
    lines = [line.rstrip() for b in body if b.type == "markdown" for line in b.value.split("\n")]
    start = next((i for i, line in enumerate(lines) if TIMETABLE_HEADING.match(line)), None)
    if start is None:
        return ["no '## 時間割（N分）' timetable"]
    problems = []
    stated = int(TIMETABLE_HEADING.match(lines[start])[1])
    if stated != duration:
        problems.append(f"the timetable heading says {stated} minutes, the lesson {duration}")
    blocks, malformed = [], []
    for line in lines[start + 1 :]:
        if not line.strip() or line[0].isspace():
            continue  # blank lines and continuation lines of an item
        if not line.startswith("- "):
            break
        if match := TIMETABLE_LINE.match(line):
            hours, minutes, end_hours, end_minutes = map(int, match.groups())
            blocks.append((hours * 60 + minutes, end_hours * 60 + end_minutes))
        else:
            malformed.append(line)
    if malformed:
        more = f" and {len(malformed) - 1} more lines are" if len(malformed) > 1 else " is"
        problems.append(f"'{malformed[0][:24]}…'{more} not '- H:MM〜H:MM what happens'")
        return problems
    if not blocks:
        return [*problems, "the timetable lists no '- H:MM〜H:MM' lines"]
    reached = 0
    for begin, end in blocks:
        label = f"{_clock(begin)}〜{_clock(end)}"
        if begin != reached:
            problems.append(f"'{label}' starts at {_clock(begin)}, not {_clock(reached)}")
        if end <= begin:
            problems.append(f"'{label}' ends before it starts")
        reached = end
    if reached != duration:
        problems.append(f"the timetable ends at {_clock(reached)}, not {_clock(duration)}")
    return problems


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass
class LessonHours:
    course: str
    slug: str
    delivery: str
    minutes: int
    origin: Origin
    characters: int
    reflections: int = 0
    questions: int = 0
    practice: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def online(self) -> bool:
        return self.delivery == Delivery.ONLINE

    @property
    def supported(self) -> Fraction:
        """The minutes an online lesson's content supports."""
        return (
            Fraction(self.characters, CHARACTERS_PER_MINUTE)
            + REFLECTION_MINUTES * self.reflections
            + QUESTION_MINUTES * self.questions
            + self.practice
        )

    def as_dict(self) -> dict:
        data = {
            "course": self.course,
            "lesson": self.slug,
            "file": f"{self.origin.file}:{self.origin.line}",
            "delivery": self.delivery,
            "minutes": self.minutes,
            "characters": self.characters,
        }
        if self.online:
            data.update(
                reflections=self.reflections,
                quiz_questions=self.questions,
                practice_minutes=self.practice,
                supported_minutes=round(float(self.supported), 1),
            )
        return {**data, "ok": not self.problems, "problems": self.problems}


@dataclass
class CourseHours:
    slug: str
    title: str
    required_hours: Decimal
    minutes: int
    origin: Origin

    @property
    def required_minutes(self) -> int:
        return int(self.required_hours * 60)

    @property
    def problems(self) -> list[str]:
        if self.required_hours and self.minutes != self.required_minutes:
            return [
                f"its lessons add up to {self.minutes} minutes; {self.required_hours} required "
                f"hours are {self.required_minutes}"
            ]
        return []

    def as_dict(self) -> dict:
        return {
            "course": self.slug,
            "file": f"{self.origin.file}:{self.origin.line}",
            "minutes": self.minutes,
            "required_minutes": self.required_minutes,
            "ok": not self.problems,
            "problems": self.problems,
        }


@dataclass
class HoursReport:
    lessons: list[LessonHours]
    courses: list[CourseHours]

    @property
    def failing_lessons(self) -> list[LessonHours]:
        return [lesson for lesson in self.lessons if lesson.problems]

    @property
    def failing_courses(self) -> list[CourseHours]:
        return [course for course in self.courses if course.problems]

    @property
    def ok(self) -> bool:
        return not self.failing_lessons and not self.failing_courses

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "lessons": [lesson.as_dict() for lesson in self.lessons],
            "courses": [course.as_dict() for course in self.courses],
        }

    def summary(self) -> str:
        return (
            f"{len(self.failing_lessons)} of {len(self.lessons)} lessons and "
            f"{len(self.failing_courses)} of {len(self.courses)} courses fail the hours check."
        )

    def table(self) -> str:
        """One row per lesson under its course, then the course's total against its hours."""
        width = max([len(lesson.slug) for lesson in self.lessons] + [6])
        head = (
            f"  {'lesson':<{width}}  {'delivery':<17} {'min':>4} {'supports':>8} {'ratio':>5} "
            f"{'chars':>6} {'refl':>4} {'quiz':>4} {'prac':>4}  result"
        )
        out = [
            "Online lessons may credit at most 1.25 × the minutes their content supports "
            "(characters/500 + 10 per reflection + 2 per quiz question + practice minutes).",
            "In-person lessons need a plan of 1,500 characters and a 時間割 from 0:00 to the end.",
        ]
        for course in self.courses:
            out += ["", f"{course.slug} {course.title}", head]
            for lesson in (lesson for lesson in self.lessons if lesson.course == course.slug):
                out.append("  " + _row(lesson, width))
            required = (
                f"required {course.required_hours} h = {course.required_minutes} min"
                if course.required_hours
                else "no required hours"
            )
            result = "FAIL" if course.problems else "ok"
            out.append(f"  total {course.minutes} min; {required}: {result}")
        out += ["", self.summary()]
        return "\n".join(out)


def _row(lesson: LessonHours, width: int) -> str:
    if lesson.online:
        supported = float(lesson.supported)
        ratio = f"{lesson.minutes / supported:.2f}" if supported else "-"
        numbers = (
            f"{supported:>8.1f} {ratio:>5} {lesson.characters:>6} {lesson.reflections:>4} "
            f"{lesson.questions:>4} {lesson.practice:>4}"
        )
    else:
        numbers = f"{'-':>8} {'-':>5} {lesson.characters:>6} {'-':>4} {'-':>4} {'-':>4}"
    result = "FAIL: " + "; ".join(lesson.problems) if lesson.problems else "ok"
    return f"{lesson.slug:<{width}}  {lesson.delivery:<17} {lesson.minutes:>4} {numbers}  {result}"


def check_hours(pack, questions: dict[str, int]) -> HoursReport:
    """The hours check of every lesson and course of `pack`; `questions` counts the questions of
    each quiz by slug (a quiz it does not name counts none: the pack's errors report it)."""
    report = HoursReport([], [])
    for course in pack.courses:
        lessons = [lesson for module in course.modules for lesson in module.lessons]
        for lesson in lessons:
            report.lessons.append(_lesson_hours(course.slug, lesson, questions))
        minutes = sum(lesson.duration_minutes for lesson in lessons)
        report.courses.append(
            CourseHours(course.slug, course.title, course.required_hours, minutes, course.origin)
        )
    return report


def _lesson_hours(course: str, lesson, questions: dict[str, int]) -> LessonHours:
    body = lesson.body
    hours = LessonHours(
        course=course,
        slug=lesson.slug,
        delivery=lesson.delivery,
        minutes=lesson.duration_minutes,
        origin=lesson.origin,
        characters=body_characters(body),
    )
    if hours.online:
        hours.reflections = sum(block.type == "reflection" for block in body)
        hours.questions = sum(questions.get(b.value, 0) for b in body if b.type == "quiz")
        hours.practice = sum(b.value["minutes"] for b in body if b.type == "practice")
        if hours.minutes > TOLERANCE * hours.supported:
            most = int(TOLERANCE * hours.supported)
            hours.problems.append(
                f"credits {hours.minutes} min; its content supports "
                f"{float(hours.supported):.1f}, so at most {most}"
            )
    else:
        if hours.characters < PLAN_CHARACTERS:
            hours.problems.append(
                f"the plan has {hours.characters} characters; at least {PLAN_CHARACTERS}"
            )
        hours.problems += timetable_problems(body, hours.minutes)
    return hours
