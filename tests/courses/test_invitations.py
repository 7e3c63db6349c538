"""A way in for everyone: one kind of invitation link for everyone a roster names, whether or
not they had an account (the cohort page must not tell them apart), a self-service password
reset, and each role's landing page after login."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse
from wagtail.models import ModelLogEntry

from courses import services
from courses.models import CohortInvitation, Enrollment
from tests.factories import make_user
from yorisoi import two_factor
from yorisoi.roles import TRAINEE

# 佐藤 花子 has no account yet; 佐伯 紗絵 has one (the `sae` fixture).
ROSTER = "氏名,メールアドレス\n佐藤 花子,hanako@example.org\n佐伯 紗絵,sae@example.org\n"
PASSWORD = "hana-no-niwa-2026"


@pytest.fixture
def sae(people):
    return make_user("sae", TRAINEE, last_name="佐伯", first_name="紗絵")


@pytest.fixture
def hanako(client, people, sae):
    """Tom imports a roster naming a new address (hanako) and an existing account (sae)."""
    client.force_login(people.tom)
    response = client.post(
        reverse("roster", args=[people.cohort_a.pk]), {"text": ROSTER, "apply": "1"}
    )
    assert response.url.endswith("#invitations")
    client.logout()
    return get_user_model().objects.get(email="hanako@example.org")


def dashboard(client, people, trainer=None):
    client.force_login(trainer or people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    client.logout()
    return html


def invitation_of(user, cohort):
    return CohortInvitation.objects.get(user=user, cohort=cohort)


def invitation_link(client, people, user):
    """The link the cohort page shows for `user`'s invitation, or None when it shows none."""
    invitation = CohortInvitation.objects.filter(user=user, cohort=people.cohort_a).first()
    if invitation is None:
        return None
    html = dashboard(client, people)
    match = re.search(rf'id="invite-{invitation.pk}".*?value="(http[^"]+)"', html, re.S)
    return match and match.group(1)


def logged(invitation, action):
    return ModelLogEntry.objects.filter(object_id=str(invitation.pk), action=action).exists()


def choose_password(client, link, password=PASSWORD):
    return client.post(
        link, {"answer": "join", "new_password1": password, "new_password2": password}
    )


# --- The cohort page: new and existing accounts look the same ------------------------------


@pytest.mark.django_db
def test_it_shows_new_and_existing_accounts_alike_until_they_join(client, people, sae, hanako):
    html = dashboard(client, people)
    section = re.search(r'<section id="invitations">.*?</section>', html, re.S).group(0)
    items = re.findall(r"<li .*?</li>", section, re.S)
    assert len(items) == 2

    def blanked(item, invitation):
        item = item.replace(invitation.name, "NAME").replace(invitation.email, "EMAIL")
        item = re.sub(r"/invitations/[^/\"]+/", "/invitations/TOKEN/", item)
        return re.sub(rf"\b{invitation.pk}\b", "ID", item)

    new, existing = invitation_of(hanako, people.cohort_a), invitation_of(sae, people.cohort_a)
    new_item = next(item for item in items if new.name in item)
    existing_item = next(item for item in items if existing.name in item)
    assert blanked(new_item, new) == blanked(existing_item, existing)
    assert "http://testserver/invitations/" in new_item
    # The token carries the invitation's id and nothing of the account, whose id would tell a
    # long-standing account from one the roster just created.
    for item, invitation in ((new_item, new), (existing_item, existing)):
        token = re.search(r"/invitations/([^/\"]+)/", item).group(1)
        assert signing.loads(token, salt=services.INVITATION_SALT) == invitation.pk

    # Neither is in the matrix, and neither has hours or progress there.
    assert Enrollment.objects.filter(cohort=people.cohort_a).count() == 2
    matrix = re.search(r'<table class="matrix">.*?</table>', html, re.S).group(0)
    assert "佐藤" not in matrix and "佐伯" not in matrix


