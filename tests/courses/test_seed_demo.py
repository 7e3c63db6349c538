import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from courses.models import Cohort, Delivery, Enrollment, HoursEntry, InPersonSession
from tests.factories import build_course


@pytest.fixture
def certification(db):
    from yorisoi.roles import ensure_groups

    ensure_groups()
    course = build_course("hv-certification", modules=2, lessons_per_module=3, required_hours="37")
    for lesson in list(course.lessons())[3:]:
        lesson.delivery = Delivery.LECTURE
        lesson.save()
    return course


@pytest.mark.django_db
def test_it_creates_the_demo_users_with_some_progress(certification):
    call_command("seed_demo", "--password", "s3cret-demo")
    User = get_user_model()
    for username in ("trainee", "coordinator", "trainer", "admin"):
        assert User.objects.get(username=username).check_password("s3cret-demo")
    cohort = Cohort.objects.get(course=certification)
    assert cohort.trainers.filter(username="trainer").exists()
    assert Enrollment.objects.filter(cohort=cohort).count() == 6
    trainee = User.objects.get(username="trainee")
    assert HoursEntry.objects.filter(user=trainee).exists()
    assert InPersonSession.objects.filter(cohort=cohort).count() == 3


@pytest.mark.django_db
def test_it_duplicates_nothing_when_run_twice(certification):
    call_command("seed_demo")
    counts = (
        get_user_model().objects.count(),
        Enrollment.objects.count(),
        HoursEntry.objects.count(),
        InPersonSession.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        get_user_model().objects.count(),
        Enrollment.objects.count(),
        HoursEntry.objects.count(),
        InPersonSession.objects.count(),
    )


@pytest.mark.django_db
def test_it_still_creates_users_before_content_is_loaded(db, capsys):
    call_command("seed_demo")
    assert get_user_model().objects.filter(username="trainee").exists()
    assert "load_content" in capsys.readouterr().out
