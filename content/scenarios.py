"""Role-play scenario files of a pack (`scenarios/SLUG.yaml`), read through the scenario schema.

The rules of a scenario's data live in `roleplay.schema`, which the editor and the engines use
too; this module adds what only a pack knows (file names, slugs unique in the pack, the
competencies of the pack and the site) and turns every problem into `file:line: message`.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from courses.models import Audience
from roleplay import schema
from roleplay.models import Scenario
from roleplay.schema import InvalidScenario, ScenarioData
from roleplay.scripts import Script

from .fields import Origin, PackContext, PackError, YamlDoc

# Stricter than the model's slug: it names a file, so one spelling only.
SLUG = re.compile(r"^[a-z0-9-]+$")


@dataclass
class ScenarioFile:
    scenario: ScenarioData
    origin: Origin

    @property
    def slug(self) -> str:
        return self.scenario.slug


def read_scenario(context: PackContext, path: Path) -> ScenarioFile | None:
    """The checked scenario of one file, or None when it has problems (each one recorded)."""
    doc = context.load(path)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        doc.error("a scenario file must be a mapping of fields")
        return None
    errors_before = len(context.errors)
    # The loader speaks English, whatever the site's language (see roleplay.schema).
    with translation.override("en"):
        scenario = _checked(doc)
    origin = Origin(doc.file, doc.line(("slug",)))
    _check_slug(context, doc, path, origin)
    _check_competencies(context, doc)
    if scenario is None or len(context.errors) > errors_before:
        return None
    return ScenarioFile(scenario, origin)


def _checked(doc: YamlDoc) -> ScenarioData | None:
    """The scenario if the schema and the script accept it; every problem goes to `doc`."""
    try:
        scenario = ScenarioData.parse(doc.data)
    except InvalidScenario as exc:
        for problem in exc.problems:
            doc.error(problem.message, problem.path)
        return None
    for problem in Script.from_data(scenario).problems():
        doc.error(problem, ("nodes",))
    for problem in schema.safety_problems(scenario):
        doc.error(problem.message, problem.path)
    return scenario


def _check_slug(context: PackContext, doc: YamlDoc, path: Path, origin: Origin):
    slug = doc.data.get("slug")
    if not isinstance(slug, str) or not schema.SLUG.match(slug):
        return  # the schema reports it
    if not SLUG.match(slug):
        doc.error(f"'slug' {slug!r} is not valid: use lower-case letters, digits and -", ("slug",))
    elif slug != path.stem:
        doc.error(f"'slug' {slug!r} must match the file name {path.stem}.yaml", ("slug",))
    context.claim("scenario", slug, origin, "scenario slug")


def _check_competencies(context: PackContext, doc: YamlDoc):
    """Competency codes are checked where the schema found a list of them."""
    data = doc.data
    context.check_competencies(doc, _names(data.get("competencies")), ("competencies",))
    rubric = data.get("rubric")
    criteria = rubric.get("criteria") if isinstance(rubric, dict) else None
    for index, criterion in enumerate(criteria if isinstance(criteria, list) else ()):
        if isinstance(criterion, dict):
            path = ("rubric", "criteria", index, "competencies")
            context.check_competencies(doc, _names(criterion.get("competencies")), path)


def _names(value) -> list[str]:
    """A list of codes as the file gives it; anything else is the schema's to report."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return []


def practice_conflicts(pack) -> list[PackError]:
    """`::: practice` blocks whose scenario is in neither the pack nor the site, or is played in
    a role the lesson's course is not for."""
    roles = {item.slug: item.scenario.learner_role for item in pack.scenarios}
    site = Scenario.objects.exclude(slug__in=roles).values_list("slug", "learner_role")
    roles.update(site)
    errors = []
    for course in pack.courses:
        for lesson in (lesson for module in course.modules for lesson in module.lessons):
            for block in lesson.body:
                if block.type != "practice":
                    continue
                slug = block.value["scenario"]
                role = roles.get(slug)
                if role is None and (pack.root / "scenarios" / f"{slug}.yaml").is_file():
                    continue  # a scenario file of the pack that did not read: its errors say why
                if role is None:
                    message = f"scenario '{slug}' is in neither the pack nor the site"
                elif course.audience not in (Audience.ALL, role):
                    message = (
                        f"scenario '{slug}' has the learner play a {role}, but course "
                        f"'{course.slug}' is for the audience {course.audience}"
                    )
                else:
                    continue
                errors.append(PackError(lesson.origin.file, block.line, message))
    return errors
