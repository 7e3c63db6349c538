"""Write the site's frameworks and live courses as a content pack that load_content reads back.

The output depends only on the content, never on the date or the database ids, so exporting
an unchanged site twice gives byte-identical files.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from assessments.models import Quiz
from courses.models import CompetencyFramework, CourseIndexPage, CoursePage, LessonPage, ModulePage
from roleplay.models import Scenario

from .packs import FORMAT_VERSION, display_path


@dataclass
class ExportReport:
    output: str
    frameworks: int = 0
    courses: int = 0
    modules: int = 0
    lessons: int = 0
    images: int = 0
    scenarios: int = 0
    quizzes: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"Exported {self.frameworks} frameworks, {self.courses} courses, {self.modules} "
            f"modules, {self.lessons} lessons, {self.images} images, {self.scenarios} "
            f"scenarios and {self.quizzes} quizzes to {self.output}."
        )


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as a `|` block, so exported intros read like hand-written ones."""


_Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


def _yaml(data, *, flow_lists=False) -> str:
    # Flow style puts a lesson's competencies on one line: `competencies: [HV-LISTEN, HV-LEVEL]`.
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
        default_flow_style=None if flow_lists else False,
    )


def _without_blanks(**fields) -> dict:
    """Optional text that is empty is left out of the file; the loader reads it back as ""."""
    return {name: value for name, value in fields.items() if value != ""}


def _hours(value: Decimal) -> int | float:
    return int(value) if value == int(value) else float(value)


def export_pack(output: Path) -> ExportReport:
    output = Path(output)
    report = ExportReport(display_path(output))
    frameworks = list(CompetencyFramework.objects.order_by("sort_order", "code"))
    for framework in frameworks:
        _write(output / "frameworks" / f"{framework.code}.yaml", _yaml(_framework(framework)))
        report.frameworks += 1
    catalogue = CourseIndexPage.objects.get()
    courses = list(CoursePage.objects.child_of(catalogue).live().order_by("path"))
    images = _ImageFiles(output / "media")
    for course in courses:
        _export_course(course, output / "courses" / course.slug, images, report)
    report.images = len(images.names)
    scenarios = list(Scenario.objects.playable().order_by("pk"))
    for scenario in scenarios:
        _write(output / "scenarios" / f"{scenario.slug}.yaml", _yaml(_scenario(scenario)))
    report.scenarios = len(scenarios)
    quizzes = list(Quiz.objects.select_related("course").order_by("kind", "slug"))
    for quiz in quizzes:
        _write(output / "quizzes" / f"{quiz.slug}.yaml", _yaml(quiz.as_data()))
    report.quizzes = len(quizzes)
    pack = {
        "format": FORMAT_VERSION,
        "catalogue": _without_blanks(title=catalogue.title, intro=catalogue.intro),
        "frameworks": [framework.code for framework in frameworks],
        "courses": [course.slug for course in courses],
    }
    if scenarios:
        pack["scenarios"] = [scenario.slug for scenario in scenarios]
    if quizzes:
        pack["quizzes"] = [quiz.slug for quiz in quizzes]
    _write(output / "pack.yaml", "# Exported by manage.py export_content.\n" + _yaml(pack))
    return report


def _scenario(scenario: Scenario) -> dict:
    """The scenario's data with empty optional text left out, as an author would write it."""
    data = scenario.as_data()
    for key in ("source", "content_note", "fallback_line"):
        if not data[key]:
            del data[key]
    if data["persona"]["age"] is None:
        del data["persona"]["age"]
    return data


def _write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _framework(framework: CompetencyFramework) -> dict:
    categories = []
    for category in framework.categories.order_by("sort_order", "code"):
        competencies = [
            _without_blanks(
                code=competency.code,
                name=competency.name,
                name_en=competency.name_en,
                description=competency.description,
            )
            for competency in category.competencies.order_by("sort_order", "code")
        ]
        categories.append(
            {
                **_without_blanks(code=category.code, name=category.name, name_en=category.name_en),
                "competencies": competencies,
            }
        )
    return {
        **_without_blanks(
            code=framework.code,
            name=framework.name,
            name_en=framework.name_en,
            description=framework.description,
        ),
        "categories": categories,
    }