@pytest.mark.django_db
def test_it_lets_a_new_person_choose_a_password_and_join_once(client, people, hanako):
    link = invitation_link(client, people, hanako)
    form = client.get(link)
    assert form.status_code == 200
    assert 'name="new_password1"' in form.content.decode()

    response = choose_password(client, link)

    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # signed in
    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)
    assert Enrollment.objects.get(user=hanako).cohort == people.cohort_a
    invitation = invitation_of(hanako, people.cohort_a)
    assert invitation.status == "accepted"
    assert logged(invitation, CohortInvitation.ACCEPTED_ACTION)

    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert 'name="new_password1"' not in again.content.decode()
    html = dashboard(client, people)
    assert invitation_link(client, people, hanako) is None
    assert "佐藤 花子" in re.search(r'<table class="matrix">.*?</table>', html, re.S).group(0)


@pytest.mark.django_db
def test_it_refuses_a_weak_password_and_keeps_the_invitation(client, people, hanako):
    link = invitation_link(client, people, hanako)

    response = choose_password(client, link, "83917264")

    assert response.status_code == 400
    hanako.refresh_from_db()
    assert not hanako.has_usable_password()
    assert invitation_of(hanako, people.cohort_a).pending


@pytest.mark.django_db
def test_it_asks_an_existing_account_to_log_in_then_join(client, people, sae, hanako):
    link = invitation_link(client, people, sae)
    page = client.get(link).content.decode()
    assert 'name="new_password1"' not in page
    assert f"{reverse('login')}?next=" in page
    assert client.post(link, {"answer": "accept"}).status_code == 200
    assert not Enrollment.objects.filter(user=sae).exists()

    signed_in = client.post(
        f"{reverse('login')}?next={link}", {"username": "sae", "password": "pw-for-tests"}
    )
    assert signed_in.url == link
    assert 'value="accept"' in client.get(link).content.decode()
    response = client.post(link, {"answer": "accept"})

    assert response.url == reverse("home")
    assert Enrollment.objects.get(user=sae).cohort == people.cohort_a
    invitation = invitation_of(sae, people.cohort_a)
    assert invitation.status == "accepted"
    assert logged(invitation, CohortInvitation.ACCEPTED_ACTION)
    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_it_lets_either_kind_decline_with_the_link(client, people, sae, hanako):
    new_link = invitation_link(client, people, hanako)
    existing_link = invitation_link(client, people, sae)

    client.post(new_link, {"answer": "decline"})
    client.force_login(sae)
    client.post(existing_link, {"answer": "decline"})

    for user in (hanako, sae):
        invitation = invitation_of(user, people.cohort_a)
        assert invitation.status == "declined"
        assert logged(invitation, CohortInvitation.DECLINED_ACTION)
        assert not Enrollment.objects.filter(user=user).exists()
    hanako.refresh_from_db()
    assert not hanako.has_usable_password()
    assert client.get(existing_link).status_code == 410
    client.logout()
    assert client.get(new_link).status_code == 410
    assert 'id="invitations"' not in dashboard(client, people)


@pytest.mark.django_db
def test_it_says_clearly_when_a_link_is_not_for_the_visitor_or_not_valid(
    client, people, sae, hanako, settings
):
    new_link = invitation_link(client, people, hanako)
    existing_link = invitation_link(client, people, sae)

    # Someone else signed in (the trainer trying the links): the same 404 for both kinds.
    client.force_login(people.tom)
    foreign = [client.get(link) for link in (new_link, existing_link)]
    assert [response.status_code for response in foreign] == [404, 404]
    pages = [
        re.sub(r'/invitations/[^/"]+/|value="\w+"', "", r.content.decode())  # links, CSRF
        for r in foreign
    ]
    assert pages[0] == pages[1]
    assert "別のアカウント" in foreign[0].content.decode()
    assert client.post(new_link, {"answer": "join"}).status_code == 404
    client.logout()

    tampered = new_link.rstrip("/")[:-3] + "abc/"
    assert client.get(tampered).status_code == 404
    assert client.get(reverse("invitation", args=["not-a-token"])).status_code == 404
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link has expired
    expired = client.get(new_link)
    assert expired.status_code == 410
    assert "有効期限が切れています" in expired.content.decode()
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
    invitation_of(hanako, people.cohort_a).delete()
    assert client.get(new_link).status_code == 404
    assert all(invitation.pending for invitation in CohortInvitation.objects.all())


