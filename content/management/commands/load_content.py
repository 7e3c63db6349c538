import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content.hours import check_hours
from content.loader import check_pack, load_pack
from content.packs import DEFAULT_PACK, InvalidPack
from content.quizzes import question_counts


class Command(BaseCommand):
    help = """Load a content pack into the site: competency frameworks, quizzes and exams, the
courses, modules and lessons below the course catalogue, then the role-play scenarios.

The whole pack is checked first. Any error is printed as FILE:LINE: MESSAGE and nothing at all
is changed. Then everything is written in one transaction: pages are matched by slug, moved and
ordered as the pack lists them, and get a new published revision only when their content
changed, so loading the same pack again reports "0 created, 0 updated". Pages below the
catalogue that the pack does not name are left alone and listed.

A pack folder holds pack.yaml (which lists its frameworks and courses), frameworks/<code>.yaml,
courses/<slug>/course.yaml, courses/<slug>/lessons/<slug>.md and media/ for images. A lesson
file is YAML front matter between '---' lines (slug, title, duration_minutes, delivery,
competencies, summary, source), then Markdown with directives, each closed by a ':::' line:

  ::: point|caution|example [title]   a callout box
  ::: phrases                          a YAML list of "- say: ..." / "  instead: ..." pairs
  ::: reflection                       one question; answers go to the learner's journal
  ::: video URL [caption]
  ::: image FILE [alt text]            FILE is in media/; without alt text it is decorative
  ::: richtext                         HTML as the page editor stores it
  ::: quiz SLUG :::                    a quiz or exam of quizzes/ (one line): start, resume, result
  ::: practice SCENARIO MINUTES [note] :::
                                       a role-play to practise for 5-120 minutes (one line); the
                                       scenario's learner role must suit the course's audience

A scenario file, scenarios/<slug>.yaml, holds the persona card, hidden facts, brief, goals,
state variables (trust required), turn limit, end rules, rubric criteria, model lines and the
branching script as `nodes` (the first one starts). Its script is checked like the scenario
editor checks it: broken links, unreachable nodes, dead ends and missing endings are errors,
and a good ending must be reachable from the start. A choice with `safe: true` (calling 189,
110 or 119, telling the coordinator) must not lead straight to a poor ending nor score 1, and a
good ending must stay reachable after it.
A changed scenario is published as a new revision; an unchanged one is left alone.

A quiz file, quizzes/<slug>.yaml (listed under `quizzes` in pack.yaml), holds slug, title,
kind (quiz | exam), course (required for an exam: one exam per course), intro, pass_mark (%),
attempts_allowed (0 = unlimited), time_limit_minutes, shuffle_questions, shuffle_options and
`questions`. Each question has a key (unique in the file; results follow it across reloads),
type (single | multiple | true_false | written | situational), text, competencies, explanation
and optional points (default 1, situational 2); single and multiple list `options` (text,
correct: true on the right ones), true_false has `answer`, written may have `guidance` for the
trainer, and situational has a `case` and 3-5 `responses` with rank (1 = best) and reason.

With --check nothing is written: the pack is checked as for loading, then the hours of every
lesson. An online lesson may credit at most 1.25 times the minutes its content supports
(characters of text / 500, + 10 per reflection, + 2 per question of an embedded quiz, +
practice minutes); an in-person lesson needs a plan of 1,500 characters and a timetable
'## 時間割（N分）' of '- H:MM〜H:MM ...' lines from 0:00 to its end; a course's lessons must add up
to its required hours. A table shows every lesson; the exit status is 1 if anything fails.
"""

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Keep the line breaks of the format summary above.
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "pack",
            nargs="?",
            type=Path,
            default=DEFAULT_PACK,
            help="The pack folder (default: the pack shipped in content/packs/default).",
        )
        parser.add_argument("--json", action="store_true", help="Print only the summary, as JSON.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: check the pack and the hours its lessons credit.",
        )

    def handle(self, *args, **options):
        as_json = options["json"]
        if options["check"]:
            return self.check_only(options["pack"], as_json)
        verbose = options["verbosity"] >= 1 and not as_json
        try:
            report = load_pack(options["pack"], progress=self.stdout.write if verbose else None)
        except InvalidPack as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                f"{count} error{'s' if count > 1 else ''} in the pack; nothing was changed."
            ) from None
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif options["verbosity"] >= 1:
            self.stdout.write(report.summary())

    def check_only(self, root: Path, as_json: bool):
        pack, errors = check_pack(root)
        hours = check_hours(pack, question_counts(pack))
        if as_json:
            data = {"errors": [str(error) for error in errors], **hours.as_dict()}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            for error in errors:
                self.stderr.write(str(error))
            self.stdout.write(hours.table())
        if errors or not hours.ok:
            count = len(errors)
            raise CommandError(
                f"{count} error{'' if count == 1 else 's'} in the pack; {hours.summary()}"
            )
