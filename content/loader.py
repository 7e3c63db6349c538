"""Load a content pack into the site: check all of it first, then write it in one transaction.

Pages are matched by slug below the course catalogue. A page gets a new published revision only
when its content differs from the pack, so loading the same pack twice changes nothing.
"""

import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Page

from assessments.models import Quiz
from courses.models import (
    Competency,
    CompetencyCategory,
    CompetencyFramework,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
)
from roleplay.models import Scenario
from yorisoi.roles import ensure_groups

from .directives import BODY_BLOCK
from .fields import Origin, PackError, display_path
from .packs import InvalidPack, Lesson, Pack, read_pack
from .quizzes import link_courses, load_quizzes, quiz_conflicts
from .scenarios import practice_conflicts

# Block ids are derived rather than random, so a learner's journal answer (stored under the id
# of its reflection block) still finds its prompt after a reload, or in a site loaded afresh.
BLOCK_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://yorisoi.example/content-pack/blocks")
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class LoadReport:
    pack: str
    outcomes: dict[tuple[str, str], str] = field(default_factory=dict)
    not_in_pack: list[str] = field(default_factory=list)

    def record(self, kind: str, key: str, outcome: str):
        # A page created or updated earlier in the run stays so when it is also moved.
        if self.outcomes.get((kind, key), "unchanged") == "unchanged":
            self.outcomes[(kind, key)] = outcome

    def as_dict(self) -> dict:
        by_kind = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
        for (kind, _), outcome in self.outcomes.items():
            by_kind[kind][outcome] += 1
        totals = {
            outcome: sum(counts[outcome] for counts in by_kind.values()) for outcome in OUTCOMES
        }
        return {
            "pack": self.pack,
            **totals,
            "by_kind": dict(by_kind),
            "not_in_pack": self.not_in_pack,
        }

    def summary(self) -> str:
        data = self.as_dict()
        lines = [f"Loaded {self.pack}: " + ", ".join(f"{data[o]} {o}" for o in OUTCOMES) + "."]
        for kind, counts in data["by_kind"].items():
            lines.append(f"  {kind}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
        if self.not_in_pack:
            lines.append("Pages not in the pack, left as they are:")
            lines.extend(f"  {url_path}" for url_path in self.not_in_pack)
        return "\n".join(lines)


def check_pack(root: Path) -> tuple[Pack, list[PackError]]:
    """The pack as read, and every problem of it against itself and the site; writes nothing."""
    catalogue = CourseIndexPage.objects.first()
    known = Competency.objects.values_list("code", flat=True)
    pack, errors = read_pack(root, known_competencies=known)
    errors += _site_conflicts(pack, catalogue)
    errors += practice_conflicts(pack)
    if not errors:
        # Only a pack that reads cleanly: a quiz file with a mistake would look missing.
        errors += quiz_conflicts(pack)
    return pack, errors


def load_pack(root: Path, progress: Callable[[str], None] | None = None) -> LoadReport:
    """Check every file of the pack against itself and the site, then apply it atomically.

    Raises InvalidPack, with every error found, before anything is written. `progress` is
    called with a line of text per course and per lesson.
    """
    pack, errors = check_pack(root)
    if errors:
        raise InvalidPack(errors)
    report = LoadReport(display_path(Path(root)))
    with transaction.atomic():
        _Loader(pack, CourseIndexPage.objects.first(), report, progress).run()
    return report


def _pack_pages(pack: Pack) -> dict[str, tuple[type[Page], Origin, str]]:
    """Each page of the pack by slug: its type, where it is written and the slug of its course."""
    pages = {}
    for course in pack.courses:
        pages[course.slug] = (CoursePage, course.origin, course.slug)
        for module in course.modules:
            pages[module.slug] = (ModulePage, module.origin, course.slug)
            for lesson in module.lessons:
                pages[lesson.slug] = (LessonPage, lesson.origin, course.slug)
    return pages


def _site_conflicts(pack: Pack, catalogue: CourseIndexPage | None) -> list[PackError]:
    """Slugs the loader could not match to exactly one page of the right type."""
    if catalogue is None:
        return [PackError(*pack.origin, "the site has no course catalogue; run manage.py migrate")]
    wanted = _pack_pages(pack)
    found = defaultdict(list)
    for page in Page.objects.descendant_of(catalogue).filter(slug__in=wanted).order_by("path"):
        found[page.slug].append(page)
    errors = []
    for slug, pages in found.items():
        model, origin, course = wanted[slug]
        # The first part of the path below the catalogue is the course the page is in.
        site_course = pages[0].url_path.removeprefix(catalogue.url_path).split("/")[0]
        if len(pages) > 1:
            where = ", ".join(page.url_path for page in pages)
            message = f"slug '{slug}' names {len(pages)} pages of the site ({where}); keep one"
            errors.append(PackError(*origin, message))
        elif pages[0].specific_class is not model:
            kind = pages[0].specific_class.__name__
            message = f"slug '{slug}' already names a {kind} at {pages[0].url_path}"
            errors.append(PackError(*origin, message))
        elif model is not CoursePage and site_course != course:
            # Moving it would carry learners' progress and hours into another course.
            kind = model.__name__.removesuffix("Page").lower()
            message = (
                f"{kind} '{slug}' belongs to course '{site_course}' on the site "
                f"({pages[0].url_path}), not to '{course}'; give it another slug, or move it "
                "in the admin first"
            )
            errors.append(PackError(*origin, message))
    return errors


def _number_criteria(criteria, save: bool = False):
    """Give rubric criteria the order of the pack; `save` stores a missing order (scenarios
    loaded before criteria had one) without a new revision, as the content is the same."""
    for order, criterion in enumerate(criteria):
        if criterion.sort_order != order:
            criterion.sort_order = order
            if save:
                criterion.save(update_fields=["sort_order"])


def _comparable(scenario: Scenario) -> dict:
    """A scenario's data in a defined order, to compare the site and the pack: criteria in their
    sort order, competencies by code (the site keeps no order for them)."""
    data = scenario.as_data()
    criteria = [criterion.as_data() for criterion in scenario.criteria.order_by("sort_order", "pk")]
    for criterion in criteria:
        criterion["competencies"].sort()
    data["competencies"].sort()
    data["rubric"]["criteria"] = criteria
    return data


def block_id(key: str) -> str:
    return str(uuid.uuid5(BLOCK_ID_NAMESPACE, key))


def _stream_json(stream_value) -> list[dict]:
    """A StreamField value as stored JSON, normalised by its blocks, to compare two bodies."""
    return [child.get_prep_value() for child in stream_value]


class _Loader:
    def __init__(self, pack: Pack, catalogue: CourseIndexPage, report: LoadReport, progress):
        self.pack, self.catalogue, self.report = pack, catalogue, report
        self.progress = progress or (lambda message: None)
        self.competencies: dict[str, Competency] = {}
        self.images: dict[str, int] = {}
        self.quizzes: dict[str, int] = {}

    def run(self):
        self.load_frameworks()
        self.import_images()
        if self.pack.catalogue:
            catalogue = CourseIndexPage.objects.get(pk=self.catalogue.pk)
            fields = {"title": self.pack.catalogue.title, "intro": self.pack.catalogue.intro}
            outcome = "updated" if self.update_page(catalogue, fields) else "unchanged"
            self.report.record("catalogue", catalogue.slug, outcome)
        # Lessons name their quizzes and exams name their course: quizzes first, and an exam
        # of a course that is new gets its course once the course exists.
        waiting = load_quizzes(self.pack, self.report.record)
        self.quizzes = dict(Quiz.objects.values_list("slug", "pk"))
        self.load_courses()
        link_courses(waiting)
        self.load_scenarios()
        pack_slugs = _pack_pages(self.pack)
        others = Page.objects.descendant_of(self.catalogue).exclude(slug__in=pack_slugs)
        self.report.not_in_pack = list(others.order_by("path").values_list("url_path", flat=True))
        ensure_groups(catalogue=self.catalogue)

    # --- scenarios ------------------------------------------------------------------------

    def load_scenarios(self):
        """Create or update each scenario by slug; a change is published as a new revision."""
        codes = set().union(*(s.scenario.competency_codes for s in self.pack.scenarios))
        competencies = {c.code: c for c in Competency.objects.filter(code__in=codes)}
        for index, item in enumerate(self.pack.scenarios, start=1):
            self.progress(f"[{index}/{len(self.pack.scenarios)}] scenario {item.slug}")
            scenario = Scenario.objects.filter(slug=item.slug).first()
            wanted = Scenario.from_data(item.scenario, competencies)
            _number_criteria(wanted.criteria.all())
            if scenario is None:
                scenario, outcome = wanted, "created"
                scenario.live = False
                scenario.save()
            elif scenario.live and _comparable(scenario) == _comparable(wanted):
                _number_criteria(scenario.criteria.order_by("sort_order", "pk"), save=True)
                self.report.record("scenario", item.slug, "unchanged")
                continue
            else:
                scenario.apply_data(item.scenario, competencies)
                _number_criteria(scenario.criteria.all())
                scenario.save()
                outcome = "updated"
            scenario.save_revision().publish()
            self.report.record("scenario", item.slug, outcome)

    # --- competencies and images ------------------------------------------------------------

    def sync(self, model, kind: str, code: str, **values):
        """Create or update one framework, category or competency, found by its code."""
        obj = model.objects.filter(code=code).first()
        if obj is None:
            obj = model.objects.create(code=code, **values)
            outcome = "created"
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(values))
            outcome = "updated"
        else:
            outcome = "unchanged"
        self.report.record(kind, code, outcome)
        return obj

    def load_frameworks(self):
        for framework_order, framework in enumerate(self.pack.frameworks):
            framework_obj = self.sync(
                CompetencyFramework,
                "framework",
                framework.code,
                name=framework.name,
                name_en=framework.name_en,
                description=framework.description,
                sort_order=framework_order,
            )
            for category_order, category in enumerate(framework.categories):
                category_obj = self.sync(
                    CompetencyCategory,
                    "category",
                    category.code,
                    framework_id=framework_obj.pk,
                    name=category.name,
                    name_en=category.name_en,
                    sort_order=category_order,
                )
                for order, competency in enumerate(category.competencies):
                    self.sync(
                        Competency,
                        "competency",
                        competency.code,
                        category_id=category_obj.pk,
                        name=competency.name,
                        name_en=competency.name_en,
                        description=competency.description,
                        sort_order=order,
                    )
        # Lessons may also link to competencies that only the site defines.
        self.competencies = {competency.code: competency for competency in Competency.objects.all()}

    def import_images(self):
        """Import each media file once: an image with the same content is reused, not copied."""
        image_model = get_image_model()
        names = {
            block.value["file"]
            for lesson in self.pack.lessons()
            for block in lesson.body
            if block.type == "image"
        }
        for name in sorted(names):
            data = (self.pack.media / name).read_bytes()
            # The same digest Wagtail stores in Image.file_hash for every upload.
            digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
            image = image_model.objects.filter(file_hash=digest).first()
            if image is None:
                file = ImageFile(io.BytesIO(data), name=Path(name).name)
                image = image_model(title=name, file=file, file_size=len(data), file_hash=digest)
                image.save()
                self.report.record("image", name, "created")
            else:
                self.report.record("image", name, "unchanged")
            self.images[name] = image.pk

    # --- pages ------------------------------------------------------------------------------

    def load_courses(self):
        lessons = self.pack.lessons()
        counter = 0
        course_pks = []
        for course in self.pack.courses:
            self.progress(f"course {course.slug} {course.title}")
            course_pk = self.sync_page(
                CoursePage,
                self.catalogue.pk,
                course.slug,
                course.origin,
                title=course.title,
                audience=course.audience,
                required_hours=course.required_hours,
                self_enrol=course.self_enrol,
                summary=course.summary,
                intro=course.intro,
            )
            course_pks.append((course_pk, course.slug))
            module_pks = []
            for module in course.modules:
                module_pk = self.sync_page(
                    ModulePage,
                    course_pk,
                    module.slug,
                    module.origin,
                    title=module.title,
                    summary=module.summary,
                )
                module_pks.append((module_pk, module.slug))
                lesson_pks = []
                for lesson in module.lessons:
                    counter += 1
                    self.progress(f"[{counter}/{len(lessons)}] lesson {lesson.slug}")
                    lesson_pks.append((self.sync_lesson(lesson, module_pk), lesson.slug))
                self.put_in_order("lesson", module_pk, lesson_pks)
            self.put_in_order("module", course_pk, module_pks)
        self.put_in_order("course", self.catalogue.pk, course_pks)

    def sync_lesson(self, lesson: Lesson, module_pk: int) -> int:
        return self.sync_page(
            LessonPage,
            module_pk,
            lesson.slug,
            lesson.origin,
            title=lesson.title,
            duration_minutes=lesson.duration_minutes,
            delivery=lesson.delivery,
            summary=lesson.summary,
            source=lesson.source,
            body=self.body(lesson),
            competencies=[self.competencies[code] for code in lesson.competencies],
        )

    def body(self, lesson: Lesson) -> list[dict]:
        """The lesson's StreamField data, with ids from the slug and each block's place.

        Blocks are numbered within their type, so adding a paragraph above a reflection does
        not change the reflection's id.
        """
        numbers = defaultdict(int)
        data = []
        for block in lesson.body:
            key = f"{lesson.slug}/{block.type}/{numbers[block.type]}"
            numbers[block.type] += 1
            value = block.value
            if block.type == "image":
                value = {
                    "image": self.images[value["file"]],
                    "alt_text": value["alt_text"],
                    "decorative": value["decorative"],
                }
            elif block.type == "quiz":
                value = self.quizzes[value]
            elif block.type == "key_phrases":
                value = {
                    "phrases": [
                        {"type": "item", "value": phrase, "id": block_id(f"{key}/{index}")}
                        for index, phrase in enumerate(value["phrases"])
                    ]
                }
            data.append({"type": block.type, "value": value, "id": block_id(key)})
        return data

    def sync_page(self, model, parent_pk: int, slug: str, origin: Origin, **fields) -> int:
        """Create, move or update the page with this slug; returns its id."""
        kind = model._meta.model_name.removesuffix("page")
        page = model.objects.descendant_of(self.catalogue).filter(slug=slug).first()
        try:
            if page is None:
                competencies = fields.pop("competencies", None)
                page = model(slug=slug, **fields)
                if competencies is not None:
                    page.competencies.set(competencies)
                Page.objects.get(pk=parent_pk).add_child(instance=page)
                page.save_revision().publish()
                self.report.record(kind, slug, "created")
                return page.pk
            moved = page.get_parent().pk != parent_pk
            if moved:
                page.move(Page.objects.get(pk=parent_pk), pos="last-child")
                page = model.objects.get(pk=page.pk)
            changed = self.update_page(page, fields)
        except ValidationError as exc:
            # The pack checks should have caught this; say which file to look at all the same.
            raise InvalidPack([PackError(*origin, "; ".join(exc.messages))]) from exc
        self.report.record(kind, slug, "updated" if moved or changed else "unchanged")
        return page.pk

    def update_page(self, page: Page, fields: dict) -> bool:
        """Publish the fields as a new revision if they differ from the live page.

        A page an editor unpublished is published again: the pack says it belongs to the course.
        """
        if page.live and not self.differs(page, fields):
            return False
        for name, value in fields.items():
            if name == "competencies":
                page.competencies.set(value)
            else:
                setattr(page, name, value)
        page.save_revision().publish()
        return True

    def differs(self, page: Page, fields: dict) -> bool:
        for name, value in fields.items():
            if name == "body":
                if _stream_json(page.body) != _stream_json(BODY_BLOCK.to_python(value)):
                    return True
            elif name == "competencies":
                if {c.pk for c in page.competencies.all()} != {c.pk for c in value}:
                    return True
            elif getattr(page, name) != value:
                return True
        return False

    def put_in_order(self, kind: str, parent_pk: int, children: list[tuple[int, str]]):
        """Order the pack's pages under a parent as the pack lists them.

        When the order must change, the pack's pages move after any sibling the pack does not
        name, whose own order is kept.
        """
        wanted = [pk for pk, _ in children]
        current = list(
            Page.objects.filter(pk__in=wanted).order_by("path").values_list("pk", flat=True)
        )
        if current == wanted:
            return
        for pk, slug in children:
            Page.objects.get(pk=pk).move(Page.objects.get(pk=parent_pk), pos="last-child")
            if current.index(pk) != wanted.index(pk):
                self.report.record(kind, slug, "updated")
