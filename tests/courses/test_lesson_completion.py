import re

import pytest
from django.urls import reverse

from courses import services
from courses.models import Delivery, HoursEntry, LessonCompletion


@pytest.mark.django_db
def test_it_credits_a_lesson_once(client, people):
    lesson = people.lessons[0]
    client.force_login(people.alice)
    url = reverse("complete_lesson", args=[lesson.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    entries = HoursEntry.objects.filter(user=people.alice)
    assert [(e.source, e.minutes, e.lesson_id) for e in entries] == [("lesson", 30, lesson.pk)]
    assert LessonCompletion.objects.filter(user=people.alice).count() == 1


@pytest.mark.django_db
def test_it_redirects_to_the_next_lesson(client, people):
    client.force_login(people.alice)
    response = client.post(reverse("complete_lesson", args=[people.lessons[0].pk]))
    assert response["Location"] == people.lessons[1].url


@pytest.mark.django_db
def test_it_refuses_completion_without_enrolment(people):
    from tests.factories import make_user

    dora = make_user("dora", "受講者")
    with pytest.raises(services.RecordError):
        services.complete_lesson(dora, people.lessons[0])
    assert not HoursEntry.objects.filter(user=dora).exists()


@pytest.mark.django_db
def test_it_leaves_in_person_lessons_to_attendance(people):
    lesson = people.lessons[1]
    lesson.delivery = Delivery.LECTURE
    lesson.save()
    with pytest.raises(services.RecordError):
        services.complete_lesson(people.alice, lesson)
    assert not LessonCompletion.objects.filter(user=people.alice).exists()


@pytest.mark.django_db
def test_it_shows_progress_on_the_learner_home(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    client.force_login(people.alice)
    html = client.get(reverse("home")).content.decode()
    assert "0.5" in html  # 30 of 180 minutes = 0.5 hours
    assert re.search("1[/／]4", html)
    assert people.lessons[1].title in html  # the next lesson


@pytest.mark.django_db
def test_it_lets_learners_enrol_themselves_in_open_courses(client, people):
    from tests.factories import make_user

    dora = make_user("dora", "受講者")
    client.force_login(dora)
    response = client.post(reverse("enrol", args=[people.course.pk]))
    assert response["Location"] == people.lessons[0].url
    assert dora.enrollments.get().course_id == people.course.pk


@pytest.mark.django_db
def test_it_refuses_self_enrolment_in_invitation_only_courses(client, people):
    from tests.factories import make_user

    people.course.self_enrol = False
    people.course.save()
    dora = make_user("dora", "受講者")
    client.force_login(dora)
    client.post(reverse("enrol", args=[people.course.pk]))
    assert not dora.enrollments.exists()
