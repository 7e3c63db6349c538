"""Open Badges 3.0 credentials: keys, signing and offline verification (assessments.badges)."""

import json
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assessments import badges
from assessments.models import Certificate, CertificationRule, SigningKey

BASE = "https://yorisoi.example.org"


@pytest.fixture
def certificate(people):
    CertificationRule.objects.create(course=people.course, valid_years=3)
    return Certificate.objects.create(
        user=people.alice,
        course=people.course,
        number="YH-2026-0001",
        holder_name="有田 愛",
        course_title="訪問支援員養成講座",
        issued_on=date(2026, 4, 1),
        expires_on=date(2029, 3, 31),
        code="c0de-for-tests",
    )


def _payload(token: str) -> dict:
    return json.loads(badges.b64url_decode(token.split(".")[1]))


def _resign_payload(token: str, payload: dict) -> str:
    header, _, signature = token.split(".")
    body = badges.b64url(json.dumps(payload).encode())
    return f"{header}.{body}.{signature}"


def _during_validity() -> datetime:
    return timezone.make_aware(datetime(2027, 1, 1, 12))


def test_it_signs_and_verifies_a_credential(certificate):
    badges.generate_key()
    token = badges.signed_credential(certificate, BASE)

    result = badges.verify(token, badges.jwks(), now=_during_validity())

    assert result.valid, result.reasons
    assert result.header == {"alg": "EdDSA", "kid": badges.active_key().kid, "typ": "JWT"}
    summary = result.summary()
    assert summary["subject"] == "有田 愛"
    assert summary["achievement"] == "訪問支援員養成講座"
    assert summary["validFrom"] == "2026-04-01T00:00:00+09:00"
    assert summary["validUntil"] == "2029-04-01T00:00:00+09:00"


def test_it_rejects_a_tampered_payload(certificate):
    badges.generate_key()
    token = badges.signed_credential(certificate, BASE)
    payload = _payload(token)
    payload["credentialSubject"]["name"] = "別人 太郎"

    result = badges.verify(_resign_payload(token, payload), badges.jwks(), now=_during_validity())

    assert not result.valid
    assert result.reasons == ["bad_signature"]


def test_it_still_verifies_what_a_retired_key_signed(certificate):
    old = badges.generate_key()
    token = badges.signed_credential(certificate, BASE)
    new = badges.rotate_key()

    old.refresh_from_db()
    assert old.retired_at is not None
    assert badges.active_key() == new
    result = badges.verify(token, badges.jwks(), now=_during_validity())
    assert result.valid, result.reasons
    assert result.header["kid"] == old.kid
    assert _payload(badges.signed_credential(certificate, BASE)) == _payload(token)
    retired = [k for k in badges.jwks()["keys"] if k["kid"] == old.kid]
    assert retired[0]["retired"] == old.retired_at.isoformat()


def test_it_rejects_a_key_it_does_not_know(certificate):
    badges.generate_key()
    token = badges.signed_credential(certificate, BASE)
    other_organisation = {"keys": [{**k, "kid": "someone-else"} for k in badges.jwks()["keys"]]}

    result = badges.verify(token, other_organisation, now=_during_validity())

    assert result.reasons == ["unknown_key"]


def test_it_rejects_a_signature_by_another_key_under_a_known_kid(certificate):
    key = badges.generate_key()
    impostor = badges.Ed25519PrivateKey.generate()
    token = badges.sign(badges.build_credential(certificate, BASE), impostor, key.kid)

    assert badges.verify(token, badges.jwks(), now=_during_validity()).reasons == ["bad_signature"]


def test_it_reports_an_expired_credential(certificate):
    badges.generate_key()
    token = badges.signed_credential(certificate, BASE)
    day_after_expiry = timezone.make_aware(datetime(2029, 4, 1, 0, 0, 1))

    result = badges.verify(token, badges.jwks(), now=day_after_expiry)

    assert result.reasons == ["expired"]
    last_valid_day = timezone.make_aware(datetime(2029, 3, 31, 23, 59))
    assert badges.verify(token, badges.jwks(), now=last_valid_day).valid


def test_it_reports_a_credential_before_its_issue_date(certificate):
    badges.generate_key()
    token = badges.signed_credential(certificate, BASE)

    result = badges.verify(token, badges.jwks(), now=timezone.make_aware(datetime(2026, 3, 31)))

    assert result.reasons == ["not_yet_valid"]


