"""Open Badges 3.0 credentials for certificates, signed with the organisation's Ed25519 key.

A credential is an `OpenBadgeCredential` (W3C VC Data Model 2.0) secured as a VC-JWT, the
JSON Web Token proof format of Open Badges 3.0 (§8.2): a JWS compact serialisation whose
payload is the credential itself, its members at the top level, plus the registered claims
`iss` (issuer id), `jti` (credential id), `nbf` (validFrom) and `exp` (validUntil, when the
certificate expires). The JOSE header is `{"alg": "EdDSA", "typ": "JWT", "kid": KID}`; KID names
a key in the organisation's JWKS (`/badges/jwks.json`, also embedded in `/badges/issuer/`), so
anyone holding that JWKS can check a credential offline.

Keys live in the database (`SigningKey`); the private half is encrypted at rest with a key
derived from SECRET_KEY, so a database dump alone cannot sign credentials.
"""

import base64
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SigningKey
from .services import AssessmentError

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ALGORITHM = "EdDSA"
TOKEN_TYPE = "JWT"
ONLINE_TIMEOUT = 10  # seconds for verify_credential --online
DEFAULT_ORGANISATION_NAME = "Yorisoi"
# Separates this use of SECRET_KEY from every other (sessions, signing, password resets).
_KDF_INFO = b"yorisoi.assessments.badges.signing-key-encryption"


class BadgeError(AssessmentError):
    """A credential that cannot be produced; `code` says why (views map codes to statuses)."""


# --- Base64url and JSON as JOSE writes them ---------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# --- Keys ------------------------------------------------------------------------------------


def _fernet() -> MultiFernet:
    """Fernet over SECRET_KEY first, then SECRET_KEY_FALLBACKS, so keys encrypted before a
    SECRET_KEY rotation still open while the old secret is kept as a fallback."""
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_derive(secret)) for secret in secrets_])