def _export_course(course: CoursePage, folder: Path, images: "_ImageFiles", report):
    modules = []
    for module in ModulePage.objects.child_of(course).live().order_by("path"):
        lessons = list(LessonPage.objects.child_of(module).live().order_by("path"))
        for lesson in lessons:
            _write(folder / "lessons" / f"{lesson.slug}.md", _lesson_file(lesson, images))
        modules.append(
            {
                **_without_blanks(slug=module.slug, title=module.title, summary=module.summary),
                "lessons": [lesson.slug for lesson in lessons],
            }
        )
        report.lessons += len(lessons)
    report.modules += len(modules)
    report.courses += 1
    data = {
        "slug": course.slug,
        "title": course.title,
        "audience": course.audience,
        "required_hours": _hours(course.required_hours),
        "self_enrol": course.self_enrol,
        **_without_blanks(summary=course.summary, intro=course.intro),
        "modules": modules,
    }
    _write(folder / "course.yaml", _yaml(data))


def _lesson_file(lesson: LessonPage, images: "_ImageFiles") -> str:
    competencies = [competency.code for competency in lesson.competencies.all()]
    front_matter = {
        "slug": lesson.slug,
        "title": lesson.title,
        "duration_minutes": lesson.duration_minutes,
        "delivery": lesson.delivery,
        **({"competencies": competencies} if competencies else {}),
        **_without_blanks(summary=lesson.summary, source=lesson.source),
    }
    parts = [_block_text(child, images) for child in lesson.body]
    body = "\n\n".join(part for part in parts if part)
    return f"---\n{_yaml(front_matter, flow_lists=True)}---\n{body}\n"


def _directive(head: str, content: str = "") -> str:
    lines = [f"::: {head}".rstrip()]
    if content:
        lines.append(content)
    lines.append(":::")
    return "\n".join(lines)


def _block_text(child, images: "_ImageFiles") -> str:
    value = child.value
    match child.block_type:
        case "markdown":
            return value.strip()
        case "rich_text":
            return _directive("richtext", value.source.strip())
        case "callout":
            return _directive(f"{value['kind']} {value['title'] or ''}", value["body"].strip())
        case "reflection":
            return _directive("reflection", value["prompt"].strip())
        case "key_phrases":
            phrases = [{"say": p["say"], "instead": p["instead"]} for p in value["phrases"]]
            return _directive("phrases", _yaml(phrases).rstrip())
        case "video":
            return _directive(f"video {value['url']} {value['caption'] or ''}")
        case "quiz":
            # A block whose quiz was deleted shows nothing; nothing to export.
            return f"::: quiz {value.slug} :::" if value else ""
        case "practice":
            note = value["note"] or ""
            return f"::: practice {value['scenario']} {value['minutes']} {note}".rstrip() + " :::"
        case "image":
            # A block whose image was deleted in the admin shows nothing; nothing to export.
            if value is None:
                return ""
            alt_text = "" if value.decorative else value.contextual_alt_text or ""
            return _directive(f"image {images.add(value)} {alt_text}")
    # A block type added to LessonBodyBlock needs a directive before its content can travel.
    raise ValueError(f"no pack format for {child.block_type!r} blocks")


class _ImageFiles:
    """Copies each image used by a lesson into media/ once, under its stored file name."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.names: dict[int, str] = {}

    def add(self, image) -> str:
        if image.pk not in self.names:
            name = Path(image.file.name).name
            self.folder.mkdir(parents=True, exist_ok=True)
            with image.open_file() as file:
                (self.folder / name).write_bytes(file.read())
            self.names[image.pk] = name
        return self.names[image.pk]
