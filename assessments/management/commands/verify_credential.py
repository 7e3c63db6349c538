"""Check a downloaded Open Badges 3.0 credential (a VC-JWT file) and print the result as JSON.

    manage.py verify_credential FILE [--jwks JWKS_FILE] [--online [URL]]

Offline (the default) it checks the Ed25519 signature against a key in the JWKS (the file
given, else this installation's own keys), the OB 3.0 shape and the validity dates. Revocation
can only be known online: --online asks the issuer whether the credential is still served
(URL defaults to the credential's own id, its verification page). Prints {valid, reasons,
subject, achievement, issuer, validFrom, validUntil}; exits 0 when valid, 1 otherwise.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import badges


class Command(BaseCommand):
    help = "Verify an Open Badges 3.0 credential (VC-JWT file) offline; print JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .jwt credential; - for stdin")
        parser.add_argument("--jwks", help="JSON Web Key Set file of the issuer's public keys")
        parser.add_argument(
            "--online",
            nargs="?",
            const="",
            default=None,
            metavar="URL",
            help="also ask the issuer whether it was revoked (default URL: the credential id)",
        )

    def handle(self, *args, **options):
        token = self._read(options["file"])
        key_set = self._read_jwks(options["jwks"]) if options["jwks"] else badges.jwks()
        result = badges.verify(token, key_set)
        if options["online"] is not None and result.valid:
            url = options["online"] or result.credential.get("id", "")
            result.reasons.extend(badges.online_problems(url))
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
        if not result.valid:
            sys.exit(1)

    def _read(self, name: str) -> str:
        try:
            return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {name}: {exc}") from None

    def _read_jwks(self, name: str) -> dict:
        try:
            key_set = json.loads(self._read(name))
        except json.JSONDecodeError as exc:
            raise CommandError(f"{name} is not JSON: {exc}") from None
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise CommandError(f'{name} is not a JWKS ({{"keys": [...]}})')
        return key_set
