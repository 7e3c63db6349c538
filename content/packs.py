"""Read and validate a content pack: a folder of YAML and Markdown files (see pack.yaml).

Reading never touches the database and never stops at the first problem: every mistake in every
file becomes a PackError with its file and line, so an author can fix them all in one pass.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import yaml
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image as PILImage
from wagtail.images.utils import get_allowed_image_extensions

from courses import models
from courses.blocks import LessonBodyBlock, sanitise_rich_text
from roleplay.models import Difficulty, LearnerRole, Scenario, ScenarioCriterion, script_from_data
from roleplay.scripts import ScriptError

DEFAULT_PACK = Path(__file__).resolve().parent / "packs" / "default"
FORMAT_VERSION = 1
SLUG = re.compile(r"^[a-z0-9-]+$")
FRAMEWORK_CODE = re.compile(r"^[a-z0-9_-]+$")
CODE = re.compile(r"^[A-Za-z0-9_-]+$")
CRITERION_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
DIRECTIVE = re.compile(r"^:::\s+(?P<kind>\S+)\s*(?P<args>.*?)\s*$")
CALLOUTS = ("point", "caution", "example")
DIRECTIVES = (*CALLOUTS, "phrases", "reflection", "video", "image", "richtext")
BODY_BLOCK = LessonBodyBlock()


class PackError(Exception):
    """One problem in one pack file, shown as `file:line: message` like a compiler error."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


