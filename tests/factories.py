"""Builders for test data, shared by the test suite and the benchmark scripts."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from courses.models import (
    Attendance,
    Cohort,
    CourseIndexPage,
    CoursePage,
    Delivery,
    Enrollment,
    HoursEntry,
    HoursSource,
    LessonCompletion,
    LessonPage,
    ModulePage,
)


def build_course(slug="test-course", modules=2, lessons_per_module=2, required_hours="3"):
    """A published course with online lessons of 30 minutes and one reflection prompt each."""
    catalogue = CourseIndexPage.objects.get()
    course = catalogue.add_child(
        instance=CoursePage(
            title=f"講座 {slug}", slug=slug, required_hours=Decimal(required_hours), self_enrol=True
        )
    )
    for m in range(1, modules + 1):
        module = course.add_child(instance=ModulePage(title=f"第{m}章", slug=f"{slug}-m{m}"))
        for n in range(1, lessons_per_module + 1):
            module.add_child(
                instance=LessonPage(
                    title=f"レッスン {m}-{n}",
                    slug=f"{slug}-m{m}-l{n}",
                    duration_minutes=30,
                    delivery=Delivery.ONLINE,
                    body=[
                        ("markdown", "傾聴の基本を学びます。"),
                        ("reflection", {"prompt": "最近、話を聴いてもらえたと感じた場面は？"}),
                    ],
                )
            )
    return CoursePage.objects.get(pk=course.pk)


def make_user(username, role, **extra):
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests", email=f"{username}@example.org", **extra
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def populate_cohort(trainees, modules, lessons_per_module):
    """A cohort of the given size with completions, hours and attendance for everyone."""
    course = build_course(f"scale-{trainees}", modules, lessons_per_module, required_hours="37")
    trainer = make_user(f"trainer-{trainees}", "研修担当")
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course, name="第1期", starts_on=today - timedelta(days=5), ends_on=today
    )
    cohort.trainers.add(trainer)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"u{trainees}-{i}", last_name=f"受講{i}") for i in range(trainees)
    )
    Enrollment.objects.bulk_create(Enrollment(user=u, course=course, cohort=cohort) for u in users)
    lessons = list(course.lessons())
    LessonCompletion.objects.bulk_create(
        LessonCompletion(user=u, lesson=lesson)
        for i, u in enumerate(users)
        for lesson in lessons[: i % len(lessons)]
    )
    HoursEntry.objects.bulk_create(
        HoursEntry(user=u, course=course, minutes=30, source=HoursSource.LESSON, lesson=lesson)
        for i, u in enumerate(users)
        for lesson in lessons[: i % len(lessons)]
    )
    session = cohort.sessions.create(
        title="講義", starts_at=timezone.now(), place="会議室", hours=2
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, user=u, status="present" if i % 3 else "absent")
        for i, u in enumerate(users)
    )
    return cohort, trainer
