import json

from django.core.management.base import BaseCommand

from courses.services import competency_coverage


class Command(BaseCommand):
    help = (
        "Which competencies have lessons, scenarios, rubric criteria or quiz and exam questions "
        "linked, and which have none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        report = competency_coverage()
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        if not report["competencies"]:
            self.stdout.write("No competencies yet: run `manage.py load_content` first.")
            return
        self.stdout.write(
            f"{'code':<10} {'lessons':>7} {'scenarios':>9} {'criteria':>8} {'questions':>9}  name"
        )
        for row in report["competencies"]:
            self.stdout.write(
                f"{row['code']:<10} {row['lessons']:>7} {row['scenarios']:>9} "
                f"{row['criteria']:>8} {row['questions']:>9}  {row['name']}"
            )
        total = len(report["competencies"])
        uncovered = report["uncovered"]
        self.stdout.write(f"\n{total - len(uncovered)} of {total} competencies covered.")
        if uncovered:
            self.stdout.write(self.style.WARNING("Nothing linked: " + ", ".join(uncovered)))
