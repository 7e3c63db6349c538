from datetime import date

import pytest
import segno
from django.urls import reverse

from assessments import certification
from assessments.certificate_views import qr_svg
from assessments.models import Certificate
from tests.assessments.cert_builders import build_exam, build_rule, make_eligible
from tests.factories import make_user
from yorisoi.roles import COORDINATOR


@pytest.fixture
def setup(people, scenario):
    people.rule = build_rule(people.course, scenario=scenario, valid_years=3)
    people.exam = build_exam(people.course)
    make_eligible(people.alice, people, people.exam, scenario)
    people.coordinator = make_user("cora", COORDINATOR)
    return people


@pytest.fixture
def cert(setup):
    return certification.issue(setup.alice, setup.course, by=setup.tom, issued_on=date(2026, 4, 1))


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_it_verifies_a_valid_certificate_with_four_fields_only(client, cert):
    response = client.get(reverse("assessments:verify", args=[cert.code]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    body = response.content.decode()
    assert "有田 愛" in body
    assert cert.course_title in body
    assert "2026" in body
    assert response.context["status"] == "valid"
    for secret in (cert.number, "alice@example.org", "alice", cert.user.email):
        assert secret not in body
    assert set(response.context.keys()) >= {"holder_name", "course_title", "issued_on", "status"}
    assert "certificate" not in response.context


def test_it_verifies_expired_and_revoked_certificates(client, setup):
    expired = certification.issue(
        setup.alice,
        setup.course,
        by=setup.tom,
        issued_on=date(2020, 1, 1),
        expires_on=date(2021, 1, 1),
    )
    response = client.get(reverse("assessments:verify", args=[expired.code]))
    assert response.context["status"] == "expired"
    credential = reverse("assessments:credential", args=[expired.code])
    assert credential in response.content.decode()
    certification.revoke(expired, "誤発行", by=setup.tom)
    response = client.get(reverse("assessments:verify", args=[expired.code]))
    assert response.status_code == 200
    assert response.context["status"] == "revoked"
    html = response.content.decode()
    assert "誤発行" not in html
    assert credential not in html  # a revoked certificate has no credential to offer


def test_it_answers_404_for_an_unknown_code(client, cert):
    response = client.get(reverse("assessments:verify", args=["no-such-code"]))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert "有田" not in response.content.decode()


def test_it_prints_the_certificate_with_a_qr_code_of_the_verification_url(client, cert):
    response = as_user(client, cert.user).get(
        reverse("assessments:print_certificate", args=[cert.pk])
    )
    assert response.status_code == 200
    url = response.context["verification_url"]
    assert url == f"http://testserver/verify/{cert.code}/"
    assert str(response.context["qr"]) == qr_svg(url)
    assert qr_svg(url) == segno.make(url, error="m").svg_inline(scale=3, title=url)
    body = response.content.decode()
    assert "認定証" in body
    assert cert.number in body
    assert "Yorisoi デモ団体" in body
    assert "<svg" in body


def test_it_prints_the_organisation_name_from_the_setting(client, cert, settings):
    settings.YORISOI_ORGANISATION_NAME = "子育て訪問ネット"
    response = as_user(client, cert.user).get(
        reverse("assessments:print_certificate", args=[cert.pk])
    )
    assert "子育て訪問ネット" in response.content.decode()


def test_it_shows_a_trainee_their_conditions(client, setup):
    response = as_user(client, setup.bob).get(
        reverse("assessments:my_certification", args=[setup.course.pk])
    )
    assert response.status_code == 200
    assert not response.context["status"].eligible
    # No attendance recorded yet counts as met: hours, exam and the scenario remain.
    assert [c.key.split("-")[0] for c in response.context["status"].unmet] == [
        "hours",
        "exam",
        "scenario",
    ]


def test_it_issues_from_the_cohort_page(client, setup):
    url = reverse("assessments:cohort_certificates", args=[setup.cohort_a.pk])
    page = as_user(client, setup.tom).get(url)
    assert page.status_code == 200
    assert page.context["eligible_count"] == 1
    data = {"user": setup.alice.pk, "issued_on": "2026-04-01", "expires_on": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    cert = Certificate.objects.get()
    assert cert.expires_on == date(2029, 4, 1)
    again = client.post(url, data)
    assert again.status_code == 409
    assert Certificate.objects.count() == 1


def test_it_refuses_an_ineligible_trainee_or_bad_dates_on_the_cohort_page(client, setup):
    url = reverse("assessments:cohort_certificates", args=[setup.cohort_a.pk])
    as_user(client, setup.tom)
    response = client.post(url, {"user": setup.bob.pk, "issued_on": "2026-04-01"})
    assert response.status_code == 409
    assert response.context["error"]
    response = client.post(
        url, {"user": setup.alice.pk, "issued_on": "2026-04-01", "expires_on": "2026-03-01"}
    )
    assert response.status_code == 400
    response = client.post(url, {"user": setup.alice.pk, "issued_on": "not a date"})
    assert response.status_code == 400
    assert not Certificate.objects.exists()


def test_it_issues_to_all_after_a_preview(client, setup):
    url = reverse("assessments:issue_all_certificates", args=[setup.cohort_a.pk])
    preview = as_user(client, setup.tom).get(url)
    assert [c.enrollment.user for c in preview.context["candidates"]] == [setup.alice]
    assert not Certificate.objects.exists()
    response = client.post(url, {"user": [setup.alice.pk]})
    assert response.status_code == 302
    assert Certificate.objects.count() == 1


def test_it_revokes_after_a_confirmation_and_says_so_the_second_time(client, cert, setup):
    url = reverse("assessments:revoke_certificate", args=[cert.pk])
    as_user(client, setup.tom)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "本人の申し出"}).status_code == 302
    again = client.post(url, {"reason": "もう一度"})
    assert again.status_code == 409
    cert.refresh_from_db()
    assert cert.revoked_reason == "本人の申し出"


def test_it_renews_from_the_cohort_page(client, cert, setup):
    response = as_user(client, setup.tom).post(
        reverse("assessments:renew_certificate", args=[cert.pk])
    )
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.expires_on == date(2032, 4, 1)


# --- Permissions -----------------------------------------------------------------------------

WHO = ["anonymous", "alice", "bob", "charlie", "coordinator", "tom", "tina", "ada"]


def user_for(people, who):
    return None if who == "anonymous" else getattr(people, who)


def code_of(response):
    return response.status_code


@pytest.mark.parametrize(
    "who,expected",
    list(zip(WHO, [302, 200, 404, 404, 404, 200, 404, 200], strict=True)),
)
def test_it_lets_only_the_holder_their_trainers_and_admins_print(
    client, cert, setup, who, expected
):
    as_user(client, user_for(setup, who))
    response = client.get(reverse("assessments:print_certificate", args=[cert.pk]))
    assert code_of(response) == expected


@pytest.mark.parametrize("who", WHO)
def test_it_lets_anyone_verify(client, cert, setup, who):
    as_user(client, user_for(setup, who))
    assert client.get(reverse("assessments:verify", args=[cert.code])).status_code == 200


@pytest.mark.parametrize(
    "who,expected",
    list(zip(WHO, [302, 200, 200, 200, 404, 404, 404, 404], strict=True)),
)
def test_it_shows_conditions_to_enrolled_trainees_only(client, setup, who, expected):
    as_user(client, user_for(setup, who))
    response = client.get(reverse("assessments:my_certification", args=[setup.course.pk]))
    assert code_of(response) == expected


@pytest.mark.parametrize(
    "who,expected",
    list(zip(WHO, [302, 403, 403, 403, 403, 200, 404, 200], strict=True)),
)
@pytest.mark.parametrize(
    "name", ["assessments:cohort_certificates", "assessments:issue_all_certificates"]
)
def test_it_lets_only_the_cohorts_trainers_issue(client, setup, name, who, expected):
    as_user(client, user_for(setup, who))
    response = client.get(reverse(name, args=[setup.cohort_a.pk]))
    assert code_of(response) == expected
    assert client.post(reverse(name, args=[setup.cohort_a.pk]), {"user": setup.alice.pk})
    if expected != 200:
        assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    "who,expected",
    list(zip(WHO, [302, 403, 403, 403, 403, 200, 404, 200], strict=True)),
)
def test_it_lets_only_the_cohorts_trainers_revoke_or_renew(client, cert, setup, who, expected):
    as_user(client, user_for(setup, who))
    assert code_of(client.get(reverse("assessments:revoke_certificate", args=[cert.pk]))) == (
        expected
    )
    renew = client.post(reverse("assessments:renew_certificate", args=[cert.pk]))
    assert code_of(renew) == (302 if expected == 200 else expected)
    revoke = client.post(reverse("assessments:revoke_certificate", args=[cert.pk]), {"reason": "x"})
    assert code_of(revoke) == (302 if expected == 200 else expected)
