from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assessments import certification
from assessments.certification import CertificationError
from assessments.models import Certificate, CertificateCounter, CertificateStatus
from courses.models import Enrollment
from courses.services import enrol
from tests.assessments.cert_builders import (
    build_exam,
    build_rule,
    credit_hours,
    make_eligible,
)
from tests.factories import build_course
from tests.threads import at_once


@pytest.fixture
def setup(people, scenario):
    rule = build_rule(people.course, scenario=scenario, valid_years=3)
    exam = build_exam(people.course)
    make_eligible(people.alice, people, exam, scenario)
    return people, rule, exam, scenario


def actions(certificate):
    return list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Certificate),
            object_id=str(certificate.pk),
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_it_issues_a_certificate_with_number_code_and_expiry(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(
        people.alice, people.course, by=people.tom, issued_on=date(2026, 4, 1)
    )
    assert cert.number == "YH-2026-0001"
    assert cert.holder_name == "有田 愛"
    assert cert.course_title == people.course.title
    assert cert.cohort == people.cohort_a
    assert cert.expires_on == date(2029, 4, 1)
    assert len(cert.code) >= 20
    assert cert.issued_by == people.tom
    assert cert.status == CertificateStatus.VALID
    assert actions(cert) == ["assessments.certificate.issue"]


def test_it_refuses_a_trainee_who_is_not_eligible(setup):
    people, rule, exam, scenario = setup
    with pytest.raises(CertificationError) as refused:
        certification.issue(people.bob, people.course, by=people.tom)
    assert refused.value.code == "not_eligible"
    assert "Training hours" in refused.value.message or "研修時間" in refused.value.message
    assert not Certificate.objects.exists()
    assert not CertificateCounter.objects.filter(last__gt=0).exists()


def test_it_refuses_a_trainee_who_is_not_enrolled(setup, django_user_model):
    people, rule, exam, scenario = setup
    Enrollment.objects.filter(user=people.alice).delete()
    with pytest.raises(CertificationError) as refused:
        certification.issue(people.alice, people.course, by=people.tom)
    assert refused.value.code == "not_enrolled"


def test_it_refuses_a_course_without_a_rule(people):
    with pytest.raises(CertificationError) as refused:
        certification.issue(people.alice, people.course, by=people.tom)
    assert refused.value.code == "no_rule"


def test_it_issues_once_when_asked_twice(setup):
    people, rule, exam, scenario = setup
    certification.issue(people.alice, people.course, by=people.tom)
    with pytest.raises(CertificationError) as refused:
        certification.issue(people.alice, people.course, by=people.tom)
    assert refused.value.code == "already_certified"
    assert Certificate.objects.count() == 1
    assert CertificateCounter.objects.get().last == 1


def test_it_refuses_an_expiry_before_the_issue_date(setup):
    people, rule, exam, scenario = setup
    with pytest.raises(CertificationError) as refused:
        certification.issue(
            people.alice,
            people.course,
            by=people.tom,
            issued_on=date(2026, 4, 1),
            expires_on=date(2026, 3, 31),
        )
    assert refused.value.code == "expiry_before_issue"
    assert not Certificate.objects.exists()
    # The number was given back with the rolled-back transaction.
    assert not CertificateCounter.objects.filter(last__gt=0).exists()


def test_it_takes_an_explicit_expiry(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(
        people.alice,
        people.course,
        by=people.tom,
        issued_on=date(2026, 4, 1),
        expires_on=date(2027, 4, 1),
    )
    assert cert.expires_on == date(2027, 4, 1)


def test_it_leaves_no_expiry_when_the_rule_has_none(setup):
    people, rule, exam, scenario = setup
    rule.valid_years = None
    rule.save()
    cert = certification.issue(people.alice, people.course, by=people.tom)
    assert cert.expires_on is None


def test_it_numbers_without_gaps_per_prefix_and_year(setup):
    people, rule, exam, scenario = setup
    make_eligible(people.bob, people, exam, scenario)
    make_eligible(people.charlie, people, exam, scenario)
    with pytest.raises(CertificationError):
        certification.issue(people.alice, people.course, by=people.tom, expires_on=date(2000, 1, 1))
    numbers = [
        certification.issue(user, people.course, by=people.tom, issued_on=date(2026, 5, 1)).number
        for user in (people.alice, people.bob)
    ]
    numbers.append(
        certification.issue(
            people.charlie, people.course, by=people.tina, issued_on=date(2027, 1, 5)
        ).number
    )
    assert numbers == ["YH-2026-0001", "YH-2026-0002", "YH-2027-0001"]


def test_it_revokes_with_a_reason_once(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(people.alice, people.course, by=people.tom)
    with pytest.raises(CertificationError) as refused:
        certification.revoke(cert, "  ", by=people.tom)
    assert refused.value.code == "reason_required"
    revoked = certification.revoke(cert, "本人からの申し出", by=people.tom)
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == "本人からの申し出"
    assert revoked.revoked_by == people.tom
    with pytest.raises(CertificationError) as refused:
        certification.revoke(cert, "二度目", by=people.tom)
    assert refused.value.code == "already_revoked"
    assert actions(cert) == ["assessments.certificate.issue", "assessments.certificate.revoke"]


def test_it_issues_again_after_a_revocation(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(people.alice, people.course, by=people.tom)
    certification.revoke(cert, "誤発行", by=people.tom)
    again = certification.issue(people.alice, people.course, by=people.tom)
    assert again.pk != cert.pk


def test_it_reports_expired_certificates(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(
        people.alice,
        people.course,
        by=people.tom,
        issued_on=date(2020, 1, 1),
        expires_on=date(2021, 1, 1),
    )
    assert cert.status == CertificateStatus.EXPIRED


def test_it_renews_from_the_old_expiry(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(
        people.alice, people.course, by=people.tom, issued_on=date(2024, 2, 29)
    )
    assert cert.expires_on == date(2027, 2, 28)
    renewed = certification.renew(cert, by=people.tom)
    assert renewed.expires_on == date(2030, 2, 28)
    assert renewed.renewed_at is not None
    assert actions(cert) == ["assessments.certificate.issue", "assessments.certificate.renew"]


def test_it_refuses_to_renew_a_revoked_or_never_expiring_certificate(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(people.alice, people.course, by=people.tom, expires_on=None)
    rule.valid_years = None
    rule.save()
    with pytest.raises(CertificationError) as refused:
        certification.renew(cert, by=people.tom)
    assert refused.value.code == "no_expiry"
    certification.revoke(cert, "理由", by=people.tom)
    with pytest.raises(CertificationError) as refused:
        certification.renew(cert, by=people.tom)
    assert refused.value.code == "revoked"


def test_it_renews_when_the_follow_up_course_is_complete(setup):
    people, rule, exam, scenario = setup
    follow_up = build_course("follow-up", modules=1, lessons_per_module=1, required_hours="2")
    rule.renewal_course = follow_up
    rule.save()
    cert = certification.issue(
        people.alice, people.course, by=people.tom, issued_on=date(2026, 1, 10)
    )
    enrol(people.alice, follow_up, by=people.tom)
    # Each credit in the follow-up course checks whether it is now complete.
    credit_hours(people.alice, follow_up, 60)
    cert.refresh_from_db()
    assert cert.expires_on == date(2029, 1, 10)
    credit_hours(people.alice, follow_up, 60)
    cert.refresh_from_db()
    assert cert.expires_on == date(2032, 1, 10)
    # More credits in the same follow-up do not renew it again.
    credit_hours(people.alice, follow_up, 60)
    cert.refresh_from_db()
    assert cert.expires_on == date(2032, 1, 10)


def test_it_previews_then_issues_to_all_eligible(setup):
    people, rule, exam, scenario = setup
    preview = certification.issue_cohort(people.cohort_a, by=people.tom, preview=True)
    assert [c.enrollment.user for c in preview] == [people.alice]
    assert not Certificate.objects.exists()
    issued = certification.issue_cohort(
        people.cohort_a, by=people.tom, preview=False, user_ids=[people.alice.pk]
    )
    assert [c.user for c in issued] == [people.alice]
    # Confirming twice (a double click) issues nothing more.
    assert (
        certification.issue_cohort(
            people.cohort_a, by=people.tom, preview=False, user_ids=[people.alice.pk]
        )
        == []
    )
    assert Certificate.objects.count() == 1


def test_it_issues_only_to_those_shown_in_the_preview(setup):
    people, rule, exam, scenario = setup
    issued = certification.issue_cohort(
        people.cohort_a, by=people.tom, preview=False, user_ids=[people.bob.pk]
    )
    assert issued == []


@pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason="the in-memory SQLite test database is not shared between threads",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_issues_once_under_concurrent_requests(people, scenario):
    build_rule(people.course, scenario=scenario)
    exam = build_exam(people.course)
    make_eligible(people.alice, people, exam, scenario)
    issued, refused = at_once(
        [lambda: certification.issue(people.alice, people.course, by=people.tom)] * 2
    )
    assert Certificate.objects.count() == 1
    assert CertificateCounter.objects.get().last == 1
    assert sum(isinstance(result, Certificate) for result in issued) == 1
    assert all(isinstance(error, CertificationError) for error in refused), refused


def test_it_dates_issue_today_by_default(setup):
    people, rule, exam, scenario = setup
    cert = certification.issue(people.alice, people.course, by=people.tom)
    assert cert.issued_on == timezone.localdate()
    assert cert.expires_on - cert.issued_on > timedelta(days=365 * 3 - 1)
