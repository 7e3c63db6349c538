"""Read and validate a content pack: a folder of YAML and Markdown files (see pack.yaml).

Reading never touches the database and never stops at the first problem: every mistake in every
file becomes a PackError with its file and line, so an author can fix them all in one pass.

pack.yaml lists the pack's files by kind (`FILE_KINDS`): frameworks, courses (each a folder of a
course.yaml and its lessons), scenarios, quizzes. A new kind of file is one more entry there, a
list on `Pack` and a function that reads one file. YAML field reading lives in `fields.py`,
lesson bodies in `directives.py`, scenarios in `scenarios.py`, quizzes and exams in `quizzes.py`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from courses import models

from .directives import Block, read_body
from .fields import Fields, Origin, PackContext, PackError, YamlDoc, display_path
from .quizzes import QuizFile, read_quiz
from .scenarios import ScenarioFile, read_scenario

DEFAULT_PACK = Path(__file__).resolve().parent / "packs" / "default"
FORMAT_VERSION = 1
SLUG = re.compile(r"^[a-z0-9-]+$")
FRAMEWORK_CODE = re.compile(r"^[a-z0-9_-]+$")
CODE = re.compile(r"^[A-Za-z0-9_-]+$")
# A lesson takes from five minutes to a day: anything else is a slip, such as hours for minutes.
LESSON_MINUTES = (5, 1440)


class InvalidPack(Exception):
    """A pack with one or more errors; nothing of it may be loaded."""

    def __init__(self, errors: list[PackError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass
class Competency:
    code: str
    name: str
    name_en: str
    description: str


@dataclass
class Category:
    code: str
    name: str
    name_en: str
    competencies: list[Competency]


@dataclass
class Framework:
    code: str
    name: str
    name_en: str
    description: str
    categories: list[Category]


@dataclass
class Lesson:
    slug: str
    title: str
    duration_minutes: int
    delivery: str
    competencies: list[str]
    summary: str
    source: str
    body: list[Block]
    origin: Origin


@dataclass
class Module:
    slug: str
    title: str
    summary: str
    lessons: list[Lesson]
    origin: Origin


@dataclass
class Course:
    slug: str
    title: str
    audience: str
    required_hours: Decimal
    self_enrol: bool
    summary: str
    intro: str
    modules: list[Module]
    origin: Origin


@dataclass
class Catalogue:
    title: str
    intro: str


@dataclass
class Pack:
    root: Path
    origin: Origin
    catalogue: Catalogue | None
    frameworks: list[Framework] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    scenarios: list[ScenarioFile] = field(default_factory=list)
    quizzes: list[QuizFile] = field(default_factory=list)

    @property
    def media(self) -> Path:
        return self.root / "media"

    def lessons(self) -> list[Lesson]:
        modules = [module for course in self.courses for module in course.modules]
        return [lesson for module in modules for lesson in module.lessons]


def read_pack(root: Path, known_competencies=frozenset()) -> tuple[Pack, list[PackError]]:
    """Parse and check every file of the pack.

    `known_competencies` are codes that exist already (in the database); lessons may link to
    them as well as to the competencies of the pack's own frameworks.
    """
    reader = PackReader(Path(root), known_competencies)
    return reader.read(), reader.errors


@dataclass(frozen=True)
class FileKind:
    """One kind of file that pack.yaml lists by name, e.g. `scenarios: [first-visit]`."""

    key: str  # the list in pack.yaml, and the list on Pack that gathers what was read
    what: str  # one of them, in messages
    pattern: str  # the files of this kind in the pack
    expected: str  # where a listed name's file must be, e.g. "frameworks/{}.yaml"
    read: Callable[["PackReader", Path], object | None]  # None: unreadable, problems recorded
    folders: bool = False  # each one a folder rather than a file

    def found(self, root: Path) -> dict[str, Path]:
        paths = sorted(root.glob(self.pattern))
        if self.folders:
            return {path.name: path for path in paths if path.is_dir()}
        return {path.stem: path for path in paths}


class PackReader(PackContext):
    def read(self) -> Pack:
        pack = Pack(self.root, Origin(display_path(self.root / "pack.yaml"), 1), None)
        if not (self.root / "pack.yaml").is_file():
            self.error(self.root / "pack.yaml", 1, "pack.yaml not found: is this a content pack?")
            return pack
        doc = self.load(self.root / "pack.yaml")
        if doc is None:
            return pack
        fields = Fields(doc, (), doc.data, "pack.yaml")
        version = fields.raw("format", required=True)
        if version is not None and version != FORMAT_VERSION:
            fields.error(f"this loader reads format {FORMAT_VERSION}, not {version!r}", "format")
        catalogue = fields.mapping("catalogue", "catalogue")
        if catalogue:
            pack.catalogue = Catalogue(
                title=catalogue.text("title", models.CourseIndexPage),
                intro=catalogue.text("intro", required=False),
            )
            catalogue.finish()
        for kind in FILE_KINDS:
            for path in self.listed(fields, kind):
                item = kind.read(self, path)
                if item is not None:
                    getattr(pack, kind.key).append(item)
        fields.finish()
        return pack

    def listed(self, fields: Fields, kind: FileKind) -> list[Path]:
        """The files of the names pack.yaml lists for `kind`; a missing or an unlisted file is
        an error."""
        key, what, found = kind.key, kind.what, kind.found(self.root)
        names = fields.names(key)
        for name, path in found.items():
            if name not in names:
                self.error(path, 1, f"this {what} is not listed under '{key}' in pack.yaml")
        present = []
        for index, name in enumerate(names):
            if name in found:
                present.append(found[name])
            else:
                where = kind.expected.format(name)
                fields.error(f"{what} '{name}' is listed but {where} is missing", key, index)
        return present

    # --- frameworks and courses ---------------------------------------------------------------

    def framework(self, path: Path) -> Framework | None:
        doc = self.load(path)
        if doc is None:
            self.frameworks_unreadable = True
            return None
        fields = Fields(doc, (), doc.data, "a framework file")
        code = fields.code(
            "code",
            models.CompetencyFramework,
            FRAMEWORK_CODE,
            "lowercase letters, digits, '_' and '-'",
        )
        if code and code != path.stem:
            fields.error(f"'code' {code!r} must match the file name {path.stem}.yaml", "code")
        framework = Framework(
            code=code,
            name=fields.text("name", models.CompetencyFramework),
            name_en=fields.text("name_en", models.CompetencyFramework, required=False),
            description=fields.text("description", required=False),
            categories=[self.category(item) for item in fields.items("categories", "category")],
        )
        fields.finish()
        return framework

    def category(self, fields: Fields) -> Category:
        category = Category(
            code=self.unique_code(fields, models.CompetencyCategory, "category code"),
            name=fields.text("name", models.CompetencyCategory),
            name_en=fields.text("name_en", models.CompetencyCategory, required=False),
            competencies=[
                self.competency(item) for item in fields.items("competencies", "competency")
            ],
        )
        fields.finish()
        return category

    def competency(self, fields: Fields) -> Competency:
        competency = Competency(
            code=self.unique_code(fields, models.Competency, "competency code"),
            name=fields.text("name", models.Competency),
            name_en=fields.text("name_en", models.Competency, required=False),
            description=fields.text("description", required=False),
        )
        self.competency_codes.add(competency.code)
        fields.finish()
        return competency

    def unique_code(self, fields: Fields, model, what: str) -> str:
        code = fields.code("code", model, CODE, "letters, digits, '_' and '-'")
        self.claim("code", code, Origin(fields.doc.file, fields.line("code")), what)
        return code

    def unique_slug(self, fields: Fields, model) -> tuple[str, Origin]:
        slug = fields.code("slug", model, SLUG, "lowercase letters, digits and hyphens")
        origin = Origin(fields.doc.file, fields.line("slug"))
        # Course, module and lesson slugs share one namespace: a slug names one page of the site.
        self.claim("page", slug, origin, "slug")
        return slug, origin

    def course(self, folder: Path) -> Course | None:
        if not (folder / "course.yaml").is_file():
            self.error(folder / "course.yaml", 1, "course.yaml not found")
            return None
        doc = self.load(folder / "course.yaml")
        if doc is None:
            return None
        fields = Fields(doc, (), doc.data, "course.yaml")
        slug, origin = self.unique_slug(fields, models.CoursePage)
        if slug and slug != folder.name:
            fields.error(f"'slug' {slug!r} must match the folder name {folder.name}", "slug")
        course = Course(
            slug=slug,
            title=fields.text("title", models.CoursePage),
            audience=fields.choice("audience", models.Audience),
            required_hours=fields.hours("required_hours", models.CoursePage),
            self_enrol=fields.flag("self_enrol", default=True),
            summary=fields.text("summary", models.CoursePage, required=False),
            intro=fields.text("intro", required=False),
            modules=[],
            origin=origin,
        )
        listed = set()
        for module_fields in fields.items("modules", "module"):
            course.modules.append(self.module(module_fields, folder / "lessons", listed))
        fields.finish()
        for path in sorted((folder / "lessons").glob("*.md")):
            if path.stem not in listed:
                self.error(path, 1, f"this lesson is in no module of {doc.file}")
        return course

    def module(self, fields: Fields, folder: Path, listed: set) -> Module:
        slug, origin = self.unique_slug(fields, models.ModulePage)
        module = Module(
            slug=slug,
            title=fields.text("title", models.ModulePage),
            summary=fields.text("summary", models.ModulePage, required=False),
            lessons=[],
            origin=origin,
        )
        for index, name in enumerate(fields.names("lessons", required=True)):
            if name in listed:
                fields.error(f"lesson '{name}' is listed twice in this course", "lessons", index)
                continue
            listed.add(name)
            if (folder / f"{name}.md").is_file():
                lesson = self.lesson(folder / f"{name}.md")
                if lesson:
                    module.lessons.append(lesson)
            else:
                message = f"lesson '{name}' is listed but lessons/{name}.md is missing"
                fields.error(message, "lessons", index)
        fields.finish()
        return module

    # --- lessons ----------------------------------------------------------------------------

    def lesson(self, path: Path) -> Lesson | None:
        text = self.read_text(path)
        if text is None:
            return None
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            self.error(path, 1, "a lesson file starts with a '---' line and front matter")
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if end is None:
            self.error(path, 1, "the front matter has no closing '---' line")
            return None
        doc = YamlDoc(display_path(path), "\n".join(lines[1:end]), self.errors, first_line=2)
        fields = Fields(doc, (), doc.data, "the front matter")
        slug, origin = self.unique_slug(fields, models.LessonPage)
        if slug and slug != path.stem:
            fields.error(f"'slug' {slug!r} must match the file name {path.stem}.md", "slug")
        lesson = Lesson(
            slug=slug,
            title=fields.text("title", models.LessonPage),
            duration_minutes=fields.whole_number("duration_minutes", *LESSON_MINUTES),
            delivery=fields.choice("delivery", models.Delivery),
            competencies=fields.names("competencies"),
            summary=fields.text("summary", models.LessonPage, required=False),
            source=fields.text("source", models.LessonPage, required=False),
            body=read_body(self, doc.file, lines[end + 1 :], first_line=end + 2),
            origin=origin,
        )
        self.check_competencies(doc, lesson.competencies, ("competencies",))
        fields.finish()
        return lesson


# Read in this order: frameworks first, so courses and scenarios can link their competencies.
FILE_KINDS = (
    FileKind(
        "frameworks", "framework", "frameworks/*.yaml", "frameworks/{}.yaml", PackReader.framework
    ),
    FileKind("courses", "course", "courses/*", "courses/{}/", PackReader.course, folders=True),
    FileKind("scenarios", "scenario", "scenarios/*.yaml", "scenarios/{}.yaml", read_scenario),
    FileKind("quizzes", "quiz", "quizzes/*.yaml", "quizzes/{}.yaml", read_quiz),
)
