"""badge_keys (generate / rotate / list) and verify_credential (offline check, exit codes)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from assessments import badges
from assessments.models import Certificate, SigningKey

BASE = "https://yorisoi.example.org"


@pytest.fixture
def certificate(people):
    return Certificate.objects.create(
        user=people.alice,
        course=people.course,
        number="YH-2026-0009",
        holder_name="有田 愛",
        course_title="訪問支援員養成講座",
        issued_on=timezone.localdate() - timedelta(days=30),
        code="cmd-code",
    )


def _run(*args) -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_it_generates_rotates_and_lists_keys(db):
    out = StringIO()
    call_command("badge_keys", "generate", stdout=out)
    first = SigningKey.objects.get()
    assert first.kid in out.getvalue()

    with pytest.raises(CommandError):
        call_command("badge_keys", "generate", stdout=StringIO())
    call_command("badge_keys", "rotate", stdout=StringIO())

    _, listed = _run("badge_keys", "list", "--json")
    assert [(k["kid"], k["active"]) for k in listed["keys"]] == [
        (first.kid, False),
        (badges.active_key().kid, True),
    ]


def test_it_exits_0_for_a_valid_credential(certificate, tmp_path):
    badges.generate_key()
    token_file = tmp_path / "credential.jwt"
    token_file.write_text(badges.signed_credential(certificate, BASE))
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(badges.jwks()))

    code, report = _run("verify_credential", str(token_file), "--jwks", str(jwks_file))

    assert code == 0
    assert report == {
        "valid": True,
        "reasons": [],
        "subject": "有田 愛",
        "achievement": "訪問支援員養成講座",
        "issuer": badges.organisation_name(),
        "validFrom": report["validFrom"],
        "validUntil": None,
    }


def test_it_exits_1_for_a_tampered_credential(certificate, tmp_path):
    badges.generate_key()
    header, payload, signature = badges.signed_credential(certificate, BASE).split(".")
    credential = json.loads(badges.b64url_decode(payload))
    credential["name"] = "別の講座"
    token_file = tmp_path / "credential.jwt"
    token_file.write_text(f"{header}.{badges.b64url(json.dumps(credential).encode())}.{signature}")

    code, report = _run("verify_credential", str(token_file))

    assert code == 1
    assert report["valid"] is False
    assert report["reasons"] == ["bad_signature"]


def test_it_exits_1_for_a_key_missing_from_the_given_jwks(certificate, tmp_path):
    badges.generate_key()
    token_file = tmp_path / "credential.jwt"
    token_file.write_text(badges.signed_credential(certificate, BASE))
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": []}))

    code, report = _run("verify_credential", str(token_file), "--jwks", str(jwks_file))

    assert code == 1
    assert report["reasons"] == ["unknown_key"]


def test_it_reports_revocation_only_when_asked_online(certificate, tmp_path, monkeypatch):
    badges.generate_key()
    token = Client().get(f"/verify/{certificate.code}/credential.jwt").content.decode()
    token_file = tmp_path / "credential.jwt"
    token_file.write_text(token)
    certificate.revoked_at = timezone.now()
    certificate.save()
    asked = []

    def issuer_answers(url):
        asked.append(url)
        return Client().get(url.removeprefix("http://testserver")).status_code

    monkeypatch.setattr(badges, "_http_status", issuer_answers)

    assert _run("verify_credential", str(token_file))[0] == 0
    code, report = _run("verify_credential", str(token_file), "--online")
    assert code == 1
    assert report["reasons"] == ["revoked"]
    assert asked == ["http://testserver/verify/cmd-code/credential.json"]


def test_it_refuses_an_unreadable_jwks_file(certificate, tmp_path):
    token_file = tmp_path / "credential.jwt"
    token_file.write_text("x.y.z")
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text("[]")

    with pytest.raises(CommandError):
        call_command("verify_credential", str(token_file), "--jwks", str(jwks_file))


def test_it_gives_the_demo_a_signing_key_once(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
