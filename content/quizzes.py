"""Quiz and exam files of a pack (`quizzes/SLUG.yaml`), and loading them into the site.

A file holds the quiz's rules and its questions; every problem is reported at its line. A
question's shape (options, ranks, true/false) is checked by the same function as the quiz
editor uses (`assessments.papers.question_problems`). Questions are matched by `key` when a pack
is loaded again, so attempts and results keep pointing at the same questions.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count
from django.utils import translation

from assessments.models import Question, QuestionOption, Quiz, QuizKind
from assessments.papers import QuestionType, question_problems
from courses.models import Competency, CoursePage

from .fields import Fields, Origin, PackContext, PackError

SLUG = re.compile(r"^[a-z0-9-]+$")


@dataclass
class QuestionData:
    key: str
    type: str
    text: str
    case: str
    points: int | None
    answer: bool | None
    competencies: list[str]
    explanation: str
    guidance: str
    options: list[dict]

    def as_data(self) -> dict:
        """The question as `Question.as_data` gives it back, to compare pack and site."""
        data = {"key": self.key, "type": self.type}
        if self.case:
            data["case"] = self.case
        data["text"] = self.text
        if self.type == QuestionType.TRUE_FALSE:
            data["answer"] = bool(self.answer)
        data["competencies"] = self.competencies
        if self.points:
            data["points"] = self.points
        data["explanation"] = self.explanation
        if self.guidance:
            data["guidance"] = self.guidance
        if self.type == QuestionType.SITUATIONAL:
            data["responses"] = self.options
        elif self.options:
            data["options"] = self.options
        return data


@dataclass
class QuizFile:
    slug: str
    title: str
    kind: str
    course: str
    intro: str
    pass_mark: int
    attempts_allowed: int
    time_limit_minutes: int | None
    shuffle_questions: bool
    shuffle_options: bool
    questions: list[QuestionData]
    origin: Origin
    course_origin: Origin

    def model_fields(self) -> dict:
        """The values of the Quiz fields the file sets, except the course (a page id)."""
        return {
            "title": self.title,
            "kind": self.kind,
            "intro": self.intro,
            "pass_mark": self.pass_mark,
            "attempts_allowed": self.attempts_allowed,
            "time_limit_minutes": self.time_limit_minutes,
            "shuffle_questions": self.shuffle_questions,
            "shuffle_options": self.shuffle_options,
        }

    def as_data(self) -> dict:
        """The quiz as `Quiz.as_data` gives it back, to compare pack and site."""
        data = {"slug": self.slug, "title": self.title, "kind": self.kind}
        if self.course:
            data["course"] = self.course
        if self.intro:
            data["intro"] = self.intro
        data.update(
            pass_mark=self.pass_mark,
            attempts_allowed=self.attempts_allowed,
            shuffle_questions=self.shuffle_questions,
            shuffle_options=self.shuffle_options,
        )
        if self.time_limit_minutes:
            data["time_limit_minutes"] = self.time_limit_minutes
        data["questions"] = [question.as_data() for question in self.questions]
        return data


# --- reading ------------------------------------------------------------------------------------


def read_quiz(context: PackContext, path: Path) -> QuizFile | None:
    """The checked quiz of one file, or None when it has problems (each one recorded)."""
    doc = context.load(path)
    if doc is None:
        return None
    errors_before = len(context.errors)
    fields = Fields(doc, (), doc.data, "a quiz file")
    slug = fields.code("slug", Quiz, SLUG, "lowercase letters, digits and hyphens")
    origin = Origin(doc.file, fields.line("slug"))
    if slug and slug != path.stem:
        fields.error(f"'slug' {slug!r} must match the file name {path.stem}.yaml", "slug")
    context.claim("quiz", slug, origin, "quiz slug")
    kind = fields.choice("kind", QuizKind)
    course = fields.text("course", required=kind == QuizKind.EXAM)
    course_origin = Origin(doc.file, fields.line("course"))
    if kind == QuizKind.EXAM and course:
        exams = context.taken.setdefault("exam", {})
        if course in exams:
            first = exams[course]
            message = f"course '{course}' already has an exam at {first.file}:{first.line}"
            context.error(doc.file, course_origin.line, message)
        exams.setdefault(course, course_origin)
    quiz = QuizFile(
        slug=slug,
        title=fields.text("title", Quiz),
        kind=kind,
        course=course,
        intro=fields.text("intro", required=False),
        pass_mark=_number(fields, "pass_mark", 0, 100, required=True),
        attempts_allowed=_number(fields, "attempts_allowed", 0, 1000, required=False) or 0,
        time_limit_minutes=_number(fields, "time_limit_minutes", 1, 1440, required=False),
        shuffle_questions=fields.flag("shuffle_questions", default=False),
        shuffle_options=fields.flag("shuffle_options", default=False),
        questions=[],
        origin=origin,
        course_origin=course_origin,
    )
    keys: dict[str, int] = {}
    items = fields.items("questions", "question")
    if not items and "questions" in fields.data:
        fields.error("a quiz needs at least one question", "questions")
    for item in items:
        question = _question(context, item)
        if question.key in keys:
            item.error(f"key '{question.key}' is already used at line {keys[question.key]}", "key")
        elif question.key:
            keys[question.key] = item.line("key")
        quiz.questions.append(question)
    fields.finish()
    return None if len(context.errors) > errors_before else quiz


def _number(fields: Fields, key: str, low: int, high: int, *, required: bool) -> int | None:
    value = fields.raw(key, required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fields.error(f"'{key}' must be a whole number from {low} to {high}, not {value!r}", key)
        return None
    return value


def _question(context: PackContext, fields: Fields) -> QuestionData:
    question_type = fields.choice("type", QuestionType)
    key = fields.code("key", Question, SLUG, "lowercase letters, digits and hyphens")
    competencies = fields.names("competencies", required=True)
    if "competencies" in fields.data and not competencies:
        fields.error("a question needs at least one competency", "competencies")
    context.check_competencies(fields.doc, competencies, (*fields.path, "competencies"))
    answer = fields.raw("answer", required=False)
    if answer is not None and (
        question_type != QuestionType.TRUE_FALSE or not isinstance(answer, bool)
    ):
        fields.error("'answer' is true or false, and only for a true_false question", "answer")
        answer = None
    options = _options(fields, question_type)
    question = QuestionData(
        key=key,
        type=question_type,
        text=fields.text("text"),
        case=fields.text("case", required=False),
        points=_number(fields, "points", 1, 100, required=False),
        answer=answer,
        competencies=competencies,
        explanation=fields.text("explanation"),
        guidance=fields.text("guidance", required=False),
        options=options,
    )
    if question_type:
        # Where the options are, or else the question itself.
        where = [key for key in ("options", "responses") if key in fields.data][:1]
        # In English, like every other message of the loader, whatever the site's language.
        with translation.override("en"):
            for problem in question_problems(question_type, options, answer, question.case):
                fields.error(str(problem), *where)
    fields.finish()
    return question


def _list_key(question_type: str) -> str:
    return "responses" if question_type == QuestionType.SITUATIONAL else "options"


def _options(fields: Fields, question_type: str) -> list[dict]:
    """The options of a choice question or the responses of a situational item, as plain data
    in the form `Question.as_data` writes them."""
    wanted = _list_key(question_type)
    other = "options" if wanted == "responses" else "responses"
    if fields.data.get(other) is not None:
        fields.raw(other, required=False)
        message = f"a {question_type or 'question'} question lists '{wanted}', not '{other}'"
        fields.error(message, other)
    if wanted not in fields.data:
        fields.raw(wanted, required=False)
        return []
    options = []
    for item in fields.items(wanted, "option"):
        text = item.text("text")
        if question_type == QuestionType.SITUATIONAL:
            rank = _number(item, "rank", 1, 5, required=True)
            options.append({"text": text, "rank": rank, "reason": item.text("reason")})
        else:
            correct = item.flag("correct", default=False)
            options.append({"text": text, "correct": True} if correct else {"text": text})
        item.finish()
    return options


# --- checks against the pack and the site -------------------------------------------------------


def quiz_conflicts(pack) -> list[PackError]:
    """Links the pack cannot satisfy: an exam's course, a lesson's quiz, a second exam."""
    errors = []
    pack_courses = {course.slug for course in pack.courses}
    site_courses = set(CoursePage.objects.values_list("slug", flat=True))
    exams = dict(
        Quiz.objects.filter(kind=QuizKind.EXAM, course__isnull=False).values_list(
            "course__slug", "slug"
        )
    )
    for quiz in pack.quizzes:
        if quiz.course and quiz.course not in pack_courses | site_courses:
            message = f"course '{quiz.course}' is in neither the pack nor the site"
            errors.append(PackError(*quiz.course_origin, message))
        holder = exams.get(quiz.course)
        if quiz.kind == QuizKind.EXAM and holder and holder != quiz.slug:
            message = f"course '{quiz.course}' already has the exam '{holder}' on the site"
            errors.append(PackError(*quiz.course_origin, message))
    known = {quiz.slug for quiz in pack.quizzes} | set(Quiz.objects.values_list("slug", flat=True))
    for lesson in pack.lessons():
        for block in lesson.body:
            if block.type == "quiz" and block.value not in known:
                message = f"quiz '{block.value}' is in neither the pack nor the site"
                errors.append(PackError(lesson.origin.file, block.line, message))
    return errors


def question_counts(pack) -> dict[str, int]:
    """How many questions each quiz a lesson may embed has: the pack's file, else the site's."""
    counts = dict(Quiz.objects.annotate(count=Count("questions")).values_list("slug", "count"))
    counts.update({quiz.slug: len(quiz.questions) for quiz in pack.quizzes})
    return counts


# --- loading ------------------------------------------------------------------------------------


def load_quizzes(pack, record) -> list[QuizFile]:
    """Create or update each quiz by slug, its questions by key and their options in order.

    Returns the exams whose course page does not exist yet: `link_courses` sets it once the
    courses are loaded. `record(kind, key, outcome)` is the load report's.
    """
    codes = {code for quiz in pack.quizzes for q in quiz.questions for code in q.competencies}
    competencies = {c.code: c for c in Competency.objects.filter(code__in=codes)}
    courses = dict(CoursePage.objects.values_list("slug", "pk"))
    waiting = []
    for item in pack.quizzes:
        quiz = Quiz.objects.filter(slug=item.slug).first()
        if quiz is not None and _comparable(quiz.as_data()) == _comparable(item.as_data()):
            record("quiz", item.slug, "unchanged")
            continue
        outcome = "created" if quiz is None else "updated"
        quiz = quiz or Quiz(slug=item.slug)
        for name, value in item.model_fields().items():
            setattr(quiz, name, value)
        quiz.course_id = courses.get(item.course)
        quiz.save()
        if item.course and quiz.course_id is None:
            waiting.append(item)
        _sync_questions(quiz, item.questions, competencies)
        record("quiz", item.slug, outcome)
    return waiting


def _comparable(data: dict) -> dict:
    """Quiz data with each question's competencies sorted: the site keeps no order for them."""
    questions = [{**q, "competencies": sorted(q["competencies"])} for q in data["questions"]]
    return {**data, "questions": questions}


