import pytest
from django.urls import reverse

from courses.models import Attendance, HoursEntry, LessonCompletion


def ledger(user):
    return list(HoursEntry.objects.filter(user=user).values_list("source", "minutes"))


@pytest.mark.django_db
def test_it_credits_session_hours_for_present_and_late(client, people):
    client.force_login(people.tom)
    url = reverse("attendance", args=[people.session_a.pk])
    response = client.post(
        url, {f"status-{people.alice.pk}": "present", f"status-{people.bob.pk}": "late"}
    )
    assert response.status_code == 302
    assert ledger(people.alice) == [("session", 120)]
    assert ledger(people.bob) == [("session", 120)]


@pytest.mark.django_db
def test_it_takes_hours_back_with_a_new_line_when_status_changes(client, people):
    client.force_login(people.tom)
    url = reverse("attendance", args=[people.session_a.pk])
    client.post(url, {f"status-{people.alice.pk}": "present"})
    client.post(url, {f"status-{people.alice.pk}": "absent"})
    client.post(url, {f"status-{people.alice.pk}": "absent"})
    assert ledger(people.alice) == [("session", 120), ("session", -120)]
    assert Attendance.objects.get(user=people.alice).status == "absent"


@pytest.mark.django_db
def test_it_completes_the_linked_lesson_when_attended(client, people):
    people.session_a.lesson = people.lessons[1]
    people.session_a.save()
    client.force_login(people.tom)
    url = reverse("attendance", args=[people.session_a.pk])
    client.post(url, {f"status-{people.alice.pk}": "late"})
    assert LessonCompletion.objects.filter(user=people.alice, lesson=people.lessons[1]).exists()
    client.post(url, {f"status-{people.alice.pk}": "excused"})
    assert not LessonCompletion.objects.filter(user=people.alice).exists()


@pytest.mark.django_db
def test_it_rejects_trainees_of_another_cohort_and_saves_nothing(client, people):
    client.force_login(people.tom)
    url = reverse("attendance", args=[people.session_a.pk])
    response = client.post(
        url, {f"status-{people.alice.pk}": "present", f"status-{people.charlie.pk}": "present"}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()
    assert not HoursEntry.objects.exists()


@pytest.mark.django_db
def test_it_rejects_unknown_statuses_and_malformed_ids(client, people):
    client.force_login(people.tom)
    url = reverse("attendance", args=[people.session_a.pk])
    assert client.post(url, {f"status-{people.alice.pk}": "asleep"}).status_code == 400
    assert client.post(url, {"status-abc": "present"}).status_code == 400
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_it_hides_other_trainers_sessions(client, people):
    client.force_login(people.tina)
    url = reverse("attendance", args=[people.session_a.pk])
    assert client.post(url, {f"status-{people.alice.pk}": "present"}).status_code == 404
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_it_lists_the_cohort_on_one_screen(client, people):
    client.force_login(people.tom)
    html = client.get(reverse("attendance", args=[people.session_a.pk])).content.decode()
    assert "有田 愛" in html and "坂井 望" in html
    assert "近藤" not in html
