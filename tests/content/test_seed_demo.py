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


@pytest.mark.django_db
def test_it_gives_a_first_look_practice_and_assessments(run, django_capture_on_commit_callbacks):
    """With the default pack: a judged role-play waiting for the trainer's review, a submitted
    chapter quiz and a final exam left half done, so every screen has something to show."""
    from assessments.models import Attempt, AttemptStatus, Judgement
    from assessments.review import review_queue
    from roleplay.models import PracticeSession, SessionStatus

    assert run("load_content").error is None
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")
    User = get_user_model()
    trainee, trainer = User.objects.get(username="trainee"), User.objects.get(username="trainer")

    session = PracticeSession.objects.get(user=trainee)
    assert session.status == SessionStatus.ENDED and session.ending
    assert Judgement.objects.filter(session=session, judge="scripted", status="done").exists()
    assert session in review_queue(trainer)

    attempts = {a.user.username: a for a in Attempt.objects.select_related("user", "quiz")}
    assert {"trainee", "coordinator"} <= set(attempts)
    assert attempts["coordinator"].status == AttemptStatus.GRADED
    assert attempts["trainee"].quiz.kind == "exam"
    assert attempts["trainee"].status == AttemptStatus.IN_PROGRESS
    assert attempts["trainee"].answers.count() == 5
