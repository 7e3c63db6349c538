import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import CohortInvitation, Enrollment

GOOD = "氏名,メールアドレス\n山田 花子,hanako@example.org\n佐々木 恵,megumi@example.org\n"


def upload(text, encoding="utf-8"):
    return SimpleUploadedFile("roster.csv", text.encode(encoding), content_type="text/csv")


@pytest.mark.django_db
def test_it_checks_first_and_creates_nothing_on_a_dry_run(client, people):
    client.force_login(people.tom)
    response = client.post(reverse("roster", args=[people.cohort_a.pk]), {"file": upload(GOOD)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "hanako@example.org" in html
    assert not get_user_model().objects.filter(email="hanako@example.org").exists()


@pytest.mark.django_db
def test_it_invites_every_row_when_confirmed(client, people):
    client.force_login(people.tom)
    url = reverse("roster", args=[people.cohort_a.pk])
    response = client.post(url, {"text": GOOD, "apply": "1"})
    assert response.status_code == 302
    hanako = get_user_model().objects.get(email="hanako@example.org")
    assert (hanako.last_name, hanako.first_name) == ("山田", "花子")
    assert not hanako.has_usable_password()
    assert hanako.groups.filter(name="受講者").exists()
    # New accounts too are invited, not enrolled: they join with their link.
    assert Enrollment.objects.filter(cohort=people.cohort_a).count() == 2
    invitations = CohortInvitation.objects.filter(cohort=people.cohort_a)
    assert sorted(invitations.values_list("email", "status", "new_account")) == [
        ("hanako@example.org", "pending", True),
        ("megumi@example.org", "pending", True),
    ]
    # Running the same roster again duplicates nothing, and says so before anything is done.
    from courses.services import bulk_enrol, parse_roster

    preview = parse_roster(people.cohort_a, GOOD)
    assert [row.already_invited for row in preview.rows] == [True, True]
    again = bulk_enrol(people.cohort_a, GOOD, by=people.tom, dry_run=False)
    assert again.added == 0
    assert invitations.count() == 2
    assert get_user_model().objects.filter(email="hanako@example.org").count() == 1


@pytest.mark.django_db
def test_it_reports_errors_per_row_and_creates_nothing(client, people):
    bad = (
        "氏名,メールアドレス\n"
        "山田 花子,hanako@example.org\n"
        ",noname@example.org\n"
        "田村 陽子,not-an-email\n"
        "重複 一,dup@example.org\n"
        "重複 二,dup@example.org\n"
    )
    client.force_login(people.tom)
    response = client.post(
        reverse("roster", args=[people.cohort_a.pk]), {"text": bad, "apply": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert line in html
    assert not get_user_model().objects.filter(email="hanako@example.org").exists()
    assert Enrollment.objects.filter(cohort=people.cohort_a).count() == 2


@pytest.mark.django_db
def test_it_explains_a_wrong_header_or_encoding(client, people):
    client.force_login(people.tom)
    url = reverse("roster", args=[people.cohort_a.pk])
    response = client.post(url, {"file": upload("name;mail\nx;y\n")})
    assert response.status_code == 400
    assert "Line 1" in response.content.decode() or "1行目" in response.content.decode()
    response = client.post(url, {"file": upload(GOOD, encoding="shift_jis")})
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


@pytest.mark.django_db
def test_it_accepts_excel_csv_with_a_bom_and_english_headers(people):
    from courses.services import parse_roster

    report = parse_roster(people.cohort_a, "\ufeffname,email\nA B,a@example.org\n")
    assert report.ok and report.rows[0].email == "a@example.org"


# --- Existing accounts are invited, never enrolled without their consent ---------------------


def roster_of(*rows):
    return "氏名,メールアドレス\n" + "".join(f"{name},{email}\n" for name, email in rows)


def import_roster(client, cohort, text):
    url = reverse("roster", args=[cohort.pk])
    preview = client.post(url, {"text": text})
    applied = client.post(url, {"text": text, "apply": "1"}, follow=True)
    return preview, applied


def visible_result(html):
    """The roster page's result table and messages, with the names and e-mails blanked."""
    import re

    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r"[\w.+-]+@example\.org", "EMAIL", html)
    return re.sub(r"(山田 花子|近藤 千春|有田 愛)", "NAME", html)


@pytest.mark.django_db
def test_it_invites_an_existing_account_instead_of_enrolling_it(client, people):
    client.force_login(people.tom)
    import_roster(client, people.cohort_a, roster_of(("近藤 千春", "charlie@example.org")))

    assert not Enrollment.objects.filter(user=people.charlie, cohort=people.cohort_a).exists()
    invitation = CohortInvitation.objects.get(user=people.charlie)
    assert (invitation.cohort, invitation.status) == (people.cohort_a, "pending")
    assert not invitation.new_account


@pytest.mark.django_db
def test_it_words_the_preview_and_result_alike_for_new_and_existing_accounts(client, people):
    client.force_login(people.tom)
    stranger = roster_of(("近藤 千春", "charlie@example.org"))
    newcomer = roster_of(("山田 花子", "hanako@example.org"))

    existing_preview, existing_result = import_roster(client, people.cohort_a, stranger)
    new_preview, new_result = import_roster(client, people.cohort_a, newcomer)

    assert existing_preview.status_code == new_preview.status_code == 200
    assert visible_result(existing_preview.content.decode()) == visible_result(
        new_preview.content.decode()
    )
    existing_messages = [str(m) for m in existing_result.context["messages"]]
    new_messages = [str(m) for m in new_result.context["messages"]]
    assert existing_messages == new_messages
    assert existing_result.redirect_chain == new_result.redirect_chain
    # Nothing about the account's other cohort either.
    assert people.cohort_b.name not in existing_preview.content.decode()


@pytest.mark.django_db
def test_it_shows_a_trainer_nothing_of_a_stranger_they_imported(client, people, scenario):
    from roleplay.models import PracticeSession

    session = PracticeSession.objects.create(
        user=people.charlie, scenario=scenario, scenario_data=scenario.as_data(), mode="scripted"
    )
    client.force_login(people.tom)
    import_roster(client, people.cohort_a, roster_of(("近藤 千春", "charlie@example.org")))

    for name in ("roleplay_play", "roleplay_debrief"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 404
    assert client.get(f"/api/roleplay/sessions/{session.pk}").status_code == 404
    assert "近藤" not in client.get(reverse("trainer_roleplay")).content.decode()
    charlie_ledger = reverse("trainee_ledger", args=[people.charlie.enrollments.get().pk])
    assert client.get(charlie_ledger).status_code == 404


@pytest.mark.django_db
def test_it_lets_the_invited_person_accept_on_their_page(client, people):
    from courses import services

    stranger = get_user_model().objects.create_user(
        "sae", email="sae@example.org", password="pw-for-tests"
    )
    services.bulk_enrol(
        people.cohort_a, roster_of(("佐伯 紗絵", "sae@example.org")), by=people.tom, dry_run=False
    )
    invitation = CohortInvitation.objects.get(user=stranger)
    client.force_login(stranger)
    page = client.get(reverse("home")).content.decode()
    assert people.cohort_a.name in page

    response = client.post(reverse("answer_invitation", args=[invitation.pk]), {"answer": "accept"})

    assert response.status_code == 302
    assert Enrollment.objects.get(user=stranger).cohort == people.cohort_a
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert logged(invitation, CohortInvitation.ACCEPTED_ACTION)


@pytest.mark.django_db
def test_it_lets_the_invited_person_decline(client, people):
    from courses import services

    services.bulk_enrol(
        people.cohort_a,
        roster_of(("近藤 千春", "charlie@example.org")),
        by=people.tom,
        dry_run=False,
    )
    invitation = CohortInvitation.objects.get(user=people.charlie)
    client.force_login(people.charlie)
    client.post(reverse("answer_invitation", args=[invitation.pk]), {"answer": "decline"})

    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert Enrollment.objects.get(user=people.charlie).cohort == people.cohort_b


@pytest.mark.django_db
def test_it_lets_no_one_else_answer_an_invitation_but_an_org_admin(client, people):
    from courses import services

    stranger = get_user_model().objects.create_user(
        "sae", email="sae@example.org", password="pw-for-tests"
    )
    services.bulk_enrol(
        people.cohort_a, roster_of(("佐伯 紗絵", "sae@example.org")), by=people.tom, dry_run=False
    )
    invitation = CohortInvitation.objects.get(user=stranger)
    client.force_login(people.tom)
    mine = reverse("answer_invitation", args=[invitation.pk])
    assert client.post(mine, {"answer": "accept"}).status_code == 404
    confirm = reverse("confirm_invitation", args=[invitation.pk])
    assert client.post(confirm).status_code == 403
    assert not Enrollment.objects.filter(user=stranger).exists()

    client.force_login(people.ada)
    assert client.post(confirm).status_code == 302

    assert Enrollment.objects.get(user=stranger).cohort == people.cohort_a
    assert logged(invitation, CohortInvitation.CONFIRMED_ACTION)


def logged(instance, action):
    """Whether the audit log holds `action` for the object."""
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(object_id=str(instance.pk), action=action).exists()