class InvalidPack(Exception):
    """A pack with one or more errors; nothing of it may be loaded."""

    def __init__(self, errors: list[PackError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


class Origin(NamedTuple):
    file: str
    line: int


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
class Block:
    """A lesson body block as StreamField data, except that an image names its media file."""

    type: str
    value: str | dict


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
class ScenarioFile:
    """A role-play scenario: the checked file data, in the form Scenario.as_data() gives."""

    slug: str
    data: dict
    origin: Origin

    @property
    def competency_codes(self) -> set[str]:
        codes = set(self.data.get("competencies") or ())
        for criterion in (self.data.get("rubric") or {}).get("criteria") or ():
            codes.update(criterion.get("competencies") or ())
        return codes


@dataclass
class Catalogue:
    title: str
    intro: str


@dataclass
class Pack:
    root: Path
    origin: Origin
    catalogue: Catalogue | None
    frameworks: list[Framework]
    courses: list[Course]
    scenarios: list[ScenarioFile] = field(default_factory=list)

    @property
    def media(self) -> Path:
        return self.root / "media"

    def lessons(self) -> list[Lesson]:
        modules = [module for course in self.courses for module in course.modules]
        return [lesson for module in modules for lesson in module.lessons]


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, so editors open it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_pack(root: Path, known_competencies=frozenset()) -> tuple[Pack, list[PackError]]:
    """Parse and check every file of the pack.

    `known_competencies` are codes that exist already (in the database); lessons may link to
    them as well as to the competencies of the pack's own frameworks.
    """
    reader = _PackReader(Path(root), known_competencies)
    return reader.read(), reader.errors


class _Doc:
    """A parsed YAML document that knows the line of every mapping key and list item."""

    def __init__(self, file: str, text: str, errors: list, first_line: int = 1):
        self.file, self.errors, self.first_line = file, errors, first_line
        self.lines = {(): first_line}
        self.data = None
        self.valid = True
        try:
            loader = yaml.SafeLoader(text)
            try:
                node = loader.get_single_node()
                if node is not None:
                    self._index(node, ())
                    self.data = loader.construct_document(node)
            finally:
                loader.dispose()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            line = first_line + mark.line if mark else first_line
            errors.append(PackError(file, line, f"YAML syntax error: {problem}"))
            self.valid = False

    def _index(self, node, path: tuple):
        self.lines.setdefault(path, self.first_line + node.start_mark.line)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key_path = (*path, key_node.value)
                duplicate = key_path in self.lines
                self.lines[key_path] = self.first_line + key_node.start_mark.line
                if duplicate:
                    # PyYAML silently keeps the last of two equal keys; the author meant one.
                    self.error(f"duplicate key '{key_node.value}'", key_path)
                self._index(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, index))

    def line(self, path: tuple) -> int:
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def error(self, message: str, path: tuple = ()):
        # After a syntax error the data is missing, not wrong: one error is enough.
        if self.valid:
            self.errors.append(PackError(self.file, self.line(path), message))


class _Fields:
    """Typed reads from one YAML mapping; a missing or wrong value is reported at its line.

    Text lengths come from the model field of the same name, so a pack never fails on save.
    """

    def __init__(self, doc: _Doc, path: tuple, value, what: str):
        self.doc, self.path = doc, path
        self.used: set[str] = set()
        self.data = value if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            doc.error(f"{what} must be a mapping of fields", path)

    def line(self, *subpath) -> int:
        return self.doc.line((*self.path, *subpath))

    def error(self, message: str, *subpath):
        self.doc.error(message, (*self.path, *subpath))

    def raw(self, key: str, required: bool):
        self.used.add(key)
        value = self.data.get(key)
        if value is None and required:
            self.error(f"missing required field '{key}'")
        return value

    def text(self, key: str, model=None, *, required=True) -> str:
        value = self.raw(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(f"'{key}' must be text", key)
            return ""
        value = value.strip()
        max_length = model and model._meta.get_field(key).max_length
        if required and not value:
            self.error(f"'{key}' must not be empty", key)
        elif max_length and len(value) > max_length:
            self.error(f"'{key}' has {len(value)} characters; at most {max_length} fit", key)
        return value

    def code(self, key: str, model, pattern: re.Pattern, rule: str) -> str:
        value = self.text(key, model)
        if value and not pattern.match(value):
            self.error(f"'{key}' {value!r} is not valid: use {rule}", key)
        return value

    def choice(self, key: str, choices) -> str:
        value = self.text(key)
        if value and value not in choices.values:
            self.error(f"'{key}' {value!r} is not one of: {', '.join(choices.values)}", key)
        return value

    def positive_int(self, key: str) -> int:
        value = self.raw(key, required=True)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(f"'{key}' must be a whole number above zero, not {value!r}", key)
            return 0
        return value

    def hours(self, key: str, model) -> Decimal:
        field = model._meta.get_field(key)
        step = Decimal(1).scaleb(-field.decimal_places)
        limit = Decimal(10) ** (field.max_digits - field.decimal_places)
        value = self.raw(key, required=False)
        if value is None:
            return field.default
        hours = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            hours = Decimal(str(value))
        if hours is None or not 0 <= hours < limit or hours != hours.quantize(step):
            self.error(f"'{key}' must be hours from 0 to {limit - step}, in steps of {step}", key)
            return field.default
        return hours

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(f"'{key}' must be true or false", key)
            return default
        return value

    def names(self, key: str, *, required=False) -> list[str]:
        value = self.raw(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.error(f"'{key}' must be a list of names", key)
            return []
        return value

    def items(self, key: str, what: str) -> list["_Fields"]:
        """A required list of mappings; it may be empty, as an unfinished course in the admin."""
        value = self.raw(key, required=True)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"'{key}' must be a list of {what} entries", key)
            return []
        return [
            _Fields(self.doc, (*self.path, key, index), item, what)
            for index, item in enumerate(value)
        ]

    def mapping(self, key: str, what: str) -> "_Fields | None":
        value = self.raw(key, required=False)
        return None if value is None else _Fields(self.doc, (*self.path, key), value, what)

    def finish(self):
        for key in self.data:
            if key not in self.used:
                self.error(f"unknown field '{key}'", key)


@dataclass
class _Directive:
    kind: str
    args: str
    line: int
    content: list[str]


class _PackReader:
    def __init__(self, root: Path, known_competencies):
        self.root = root
        self.errors: list[PackError] = []
        self.competency_codes = set(known_competencies)
        self.frameworks_unreadable = False
        self.slugs: dict[str, Origin] = {}
        self.scenario_slugs: dict[str, Origin] = {}
        self.codes: dict[str, Origin] = {}

    def error(self, path: Path | str, line: int, message: str):
        file = path if isinstance(path, str) else display_path(path)
        self.errors.append(PackError(file, line, message))

    def read_text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.error(path, 1, f"not UTF-8 text ({exc.reason})")
            return None

    def load(self, path: Path) -> _Doc | None:
        """The parsed file, or None if it cannot be read or parsed (the error is recorded)."""
        text = self.read_text(path)
        doc = None if text is None else _Doc(display_path(path), text, self.errors)
        return doc if doc and doc.valid else None

    def claim(self, registry: dict, name: str, origin: Origin, what: str):
        """Record a name that must be unique in the whole pack, or report where it was taken."""
        if name in registry:
            first = registry[name]
            message = f"{what} '{name}' is already used at {first.file}:{first.line}"
            self.error(origin.file, origin.line, message)
        elif name:
            registry[name] = origin

    def listed(self, fields: _Fields, key: str, found: dict[str, Path], expected: str) -> list:
        """The files of the names listed under `key`; a missing or an unlisted file is an error.

        `expected` is where a listed name's file should be, like "frameworks/{}.yaml".
        """
        what = key.removesuffix("s")
        names = fields.names(key)
        for name, path in found.items():
            if name not in names:
                self.error(path, 1, f"this {what} is not listed under '{key}' in pack.yaml")
        present = []
        for index, name in enumerate(names):
            if name in found:
                present.append(found[name])
            else:
                where = expected.format(name)
                fields.error(f"{what} '{name}' is listed but {where} is missing", key, index)
        return present

    # --- pack.yaml, frameworks and courses ---------------------------------------------------

    def read(self) -> Pack:
        pack = Pack(self.root, Origin(display_path(self.root / "pack.yaml"), 1), None, [], [])
        if not (self.root / "pack.yaml").is_file():
            self.error(self.root / "pack.yaml", 1, "pack.yaml not found: is this a content pack?")
            return pack
        doc = self.load(self.root / "pack.yaml")
        if doc is None:
            return pack
        fields = _Fields(doc, (), doc.data, "pack.yaml")
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
        frameworks = {path.stem: path for path in sorted(self.root.glob("frameworks/*.yaml"))}
        for path in self.listed(fields, "frameworks", frameworks, "frameworks/{}.yaml"):
            if framework := self.framework(path):
                pack.frameworks.append(framework)
            else:
                self.frameworks_unreadable = True
        courses = {path.name: path for path in sorted(self.root.glob("courses/*")) if path.is_dir()}
        for path in self.listed(fields, "courses", courses, "courses/{}/"):
            if course := self.course(path):
                pack.courses.append(course)
        scenarios = {path.stem: path for path in sorted(self.root.glob("scenarios/*.yaml"))}
        for path in self.listed(fields, "scenarios", scenarios, "scenarios/{}.yaml"):
            if scenario := self.scenario(path):
                pack.scenarios.append(scenario)
        fields.finish()
        return pack

    # --- scenarios ---------------------------------------------------------------------------

    def scenario(self, path: Path) -> ScenarioFile | None:
        doc = self.load(path)
        if doc is None:
            return None
        errors_before = len(self.errors)
        fields = _Fields(doc, (), doc.data, "a scenario file")
        slug = fields.code("slug", Scenario, SLUG, "lower-case letters, digits and -")
        if slug and slug != path.stem:
            fields.error(f"'slug' {slug!r} must match the file name {path.stem}.yaml", "slug")
        origin = Origin(doc.file, fields.line("slug"))
        self.claim(self.scenario_slugs, slug, origin, "scenario slug")
        for key in ("title", "brief"):
            fields.text(key, Scenario)
        for key in ("source", "content_note", "fallback_line"):
            fields.text(key, Scenario, required=False)
        fields.choice("learner_role", LearnerRole)
        difficulty = fields.raw("difficulty", required=True)
        if difficulty is not None and difficulty not in Difficulty.values:
            fields.error("'difficulty' must be 1 (easy), 2 (medium) or 3 (hard)", "difficulty")
        turn_limit = fields.positive_int("turn_limit")
        if turn_limit > 100:
            fields.error("'turn_limit' must be at most 100", "turn_limit")
        fields.names("goals", required=True)
        fields.names("hidden_facts")
        self.check_codes(fields, "competencies")
        persona = fields.mapping("persona", "persona")
        if persona is None:
            fields.error("missing required field 'persona'")
        else:
            persona.text("role")
            persona.text("name")
            for key in ("family", "speaking_style", "wants"):
                persona.text(key, required=False)
            age = persona.raw("age", required=False)
            if age is not None and (not isinstance(age, int) or not 0 < age < 120):
                persona.error("'age' must be a whole number of years", "age")
            persona.finish()
        rubric = fields.mapping("rubric", "rubric")
        criteria_keys = []
        if rubric is not None:
            rubric.flag("standard", True)
            listed = rubric.items("criteria", "criterion") if "criteria" in rubric.data else []
            for criterion in listed:
                key = criterion.code("key", ScenarioCriterion, CRITERION_KEY, "a-z, 0-9 and _")
                criteria_keys.append(key)
                criterion.text("label", ScenarioCriterion)
                criterion.text("description")
                self.check_codes(criterion, "competencies")
                criterion.finish()
        script_parts = {
            key: fields.raw(key, required=key in ("state", "nodes"))
            for key in ("state", "nodes", "end_when", "model_lines")
        }
        if all(isinstance(v, list) for v in script_parts.values() if v is not None):
            self.check_script(doc, fields)
        else:
            fields.error("'state', 'nodes', 'end_when' and 'model_lines' must be lists")
        fields.finish()
        if len(self.errors) > errors_before:
            return None
        return ScenarioFile(slug, doc.data, origin)

    def check_codes(self, fields: _Fields, key: str):
        for index, code in enumerate(fields.names(key)):
            if code not in self.competency_codes and not self.frameworks_unreadable:
                message = f"competency '{code}' is in no framework of the pack or the site"
                fields.error(message, key, index)

    def check_script(self, doc: _Doc, fields: _Fields):
        """The branching script, checked by the same code the Wagtail editor uses."""
        with translation.override("en"):
            self._check_script(doc, fields)

    def _check_script(self, doc: _Doc, fields: _Fields):
        try:
            script = script_from_data(doc.data)
        except ScriptError as exc:
            fields.doc.error(exc.message, _yaml_path(exc.path))
            return
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            fields.error(f"the script cannot be read: {exc}", "nodes")
            return
        for problem in script.problems():
            fields.error(problem, "nodes")
        criteria = set(script.criteria)
        for index, line in enumerate(doc.data.get("model_lines") or ()):
            if not isinstance(line, dict) or not line.get("line"):
                fields.error("a model line needs 'criterion' and 'line'", "model_lines", index)
            elif line.get("criterion") not in criteria:
                message = f"model line criterion {line.get('criterion')!r} is not in the rubric"
                fields.error(message, "model_lines", index)

    def framework(self, path: Path) -> Framework | None:
        doc = self.load(path)
        if doc is None:
            return None
        fields = _Fields(doc, (), doc.data, "a framework file")
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

    def category(self, fields: _Fields) -> Category:
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

    def competency(self, fields: _Fields) -> Competency:
        competency = Competency(
            code=self.unique_code(fields, models.Competency, "competency code"),
            name=fields.text("name", models.Competency),
            name_en=fields.text("name_en", models.Competency, required=False),
            description=fields.text("description", required=False),
        )
        self.competency_codes.add(competency.code)
        fields.finish()
        return competency

    def unique_code(self, fields: _Fields, model, what: str) -> str:
        code = fields.code("code", model, CODE, "letters, digits, '_' and '-'")
        self.claim(self.codes, code, Origin(fields.doc.file, fields.line("code")), what)
        return code

    def unique_slug(self, fields: _Fields, model) -> tuple[str, Origin]:
        slug = fields.code("slug", model, SLUG, "lowercase letters, digits and hyphens")
        origin = Origin(fields.doc.file, fields.line("slug"))
        # Course, module and lesson slugs share one namespace: a slug names one page of the site.
        self.claim(self.slugs, slug, origin, "slug")
        return slug, origin

    def course(self, folder: Path) -> Course | None:
        if not (folder / "course.yaml").is_file():
            self.error(folder / "course.yaml", 1, "course.yaml not found")
            return None
        doc = self.load(folder / "course.yaml")
        if doc is None:
            return None
        fields = _Fields(doc, (), doc.data, "course.yaml")
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

    def module(self, fields: _Fields, folder: Path, listed: set) -> Module:
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
        doc = _Doc(display_path(path), "\n".join(lines[1:end]), self.errors, first_line=2)
        fields = _Fields(doc, (), doc.data, "the front matter")
        slug, origin = self.unique_slug(fields, models.LessonPage)
        if slug and slug != path.stem:
            fields.error(f"'slug' {slug!r} must match the file name {path.stem}.md", "slug")
        lesson = Lesson(
            slug=slug,
            title=fields.text("title", models.LessonPage),
            duration_minutes=fields.positive_int("duration_minutes"),
            delivery=fields.choice("delivery", models.Delivery),
            competencies=fields.names("competencies"),
            summary=fields.text("summary", models.LessonPage, required=False),
            source=fields.text("source", models.LessonPage, required=False),
            body=self.body(doc.file, lines[end + 1 :], first_line=end + 2),
            origin=origin,
        )
        for index, code in enumerate(lesson.competencies):
            # A code may be defined in a framework file that failed to parse; say nothing then.
            if code not in self.competency_codes and not self.frameworks_unreadable:
                message = f"competency '{code}' is in no framework of the pack or the site"
                fields.error(message, "competencies", index)
        fields.finish()
        return lesson

    def body(self, file: str, lines: list[str], first_line: int) -> list[Block]:
        """Markdown between `::: KIND [args]` ... `:::` directives, as StreamField blocks."""
        blocks: list[Block] = []
        markdown: list[str] = []
        opened: _Directive | None = None

        def flush_markdown():
            text = "\n".join(markdown).strip()
            if text:
                blocks.append(Block("markdown", text))
            markdown.clear()

        for number, line in enumerate(lines, start=first_line):
            if not line.startswith(":::"):
                (opened.content if opened else markdown).append(line)
            elif line.rstrip() == ":::":
                if opened is None:
                    self.error(file, number, "':::' closes no directive")
                else:
                    blocks.extend(self.directive(file, opened))
                    opened = None
            elif match := DIRECTIVE.match(line):
                if opened:
                    message = f"'::: {opened.kind}' is not closed before line {number}"
                    self.error(file, opened.line, message)
                flush_markdown()
                opened = _Directive(match["kind"], match["args"], number, [])
                if opened.kind not in DIRECTIVES:
                    known = ", ".join(DIRECTIVES)
                    self.error(
                        file, number, f"unknown directive '{opened.kind}'; use one of: {known}"
                    )
            else:
                self.error(file, number, "a directive line reads '::: KIND [arguments]'")
        if opened:
            self.error(file, opened.line, f"'::: {opened.kind}' is never closed with ':::'")
        flush_markdown()
        return blocks

    def directive(self, file: str, directive: _Directive) -> list[Block]:
        """The block for one directive, or none (with errors) if it is malformed."""
        kind, args, line = directive.kind, directive.args, directive.line
        content = "\n".join(directive.content).strip()
        errors_before = len(self.errors)
        if kind not in DIRECTIVES:  # reported where it opened
            return []
        if kind in ("video", "image"):
            if content:
                self.error(file, line, f"'::: {kind}' takes no content between its lines")
            if not args:
                what = "URL [caption]" if kind == "video" else "FILE [alt text]"
                self.error(file, line, f"'::: {kind}' needs its {what} on the same line")
        else:
            if args and kind not in CALLOUTS:
                self.error(file, line, f"'::: {kind}' takes no arguments after its name")
            if not content:
                self.error(file, line, f"'::: {kind}' is empty")
        target, rest = (args.split(maxsplit=1) + ["", ""])[:2]
        if kind in CALLOUTS:
            block = Block("callout", {"kind": kind, "title": args, "body": content})
        elif kind == "reflection":
            block = Block("reflection", {"prompt": content})
        elif kind == "richtext":
            block = Block("rich_text", sanitise_rich_text(content))
        elif kind == "phrases":
            block = Block("key_phrases", {"phrases": self.phrases(file, directive)})
        elif kind == "video":
            block = Block("video", {"url": target, "caption": rest})
        else:
            self.check_image(file, line, target)
            # No alt text marks a decorative image, as alt="" does in HTML.
            block = Block("image", {"file": target, "alt_text": rest, "decorative": not rest})
        if len(self.errors) > errors_before:
            return []
        if block.type != "image":
            for message in _editor_problems(block):
                self.error(file, line, f"'::: {kind}': {message}")
        return [block]

    def phrases(self, file: str, directive: _Directive) -> list[dict]:
        text = "\n".join(directive.content)
        doc = _Doc(file, text, self.errors, first_line=directive.line + 1)
        if not doc.valid or not text.strip():
            return []
        if not isinstance(doc.data, list):
            doc.error("'::: phrases' holds a YAML list of '- say: ...' / '  instead: ...' pairs")
            return []
        phrases = []
        for index, item in enumerate(doc.data):
            fields = _Fields(doc, (index,), item, "a phrase")
            phrases.append({"say": fields.text("say"), "instead": fields.text("instead")})
            fields.finish()
        return phrases

    def check_image(self, file: str, line: int, name: str):
        if not name:
            return
        media = (self.root / "media").resolve()
        path = (media / name).resolve()
        extensions = get_allowed_image_extensions()
        if not path.is_relative_to(media) or not path.is_file():
            self.error(file, line, f"image '{name}' is not in the pack's media/ folder")
        elif path.suffix.lower().lstrip(".") not in extensions:
            self.error(
                file, line, f"image '{name}' must be one of the types {', '.join(extensions)}"
            )
        else:
            try:
                with PILImage.open(path) as image:
                    image.verify()
            except Exception:  # Pillow raises many exception types for a broken file.
                self.error(file, line, f"image '{name}' cannot be read as an image")


def _yaml_path(script_path: str) -> tuple:
    """ "nodes[3].choices[1].next" as the key path the YAML line index uses."""
    path = []
    for part in script_path.split("."):
        match = re.fullmatch(r"([a-z_]+)((?:\[\d+\])*)", part)
        if not match:
            break
        path.append({"if": "if"}.get(match.group(1), match.group(1)))
        path.extend(int(i) for i in re.findall(r"\d+", match.group(2)))
    return tuple(path)


def _editor_problems(block: Block) -> list[str]:
    """What the page editor would reject in this block: lengths, URLs, required parts."""
    child_block = BODY_BLOCK.child_blocks[block.type]
    # In English, like every other message of the loader, whatever the site's language.
    with translation.override("en"):
        try:
            child_block.clean(child_block.to_python(block.value))
        except ValidationError as exc:
            return _messages(exc)
    return []


def _messages(error: ValidationError, prefix: str = "") -> list[str]:
    nested = getattr(error, "block_errors", None)
    if nested is None:
        return [prefix + message for message in error.messages]
    messages = [
        prefix + message for plain in error.non_block_errors.as_data() for message in plain.messages
    ]
    for key, child_error in nested.items():
        label = f"#{key + 1}" if isinstance(key, int) else key
        messages += _messages(child_error, f"{prefix}{label}: ")
    return messages