def test_it_rejects_garbage_and_other_algorithms(certificate):
    badges.generate_key()
    token = badges.signed_credential(certificate, BASE)
    header = badges.b64url(json.dumps({"alg": "none", "kid": badges.active_key().kid}).encode())
    unsigned = f"{header}.{token.split('.')[1]}."

    assert badges.verify("not a token", badges.jwks()).reasons == ["malformed"]
    assert badges.verify("a.b.c", badges.jwks()).reasons == ["malformed"]
    assert badges.verify(unsigned, badges.jwks()).reasons == ["unsupported_algorithm"]


def test_it_builds_the_required_open_badges_fields(certificate):
    credential = badges.build_credential(certificate, BASE + "/")

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{BASE}/verify/c0de-for-tests/"
    assert credential["name"] == "訪問支援員養成講座"
    assert credential["issuer"]["id"] == f"{BASE}/badges/issuer/"
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["name"]
    assert credential["validFrom"] == "2026-04-01T00:00:00+09:00"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "有田 愛"
    assert subject["identifier"][0]["identityType"] == "name"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "訪問支援員養成講座"
    assert "YH-2026-0001" in achievement["description"]
    assert "修了試験に合格" in achievement["criteria"]["narrative"]
    assert "有効期間 3 年" in achievement["criteria"]["narrative"]
    assert credential["iss"] == credential["issuer"]["id"]
    assert credential["jti"] == credential["id"]
    assert credential["nbf"] == int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    assert credential["exp"] == int(datetime.fromisoformat(credential["validUntil"]).timestamp())


def test_it_leaves_out_the_end_of_a_certificate_that_does_not_expire(certificate):
    certificate.expires_on = None

    credential = badges.build_credential(certificate, BASE)

    assert "validUntil" not in credential
    assert "exp" not in credential


def test_it_names_the_organisation_from_settings(certificate, settings):
    settings.YORISOI_ORGANISATION_NAME = "NPO法人 よりそい"

    credential = badges.build_credential(certificate, BASE)

    assert credential["issuer"]["name"] == "NPO法人 よりそい"


def test_it_stores_the_private_key_encrypted(db):
    key = badges.generate_key()
    private = badges.decrypt_private_key(key.private_key_encrypted)
    raw = private.private_bytes(
        badges.serialization.Encoding.Raw,
        badges.serialization.PrivateFormat.Raw,
        badges.serialization.NoEncryption(),
    )
    pem = private.private_bytes(
        badges.serialization.Encoding.PEM,
        badges.serialization.PrivateFormat.PKCS8,
        badges.serialization.NoEncryption(),
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM assessments_signingkey WHERE id = %s", [key.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    for plain in (raw.hex(), badges.b64url(raw), pem.decode()):
        assert plain not in row
    assert "d" not in key.public_jwk


def test_it_cannot_open_the_key_with_another_secret(db, settings):
    key = badges.generate_key()
    settings.SECRET_KEY = "a-different-secret"

    with pytest.raises(badges.BadgeError) as error:
        badges.decrypt_private_key(key.private_key_encrypted)
    assert error.value.code == "key_unreadable"


def test_it_opens_the_key_with_the_previous_secret_as_a_fallback(db, settings):
    key = badges.generate_key()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret"

    assert badges.decrypt_private_key(key.private_key_encrypted)


def test_it_refuses_a_second_active_key(db):
    badges.generate_key()

    with pytest.raises(badges.BadgeError) as error:
        badges.generate_key()
    assert error.value.code == "key_exists"
    assert SigningKey.objects.count() == 1


def test_it_signs_nothing_without_a_key_or_for_a_revoked_certificate(certificate):
    with pytest.raises(badges.BadgeError) as error:
        badges.signed_credential(certificate, BASE)
    assert error.value.code == "no_key"

    badges.generate_key()
    certificate.revoked_at = timezone.now() - timedelta(minutes=1)
    with pytest.raises(badges.BadgeError) as error:
        badges.signed_credential(certificate, BASE)
    assert error.value.code == "revoked"


def test_it_rejects_a_signed_credential_that_is_not_an_open_badge(certificate):
    key = badges.generate_key()
    private_key = badges.decrypt_private_key(key.private_key_encrypted)
    credential = badges.build_credential(certificate, BASE)
    without_dates = {k: v for k, v in credential.items() if k != "validFrom"}
    plain_vc = {**credential, "type": ["VerifiableCredential"]}
    other_issuer = {**credential, "iss": "https://elsewhere.example.org/"}

    for payload, reason in (
        (without_dates, "not_a_badge"),
        (plain_vc, "not_a_badge"),
        (other_issuer, "claims_mismatch"),
    ):
        token = badges.sign(payload, private_key, key.kid)
        result = badges.verify(token, badges.jwks(), now=_during_validity())
        assert result.reasons == [reason]
