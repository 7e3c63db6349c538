"""A way in for everyone: invitation links for roster-created trainees, a self-service
password reset, and each role's landing page after login."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from courses import services
from yorisoi import two_factor

ROSTER = "氏名,メールアドレス\n佐藤 花子,hanako@example.org\n"


@pytest.fixture
def hanako(client, people):
    client.force_login(people.tom)
    response = client.post(
        reverse("roster", args=[people.cohort_a.pk]), {"text": ROSTER, "apply": "1"}
    )
    assert response.url.endswith("#invitations")
    client.logout()
    return get_user_model().objects.get(email="hanako@example.org")


def invitation_link(client, people, user):
    client.force_login(people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    client.logout()
    match = re.search(rf'id="invite-{user.pk}".*?value="(http[^"]+)"', html, re.S)
    return match and match.group(1)


@pytest.mark.django_db
def test_it_gives_the_trainer_an_invitation_link_per_new_trainee(client, people, hanako):
    link = invitation_link(client, people, hanako)
    assert link and link.startswith("http://testserver/accounts/invitation/")
    client.force_login(people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    assert f'href="#invite-{hanako.pk}"' in html  # marked in the matrix row
    # Trainees who can already log in need no invitation.
    assert f'id="invite-{people.alice.pk}"' not in html


@pytest.mark.django_db
def test_it_lets_an_invited_trainee_choose_a_password_once(client, people, hanako):
    link = invitation_link(client, people, hanako)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert 'name="new_password1"' in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "hana-no-niwa-2026", "new_password2": "hana-no-niwa-2026"},
    )
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # logged in
    hanako.refresh_from_db()
    assert hanako.check_password("hana-no-niwa-2026")

    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert 'name="new_password1"' not in again
    assert invitation_link(client, people, hanako) is None


@pytest.mark.django_db
def test_it_emails_invitations_when_email_is_configured(client, people, hanako):
    client.force_login(people.tom)
    url = reverse("send_invitations", args=[people.cohort_a.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["hanako@example.org"]]
    assert "http://testserver/accounts/invitation/" in mail.outbox[0].body
    assert "佐藤 花子" in mail.outbox[0].body


@pytest.mark.django_db
def test_it_offers_no_email_button_without_email(client, people, hanako, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    client.force_login(people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    assert reverse("send_invitations", args=[people.cohort_a.pk]) not in html
    client.post(reverse("send_invitations", args=[people.cohort_a.pk]))
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_refuses_invitations_for_another_trainers_cohort(client, people, hanako):
    client.force_login(people.tina)
    response = client.post(reverse("send_invitations", args=[people.cohort_a.pk]))
    assert response.status_code == 404
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_resets_a_password_without_revealing_who_has_an_account(client, people, hanako):
    login = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login

    known = client.post(reverse("password_reset"), {"email": "alice@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]

    # A trainee who lost their invitation can get in the same way.
    client.post(reverse("password_reset"), {"email": "HANAKO@example.org"})
    assert mail.outbox[-1].to == ["hanako@example.org"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "hana-no-niwa-2026", "new_password2": "hana-no-niwa-2026"},
    )
    assert response.url == reverse("password_reset_complete")
    assert client.login(username="hanako@example.org", password="hana-no-niwa-2026")


@pytest.mark.django_db
def test_it_sends_each_role_to_its_own_landing_page(client, people):
    def log_in(username, **extra):
        return client.post(
            reverse("login") + extra.get("query", ""),
            {"username": username, "password": "pw-for-tests", **extra.get("data", {})},
        )

    # Trainers and admins set up their authenticator first; the landing page comes after it.
    def after_setup(url):
        return two_factor.step_url("two_factor_setup", url)

    assert log_in("tom").url == after_setup(reverse("trainer_cohorts"))
    assert log_in("ada").url == after_setup(reverse("trainer_cohorts"))
    assert log_in("alice").url == reverse("home")
    journal = reverse("journal")
    assert log_in("tom", data={"next": journal}).url == after_setup(journal)
    assert log_in("alice", data={"next": journal}).url == journal


@pytest.mark.django_db
def test_it_knows_who_still_awaits_an_invitation(people, hanako):
    assert services.awaits_invitation(hanako)
    assert not services.awaits_invitation(people.alice)
    # A staff account is never handed over through an invitation link.
    hanako.is_staff = True
    assert not services.awaits_invitation(hanako)
