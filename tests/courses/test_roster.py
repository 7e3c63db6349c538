import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import Enrollment

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
def test_it_enrols_every_row_when_confirmed(client, people):
    client.force_login(people.tom)
    url = reverse("roster", args=[people.cohort_a.pk])
    response = client.post(url, {"text": GOOD, "apply": "1"})
    assert response.status_code == 302
    hanako = get_user_model().objects.get(email="hanako@example.org")
    assert (hanako.last_name, hanako.first_name) == ("山田", "花子")
    assert not hanako.has_usable_password()
    assert hanako.groups.filter(name="受講者").exists()
    assert Enrollment.objects.filter(cohort=people.cohort_a).count() == 4
    # Running the same roster again duplicates nothing.
    from courses.services import bulk_enrol

    again = bulk_enrol(people.cohort_a, GOOD, by=people.tom, dry_run=False)
    assert (again.enrolled, again.created_users) == (0, 0)
    assert Enrollment.objects.filter(cohort=people.cohort_a).count() == 4
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
        "近藤 千春,charlie@example.org\n"
    )
    client.force_login(people.tom)
    response = client.post(
        reverse("roster", args=[people.cohort_a.pk]), {"text": bad, "apply": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>", "<td>7</td>"):
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