def _derive(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def encrypt_private_key(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return _fernet().encrypt(raw).decode("ascii")


def decrypt_private_key(token: str) -> Ed25519PrivateKey:
    try:
        raw = _fernet().decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise BadgeError(
            "key_unreadable",
            _("The signing key cannot be read with this SECRET_KEY; rotate the key."),
        ) from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_jwk(public_key: Ed25519PublicKey, kid: str) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": kid, "alg": ALGORITHM}


def public_key_from_jwk(jwk: dict) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not jwk.get("x"):
        raise ValueError("not an Ed25519 public JWK")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def _create_key() -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    kid = f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(4)}"
    return SigningKey.objects.create(
        kid=kid,
        public_jwk=public_jwk(private_key.public_key(), kid),
        private_key_encrypted=encrypt_private_key(private_key),
    )


def active_key() -> SigningKey | None:
    """The key new credentials are signed with, or None when none was generated yet."""
    return SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()


def generate_key() -> SigningKey:
    """A new active key. Refused while one is active: `rotate_key` replaces it."""
    with transaction.atomic():
        if SigningKey.objects.select_for_update().filter(retired_at__isnull=True).exists():
            raise BadgeError("key_exists", _("A signing key is already active; rotate it instead."))
        return _create_key()


def rotate_key() -> SigningKey:
    """Retire every active key and make a new one. Retired keys stay published in the JWKS so
    credentials they signed still verify; they are never deleted."""
    with transaction.atomic():
        SigningKey.objects.select_for_update().filter(retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        return _create_key()


def jwks() -> dict:
    """Every key, retired ones included, as a JSON Web Key Set."""
    return {"keys": [key.jwk() for key in SigningKey.objects.order_by("created_at", "pk")]}


# --- Signing and verifying -------------------------------------------------------------------


def sign(payload: dict, private_key: Ed25519PrivateKey, kid: str) -> str:
    header = {"alg": ALGORITHM, "kid": kid, "typ": TOKEN_TYPE}
    signing_input = f"{b64url(_compact_json(header))}.{b64url(_compact_json(payload))}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


@dataclass
class Verification:
    """What checking a VC-JWT found. `valid` is True only when `reasons` is empty."""

    reasons: list[str] = field(default_factory=list)
    header: dict = field(default_factory=dict)
    credential: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.reasons

    def summary(self) -> dict:
        subject = self.credential.get("credentialSubject") or {}
        issuer = self.credential.get("issuer")
        return {
            "valid": self.valid,
            "reasons": self.reasons,
            "subject": subject.get("name"),
            "achievement": (subject.get("achievement") or {}).get("name"),
            "issuer": issuer.get("name") if isinstance(issuer, dict) else issuer,
            "validFrom": self.credential.get("validFrom"),
            "validUntil": self.credential.get("validUntil"),
        }


def verify(token: str, key_set: dict, *, now: datetime | None = None) -> Verification:
    """Check a VC-JWT against a JWKS: signature by a known key, the OB 3.0 shape, and the
    validity period. Reasons are stable codes: malformed, unsupported_algorithm, unknown_key,
    bad_signature, not_a_badge, claims_mismatch, not_yet_valid, expired (and, from
    `online_problems`, revoked and online_check_failed)."""
    result = Verification()
    try:
        header_part, payload_part, signature_part = token.strip().split(".")
        result.header = json.loads(b64url_decode(header_part))
        result.credential = json.loads(b64url_decode(payload_part))
        signature = b64url_decode(signature_part)
    except (ValueError, UnicodeDecodeError):
        result.reasons.append("malformed")
        return result
    if not isinstance(result.header, dict) or not isinstance(result.credential, dict):
        result.header, result.credential = {}, {}
        result.reasons.append("malformed")
        return result
    if result.header.get("alg") != ALGORITHM:
        result.reasons.append("unsupported_algorithm")
        return result
    jwk = next(
        (
            k
            for k in key_set.get("keys", [])
            if isinstance(k, dict) and k.get("kid") == result.header.get("kid")
        ),
        None,
    )
    if jwk is None:
        result.reasons.append("unknown_key")
        return result
    try:
        public_key_from_jwk(jwk).verify(signature, f"{header_part}.{payload_part}".encode())
    except (InvalidSignature, ValueError):
        result.reasons.append("bad_signature")
        return result
    result.reasons.extend(_shape_problems(result.credential))
    result.reasons.extend(_period_problems(result.credential, now or timezone.now()))
    return result


def online_problems(verification_url: str) -> list[str]:
    """Ask the issuer whether it still stands by a credential: the readable credential next to
    the verification page is a 404 once the certificate is revoked."""
    status = _http_status(verification_url.rstrip("/") + "/credential.json")
    if status == 200:
        return []
    return ["revoked"] if status in (404, 410) else ["online_check_failed"]


def _http_status(url: str) -> int | None:
    """The HTTP status of a GET, or None when the URL is not http(s) or the issuer is out of
    reach. The URL comes from the credential being checked, so a file: or ftp: URL must never
    be opened."""
    if not url.startswith(("https://", "http://")):
        return None
    try:
        # bandit B310: only an http(s) URL gets here (checked above), never file: or ftp:.
        with urllib.request.urlopen(url, timeout=ONLINE_TIMEOUT) as response:  # nosec B310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def _shape_problems(credential: dict) -> list[str]:
    types = credential.get("type") or []
    contexts = credential.get("@context") or []
    subject = credential.get("credentialSubject") or {}
    if (
        "OpenBadgeCredential" not in types
        or contexts[:1] != [VC_CONTEXT]
        or OB_CONTEXT not in contexts
        or not isinstance(subject, dict)
        or not isinstance(subject.get("achievement"), dict)
        or not credential.get("validFrom")
    ):
        return ["not_a_badge"]
    issuer = credential.get("issuer") or {}
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if credential.get("iss") != issuer_id or credential.get("jti") != credential.get("id"):
        return ["claims_mismatch"]
    return []


def _period_problems(credential: dict, now: datetime) -> list[str]:
    problems = []
    try:
        valid_from = _parse_instant(credential.get("validFrom"))
        valid_until = _parse_instant(credential.get("validUntil"))
    except ValueError:
        return ["malformed"]
    if valid_from is not None and now < valid_from:
        problems.append("not_yet_valid")
    if valid_until is not None and now >= valid_until:
        problems.append("expired")
    return problems


def _parse_instant(value) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a credential date needs a time zone")
    return parsed


# --- The credential --------------------------------------------------------------------------


def organisation_name() -> str:
    return getattr(settings, "YORISOI_ORGANISATION_NAME", "") or DEFAULT_ORGANISATION_NAME


def issuer_id(base_url: str) -> str:
    return base_url.rstrip("/") + reverse("assessments:badge_issuer")


def issuer_profile(base_url: str) -> dict:
    """The organisation as an OB 3.0 Profile, with every signing key it ever used."""
    root = base_url.rstrip("/")
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(base_url),
        "type": ["Profile"],
        "name": organisation_name(),
        "url": root + "/",
        "jwks_uri": root + reverse("assessments:badge_jwks"),
        "publicKeys": jwks()["keys"],
    }


def _start_of_day(day: date) -> datetime:
    """Certificate dates are calendar days in the organisation's time zone; a credential needs
    an instant, so a day starts at local midnight."""
    return timezone.make_aware(datetime.combine(day, time.min))


def criteria_narrative(certificate) -> str:
    """The certification rule in Japanese, as the achievement's criteria."""
    rule = getattr(certificate.course, "certification_rule", None)
    lines = [
        f"「{certificate.course_title}」の認定要件を満たしたことを、"
        f"{organisation_name()}が認定する。"
    ]
    if rule is not None:
        hours = rule.hours_needed
        if hours:
            lines.append(f"- 研修時間 {hours} 時間以上")
        if rule.exam_required:
            lines.append("- 修了試験に合格")
        if rule.min_attendance_percent:
            lines.append(f"- 集合研修の出席率 {rule.min_attendance_percent}% 以上")
        for required in rule.required_scenarios.select_related("scenario"):
            lines.append(
                f"- ロールプレイ「{required.scenario.title}」でレベル {required.min_level} 以上"
                "（安全・情報の取り扱いに 1 がないこと）"
            )
        if rule.valid_years:
            lines.append(f"- 有効期間 {rule.valid_years} 年（フォローアップ研修の修了で更新）")
    return "\n".join(lines)


def build_credential(certificate, base_url: str) -> dict:
    """The unsigned OpenBadgeCredential of a certificate, with the JWT registered claims."""
    root = base_url.rstrip("/")
    verification_url = root + reverse("assessments:verify", args=[certificate.code])
    valid_from = _start_of_day(certificate.issued_on)
    issuer = {"id": issuer_id(base_url), "type": ["Profile"], "name": organisation_name()}
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verification_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.course_title,
        "issuer": issuer,
        "validFrom": valid_from.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            # OB 3.0 needs an id or an identifier for the subject; holders have no DID.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": {
                "id": f"{issuer['id']}#course-{certificate.course_id}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                # Japanese whatever the reader's language, like the rest of the certificate,
                # so downloading twice gives the same credential.
                "description": (
                    f"{organisation_name()}が認定した「{certificate.course_title}」の修了認定"
                    f"（認定番号 {certificate.number}）"
                ),
                "criteria": {"narrative": criteria_narrative(certificate)},
            },
        },
        "iss": issuer["id"],
        "jti": verification_url,
        "nbf": int(valid_from.timestamp()),
    }
    if certificate.expires_on:
        # A certificate is valid through its expiry day, so the credential ends the next midnight.
        valid_until = _start_of_day(certificate.expires_on + timedelta(days=1))
        credential["validUntil"] = valid_until.isoformat()
        credential["exp"] = int(valid_until.timestamp())
    return credential


def signed_credential(certificate, base_url: str) -> str:
    """The certificate as a VC-JWT signed with the active key. Revoked certificates get none."""
    if certificate.revoked_at is not None:
        raise BadgeError("revoked", _("This certificate has been revoked."))
    key = active_key()
    if key is None:
        raise BadgeError(
            "no_key",
            _(
                "The organisation has no signing key yet; an administrator must run "
                "manage.py badge_keys generate."
            ),
        )
    private_key = decrypt_private_key(key.private_key_encrypted)
    return sign(build_credential(certificate, base_url), private_key, key.kid)
