"""Shared fixtures: a small course and the named users every permission test talks about.

Alice and Bob are trainees in cohort A, which Tom runs. Charlie is a trainee in cohort B,
which Tina runs: "Charlie should have no access to Alice's stuff", nor Tina to Tom's cohort.
Ada is the org admin and sees everything.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from courses import services
from courses.models import (
    Cohort,
    CourseIndexPage,
    CoursePage,
    Delivery,
    InPersonSession,
    LessonPage,
    ModulePage,
)
from yorisoi.roles import ORG_ADMIN, TRAINEE, TRAINER, ensure_groups


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


@pytest.fixture
def course(db):
    ensure_groups()
    return build_course()


@pytest.fixture
def people(course):
    """The named users, two cohorts of the course, and an in-person session per cohort."""
    today = timezone.localdate()
    ns = type("People", (), {})()
    ns.course = course
    ns.alice = make_user("alice", TRAINEE, last_name="有田", first_name="愛")
    ns.bob = make_user("bob", TRAINEE, last_name="坂井", first_name="望")
    ns.charlie = make_user("charlie", TRAINEE, last_name="近藤", first_name="千春")
    ns.tom = make_user("tom", TRAINER)
    ns.tina = make_user("tina", TRAINER)
    ns.ada = make_user("ada", ORG_ADMIN)
    ns.cohort_a = Cohort.objects.create(
        course=course,
        name="第12期",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
    )
    ns.cohort_b = Cohort.objects.create(
        course=course, name="第13期", starts_on=today, ends_on=today + timedelta(days=30)
    )
    ns.cohort_a.trainers.add(ns.tom)
    ns.cohort_b.trainers.add(ns.tina)
    for user, cohort in ((ns.alice, ns.cohort_a), (ns.bob, ns.cohort_a), (ns.charlie, ns.cohort_b)):
        services.enrol(user, course, cohort=cohort, by=ns.tom)
    ns.session_a = InPersonSession.objects.create(
        cohort=ns.cohort_a,
        title="集合研修",
        starts_at=timezone.now(),
        place="会議室",
        hours=Decimal("2"),
    )
    ns.session_b = InPersonSession.objects.create(
        cohort=ns.cohort_b,
        title="集合研修",
        starts_at=timezone.now(),
        place="会議室",
        hours=Decimal("2"),
    )
    ns.lessons = list(course.lessons())
    return ns
