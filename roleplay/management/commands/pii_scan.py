import json
import sys

from django.core.management.base import BaseCommand

from roleplay.privacy import mask


class Command(BaseCommand):
    help = (
        "Read UTF-8 text lines on standard input and write, for each, one JSON object: "
        '{"masked": ..., "findings": [{"type", "start", "end", "text"}]}, with offsets in '
        "characters into the line as read. Types: person_name, phone, email, postal_code, "
        "address, id_number."
    )
    # Not a command-line option: lets call_command(..., stdin=stream) feed the lines.
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        # Standard input is read as UTF-8 whatever the locale says, as the contract promises.
        lines = options.get("stdin") or (raw.decode("utf-8") for raw in sys.stdin.buffer)
        for line in lines:
            result = mask(line.rstrip("\r\n"))
            self.stdout.write(
                json.dumps(
                    {
                        "masked": result.masked,
                        "findings": [finding.as_dict() for finding in result.findings],
                    },
                    ensure_ascii=False,
                )
            )
            # A caller feeding one line at a time waits for each answer.
            self.stdout.flush()
