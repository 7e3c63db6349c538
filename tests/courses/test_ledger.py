import pytest
from django.urls import reverse

from courses import services
from courses.models import HoursEntry


@pytest.fixture
def credited(people):
    services.complete_lesson(people.alice, people.lessons[0])
    return HoursEntry.objects.get(user=people.alice)


@pytest.mark.django_db
def test_it_corrects_an_entry_with_a_reason(client, people, credited):
    client.force_login(people.tom)
    response = client.post(
        reverse("correct_entry", args=[credited.pk]), {"minutes": "20", "reason": "途中退席のため"}
    )
    assert response.status_code == 302
    lines = list(HoursEntry.objects.filter(user=people.alice).values_list("source", "minutes"))
    assert lines == [("lesson", 30), ("correction", -10)]
    assert people.alice.enrollments.get().credited_minutes() == 20
    correction = HoursEntry.objects.get(source="correction")
    assert correction.corrects_id == credited.pk and correction.created_by == people.tom


@pytest.mark.django_db
def test_it_corrects_against_the_net_value(people, credited):
    services.correct_entry(credited, 20, "一回目", by=people.tom)
    services.correct_entry(credited, 45, "二回目", by=people.tom)
    assert people.alice.enrollments.get().credited_minutes() == 45


@pytest.mark.django_db
def test_it_requires_a_reason_and_a_change(client, people, credited):
    client.force_login(people.tom)
    url = reverse("correct_entry", args=[credited.pk])
    assert client.post(url, {"minutes": "20", "reason": ""}).status_code == 400
    assert client.post(url, {"minutes": "30", "reason": "同じ"}).status_code == 400
    assert client.post(url, {"minutes": "-5", "reason": "負"}).status_code == 400
    assert HoursEntry.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_corrections_outside_the_trainers_cohorts(client, people, credited):
    client.force_login(people.tina)
    response = client.post(
        reverse("correct_entry", args=[credited.pk]), {"minutes": "0", "reason": "不正"}
    )
    assert response.status_code == 404
    client.force_login(people.alice)
    assert (
        client.post(
            reverse("correct_entry", args=[credited.pk]), {"minutes": "90", "reason": "x"}
        ).status_code
        == 403
    )
    assert HoursEntry.objects.count() == 1


@pytest.mark.django_db
def test_it_shows_the_learner_their_ledger_line_by_line(client, people, credited):
    services.correct_entry(credited, 25, "記録の修正", by=people.tom)
    client.force_login(people.alice)
    html = client.get(reverse("my_hours", args=[people.course.pk])).content.decode()
    assert "記録の修正" in html and "+30" in html and "-5" in html
    assert "25" in html
