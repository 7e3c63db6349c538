"""The organisation's Open Badges signing keys (Ed25519).

    manage.py badge_keys generate     # the first key; refused while one is active
    manage.py badge_keys rotate       # a new active key; the old one is retired, never deleted
    manage.py badge_keys list [--json]

Retired keys stay in /badges/jwks.json so credentials they signed keep verifying.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from assessments import badges
from assessments.models import SigningKey


class Command(BaseCommand):
    help = "Generate, rotate or list the Ed25519 keys Open Badges credentials are signed with."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "list"])
        parser.add_argument("--json", action="store_true", help="list as JSON")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            self._list(as_json=options["json"])
            return
        try:
            key = badges.generate_key() if action == "generate" else badges.rotate_key()
        except badges.BadgeError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"active signing key: {key.kid}")

    def _list(self, *, as_json: bool):
        keys = [
            {
                "kid": key.kid,
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
                "active": key.retired_at is None,
            }
            for key in SigningKey.objects.order_by("created_at", "pk")
        ]
        if as_json:
            self.stdout.write(json.dumps({"keys": keys}))
            return
        if not keys:
            self.stdout.write("no signing key yet: run `manage.py badge_keys generate`")
        for key in keys:
            state = "active" if key["active"] else f"retired {key['retired_at']}"
            self.stdout.write(f"{key['kid']}  created {key['created_at']}  {state}")