def link_courses(waiting: list[QuizFile]):
    courses = dict(CoursePage.objects.values_list("slug", "pk"))
    for item in waiting:
        Quiz.objects.filter(slug=item.slug).update(course_id=courses[item.course])


def _sync_questions(quiz: Quiz, questions: list[QuestionData], competencies: dict):
    existing = {q.key: q for q in quiz.questions.all()}
    quiz.questions.exclude(key__in=[q.key for q in questions]).delete()
    for order, data in enumerate(questions):
        question = existing.get(data.key) or Question(quiz=quiz, key=data.key)
        question.sort_order = order
        question.type = data.type
        question.text = data.text
        question.case = data.case
        question.points = data.points
        question.answer = data.answer if data.type == QuestionType.TRUE_FALSE else None
        question.explanation = data.explanation
        question.guidance = data.guidance
        question.competencies = [competencies[code] for code in data.competencies]
        question.save()
        _sync_options(question, data.options)


def _sync_options(question: Question, options: list[dict]):
    """Options keep their ids by position, so an unchanged option stays the same row."""
    current = list(question.options.all())
    for order, data in enumerate(options):
        option = current[order] if order < len(current) else QuestionOption(question=question)
        option.sort_order = order
        option.text = data["text"]
        option.correct = bool(data.get("correct"))
        option.rank = data.get("rank")
        option.reason = data.get("reason", "")
        option.save()
    QuestionOption.objects.filter(pk__in=[o.pk for o in current[len(options) :]]).delete()