@pytest.mark.django_db
def test_it_never_lets_a_link_set_the_password_of_an_account_it_did_not_create(
    client, people, hanako
):
    # Hanako's account comes from Tom's roster and has no password yet. Tina's roster for her
    # own cohort invites the same address: Tina's link must not let Tina choose it.
    services.bulk_enrol(
        people.cohort_b, "氏名,メールアドレス\n佐藤 花子,hanako@example.org\n", by=people.tina,
        dry_run=False,
    )  # fmt: skip
    tinas = invitation_of(hanako, people.cohort_b)
    assert not tinas.new_account
    page = client.get(services.invitation_path(tinas)).content.decode()
    assert 'name="new_password1"' not in page
    assert (
        client.post(
            services.invitation_path(tinas),
            {"answer": "join", "new_password1": PASSWORD, "new_password2": PASSWORD},
        ).status_code
        == 200
    )
    hanako.refresh_from_db()
    assert not hanako.has_usable_password()


@pytest.mark.django_db
def test_it_keeps_the_link_for_a_password_when_an_org_admin_confirmed(client, people, hanako):
    link = invitation_link(client, people, hanako)
    client.force_login(people.ada)
    client.post(reverse("confirm_invitation", args=[invitation_of(hanako, people.cohort_a).pk]))
    client.logout()
    assert Enrollment.objects.get(user=hanako).cohort == people.cohort_a
    assert logged(invitation_of(hanako, people.cohort_a), CohortInvitation.CONFIRMED_ACTION)

    assert choose_password(client, link).url == reverse("home")

    hanako.refresh_from_db()
    assert hanako.check_password(PASSWORD)
    assert Enrollment.objects.filter(user=hanako).count() == 1
    client.logout()
    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_it_shows_a_trainer_nothing_of_a_new_person_before_they_join(
    client, people, scenario, hanako
):
    from roleplay.models import PracticeSession

    session = PracticeSession.objects.create(
        user=hanako, scenario=scenario, scenario_data=scenario.as_data(), mode="scripted"
    )
    client.force_login(people.tom)
    for name in ("roleplay_play", "roleplay_debrief"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 404
    assert client.get(f"/api/roleplay/sessions/{session.pk}").status_code == 404
    assert "佐藤" not in client.get(reverse("trainer_roleplay")).content.decode()
    export = client.get(reverse("cohort_export", args=[people.cohort_a.pk]))
    assert "hanako@example.org" not in export.content.decode("utf-8-sig")
    assert not Enrollment.objects.filter(user=hanako).exists()


# --- E-mail -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_emails_everyone_invited_in_the_same_words(client, people, sae, hanako):
    client.force_login(people.tom)
    response = client.post(reverse("send_invitations", args=[people.cohort_a.pk]))
    assert response.status_code == 302
    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["hanako@example.org", "sae@example.org"]

    def blanked(message, name):
        body = re.sub(r"http://testserver/invitations/\S+/", "LINK", message.body)
        return message.subject, body.replace(name, "NAME")

    assert blanked(sent["hanako@example.org"], "佐藤 花子") == blanked(
        sent["sae@example.org"], "佐伯 紗絵"
    )
    link = re.search(r"http://testserver(/invitations/\S+/)", sent["hanako@example.org"].body)
    client.logout()
    assert 'name="new_password1"' in client.get(link.group(1)).content.decode()


@pytest.mark.django_db
def test_it_offers_no_email_button_without_email(client, people, hanako, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    html = dashboard(client, people)
    assert reverse("send_invitations", args=[people.cohort_a.pk]) not in html
    client.force_login(people.tom)
    client.post(reverse("send_invitations", args=[people.cohort_a.pk]))
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_refuses_invitations_for_another_trainers_cohort(client, people, hanako):
    client.force_login(people.tina)
    response = client.post(reverse("send_invitations", args=[people.cohort_a.pk]))
    assert response.status_code == 404
    assert mail.outbox == []
    assert "hanako@example.org" not in dashboard(client, people, trainer=people.tina)


# --- Password reset and landing pages -----------------------------------------------------------


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
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.url == reverse("password_reset_complete")
    assert client.login(username="hanako@example.org", password=PASSWORD)


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
