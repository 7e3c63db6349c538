"""The public Open Badges endpoints: credential (.jwt and .json), issuer profile and JWKS."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import badges
from assessments.models import Certificate


@pytest.fixture
def certificate(people):
    return Certificate.objects.create(
        user=people.alice,
        course=people.course,
        number="YH-2026-0007",
        holder_name="有田 愛",
        course_title="訪問支援員養成講座",
        issued_on=timezone.localdate() - timedelta(days=30),
        code="view-code",
    )


def test_it_serves_a_credential_anyone_can_verify_with_the_published_keys(certificate):
    badges.generate_key()
    client = Client()

    response = client.get(reverse("assessments:credential", args=[certificate.code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwt"
    assert "YH-2026-0007.jwt" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    key_set = client.get(reverse("assessments:badge_jwks")).json()
    result = badges.verify(response.content.decode(), key_set)
    assert result.valid, result.reasons
    assert result.credential["id"] == "http://testserver/verify/view-code/"
    assert result.credential["issuer"]["id"] == "http://testserver/badges/issuer/"


def test_it_serves_the_readable_credential(certificate):
    response = Client().get(reverse("assessments:credential_json", args=[certificate.code]))

    assert response.status_code == 200
    credential = json.loads(response.content)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["name"] == "有田 愛"
    assert "有田 愛" in response.content.decode()


def test_it_gives_no_credential_for_a_revoked_or_unknown_certificate(certificate):
    badges.generate_key()
    certificate.revoked_at = timezone.now()
    certificate.save()
    client = Client()

    for name in ("assessments:credential", "assessments:credential_json"):
        assert client.get(reverse(name, args=[certificate.code])).status_code == 404
        assert client.get(reverse(name, args=["no-such-code"])).status_code == 404


def test_it_says_the_organisation_has_no_signing_key_yet(certificate):
    response = Client().get(reverse("assessments:credential", args=[certificate.code]))

    assert response.status_code == 503
    assert "badge_keys generate" in response.content.decode()


def test_it_publishes_every_key_in_the_issuer_profile_and_jwks(db):
    old = badges.generate_key()
    new = badges.rotate_key()
    client = Client()

    profile = client.get(reverse("assessments:badge_issuer")).json()
    key_set = client.get(reverse("assessments:badge_jwks")).json()

    assert profile["id"] == "http://testserver/badges/issuer/"
    assert profile["type"] == ["Profile"]
    assert profile["name"]
    assert profile["jwks_uri"] == "http://testserver/badges/jwks.json"
    assert [k["kid"] for k in key_set["keys"]] == [old.kid, new.kid]
    assert "retired" in key_set["keys"][0] and "retired" not in key_set["keys"][1]
    assert profile["publicKeys"] == key_set["keys"]
    assert all("d" not in k for k in key_set["keys"])


def test_it_refuses_anything_but_get_on_the_badge_endpoints(certificate):
    client = Client()

    assert client.post(reverse("assessments:badge_jwks")).status_code == 405
    assert (
        client.post(reverse("assessments:credential", args=[certificate.code])).status_code == 405
    )
