"""Demo users and a living cohort, so a first look at Yorisoi shows real progress."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from courses import services
from courses.models import AttendanceStatus, Cohort, CoursePage, Delivery, InPersonSession
from yorisoi.roles import COORDINATOR, ORG_ADMIN, TRAINEE, TRAINER, ensure_groups

DEFAULT_PASSWORD = "yorisoi-demo"

# username, family name, given name, role, share of online lessons done
DEMO_USERS = [
    ("trainee", "佐藤", "花子", TRAINEE, 0.6),
    ("coordinator", "鈴木", "恵", COORDINATOR, 0.4),
    ("trainer", "高橋", "由美", TRAINER, 0),
    ("admin", "田中", "誠", ORG_ADMIN, 0),
]
# Classmates of the demo trainee, so the trainer dashboard has a cohort to look at.
CLASSMATES = [
    ("demo-ito", "伊藤", "直子", 0.9),
    ("demo-watanabe", "渡辺", "美咲", 0.5),
    ("demo-yamamoto", "山本", "香織", 0.2),
    ("demo-nakamura", "中村", "典子", 0.75),
    ("demo-kobayashi", "小林", "亜希", 0.0),
]
CERTIFICATION = "hv-certification"
COORDINATOR_COURSE = "co-practice"


class Command(BaseCommand):
    help = "Create demo users (trainee, coordinator, trainer, admin) and a demo cohort."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password for the demo users (default: {DEFAULT_PASSWORD}).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_groups()
        users = {}
        for username, family, given, role, _share in DEMO_USERS:
            users[username] = self.demo_user(username, family, given, role, options["password"])
        users["admin"].is_staff = users["admin"].is_superuser = True
        users["admin"].save(update_fields=["is_staff", "is_superuser"])

        certification = CoursePage.objects.filter(slug=CERTIFICATION).first()
        if certification is None:
            self.stdout.write(
                self.style.WARNING("Demo users created; run load_content to get a demo cohort.")
            )
            return
        today = timezone.localdate()
        cohort, _ = Cohort.objects.get_or_create(
            course=certification,
            name="第12期",
            defaults={
                "starts_on": today - timedelta(days=30),
                "ends_on": today + timedelta(days=60),
            },
        )
        cohort.trainers.add(users["trainer"])
        learners = [(users["trainee"], 0.6)]
        for username, family, given, share in CLASSMATES:
            learners.append((self.demo_user(username, family, given, TRAINEE, None), share))
        for user, share in learners:
            services.enrol(user, certification, cohort=cohort, by=users["trainer"])
            self.complete_share(user, certification, share)
        self.demo_sessions(cohort, users["trainer"], [user for user, _share in learners])

        coordinator_course = CoursePage.objects.filter(slug=COORDINATOR_COURSE).first()
        if coordinator_course is not None:
            co_cohort, _ = Cohort.objects.get_or_create(
                course=coordinator_course,
                name=f"{today.year}年度",
                defaults={
                    "starts_on": today - timedelta(days=14),
                    "ends_on": today + timedelta(days=150),
                },
            )
            co_cohort.trainers.add(users["trainer"])
            services.enrol(users["coordinator"], coordinator_course, cohort=co_cohort,
                           by=users["trainer"])  # fmt: skip
            self.complete_share(users["coordinator"], coordinator_course, 0.4)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready: log in as trainee, coordinator, trainer or admin "
                f"(password: {options['password']})."
            )
        )

    def demo_user(self, username, family, given, role, password):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": family,
                "first_name": given,
                "email": f"{username}@example.org",
            },
        )
        if created or password:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=role))
        return user

    def complete_share(self, user, course, share):
        online = [lesson for lesson in course.lessons() if lesson.delivery == Delivery.ONLINE]
        for lesson in online[: round(len(online) * share)]:
            services.complete_lesson(user, lesson)

    def demo_sessions(self, cohort, trainer, learners):
        """One past session with attendance taken and two ahead, linked to in-person lessons."""
        in_person = [
            lesson for lesson in cohort.course.lessons() if lesson.delivery != Delivery.ONLINE
        ]
        if len(in_person) < 3:
            return
        today = timezone.localdate()
        for offset, lesson in zip((-7, 7, 21), in_person[:3], strict=True):
            starts_at = timezone.make_aware(
                datetime.combine(today + timedelta(days=offset), time(10))
            )
            session, _ = InPersonSession.objects.get_or_create(
                cohort=cohort,
                lesson=lesson,
                defaults={
                    "title": lesson.title,
                    "starts_at": starts_at,
                    "place": "市民活動センター 第2会議室",
                    "hours": round(Decimal(lesson.duration_minutes) / 60, 2),
                },
            )
            if offset < 0:
                statuses = {user.pk: AttendanceStatus.PRESENT for user in learners}
                statuses[learners[-1].pk] = AttendanceStatus.ABSENT
                statuses[learners[-2].pk] = AttendanceStatus.LATE
                services.record_attendance(session, statuses, by=trainer)
