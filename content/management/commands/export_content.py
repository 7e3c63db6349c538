import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from content.exporter import export_pack


class Command(BaseCommand):
    help = (
        "Write the competency frameworks and the live courses, modules and lessons of the site "
        "as a content pack (the format load_content reads), with lesson images copied into "
        "media/. Loading the export reproduces the same pages, and exporting an unchanged site "
        "again gives identical files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=(
                "Folder to write the pack to; it must not exist yet or be empty. "
                "Default: export/<today's date> in the current folder."
            ),
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options):
        output = options["output"] or Path("export") / timezone.localdate().isoformat()
        # Writing into a used folder would mix old files (a deleted lesson, say) into the pack.
        if output.exists() and (not output.is_dir() or any(output.iterdir())):
            raise CommandError(f"{output} exists and is not an empty folder; choose another.")
        report = export_pack(output)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif options["verbosity"] >= 1:
            self.stdout.write(report.summary())
