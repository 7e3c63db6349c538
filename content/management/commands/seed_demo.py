"""Demo users and a living cohort, so a first look at Yorisoi shows real progress, practice
and assessments. It lives in `content`, the one app that may reach every other (DESIGN §3)."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments import badges, certification
from assessments import services as assessments
from assessments.models import Attempt, CertificationRule, Quiz
from courses import services
from courses.models import (
    AttendanceStatus,
    Cohort,
    CoursePage,
    Delivery,
    HoursSource,
    InPersonSession,
)
from roleplay import services as roleplay
from roleplay.models import Mode, PracticeSession, Scenario
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
# A trainee of the finished cohort 第11期 who holds a certificate.
CERTIFIED = ("demo-kato", "加藤", "由紀")
CERTIFICATION = "hv-certification"
COORDINATOR_COURSE = "co-practice"
DEMO_SCENARIO = "first-visit-anxious-mother"
DEMO_QUIZ = "co-m1-municipality-quiz"
DEMO_EXAM = "hv-final-exam"
# How many exam questions the demo trainee has answered before "closing the tab".
EXAM_ANSWERED = 5


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
        if badges.active_key() is None:  # so the demo certificate's credential downloads
            badges.generate_key()

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
        self.demo_practice(users["trainee"])
        self.demo_exam(users["trainee"])
        self.demo_certificate(certification, users["trainer"])

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
            self.demo_quiz(users["coordinator"])
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

    def demo_practice(self, trainee):
        """A scripted role-play played to its ending: judged at once, and waiting in the
        trainer's review queue. One weaker choice gives the debrief a moment to learn from."""
        scenario = Scenario.objects.filter(slug=DEMO_SCENARIO, live=True).first()
        if scenario is None or PracticeSession.objects.filter(user=trainee).exists():
            return
        session = roleplay.start_session(trainee, scenario, Mode.SCRIPTED)
        for step in range(scenario.data.turn_limit or 30):
            session.refresh_from_db()
            node = session.current_node() if session.is_active else None
            if node is None:
                break
            offered = sorted(node.available(session.state), key=lambda c: c.quality or 0)
            if not offered:
                break
            choice = offered[0] if step == 1 else offered[-1]
            roleplay.submit(session, choice=choice.id)

    def demo_certificate(self, course, trainer):
        """A finished cohort (第11期) whose trainee met every condition of the course's rule and
        holds a certificate, so the registry and /verify/ have something to show."""
        if assessments.course_exam(course) is None:
            return  # without the final exam nobody can meet the rule
        rule, _ = CertificationRule.objects.get_or_create(
            course=course, defaults={"valid_years": 3}
        )
        today = timezone.localdate()
        cohort, _ = Cohort.objects.get_or_create(
            course=course,
            name="第11期",
            defaults={
                "starts_on": today - timedelta(days=150),
                "ends_on": today - timedelta(days=60),
            },
        )
        cohort.trainers.add(trainer)
        kato = self.demo_user(*CERTIFIED, TRAINEE, None)
        if certification.live_certificate(kato, course) is not None:
            return
        enrollment = services.enrol(kato, course, cohort=cohort, by=trainer)
        self.complete_share(kato, course, 1)
        in_person = [lesson for lesson in course.lessons() if lesson.delivery != Delivery.ONLINE]
        for n, lesson in enumerate(in_person):
            starts_at = timezone.make_aware(
                datetime.combine(cohort.starts_on + timedelta(days=7 * n), time(10))
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
            services.record_attendance(session, {kato.pk: AttendanceStatus.PRESENT}, by=trainer)
        missing = int(rule.hours_needed * 60) - enrollment.credited_minutes()
        if missing > 0:  # the pack's lessons may not add up to the course's hours
            enrollment.credit(
                missing, HoursSource.SESSION, by=trainer, reason="デモ：第11期の集合研修（補講）"
            )
        self.passed_exam(kato, course, trainer)
        if not certification.eligibility(kato, course).eligible:
            self.stdout.write(self.style.WARNING("The demo trainee of 第11期 is not certified."))
            return
        certification.issue(kato, course, by=trainer, issued_on=cohort.ends_on + timedelta(days=7))

    def passed_exam(self, user, course, trainer):
        exam = assessments.course_exam(course)
        if exam is None or Attempt.objects.filter(user=user, quiz=exam, passed=True).exists():
            return
        attempt = assessments.start_attempt(user, exam)
        for question in attempt.sheet.questions:
            answer = self.answer_to(question, right=True)
            assessments.save_answer(attempt, question.key, answer, user=user)
        attempt = assessments.submit_attempt(attempt, user=user)
        for answer in attempt.answers.filter(points__isnull=True):
            question = attempt.sheet.question(answer.question_key)
            assessments.grade_answer(answer, question.points, "よくできています。", by=trainer)

    def demo_quiz(self, coordinator):
        """A submitted chapter quiz, so the coordinator's lesson shows a result with feedback."""
        quiz = Quiz.objects.filter(slug=DEMO_QUIZ).first()
        if quiz is None or Attempt.objects.filter(user=coordinator, quiz=quiz).exists():
            return
        attempt = assessments.start_attempt(coordinator, quiz)
        for n, question in enumerate(attempt.sheet.questions):
            answer = self.answer_to(question, right=n % 4 != 3)
            assessments.save_answer(attempt, question.key, answer, user=coordinator)
        assessments.submit_attempt(attempt, user=coordinator)

    def demo_exam(self, trainee):
        """The final exam begun and left half done: reopening it resumes where it stopped."""
        exam = Quiz.objects.filter(slug=DEMO_EXAM).first()
        if exam is None or Attempt.objects.filter(user=trainee, quiz=exam).exists():
            return
        attempt = assessments.start_attempt(trainee, exam)
        choosable = [q for q in attempt.sheet.questions if q.type != "written"]
        for question in choosable[:EXAM_ANSWERED]:
            answer = self.answer_to(question, right=True)
            assessments.save_answer(attempt, question.key, answer, user=trainee)

    @staticmethod
    def answer_to(question, *, right: bool):
        if question.type == "true_false":
            return assessments.AnswerInput(flag=question.answer if right else not question.answer)
        if question.type == "written":
            return assessments.AnswerInput(
                text="まず気持ちを受け止め、その場で約束はせず、すぐにコーディネーターに報告します。"
            )
        if question.type == "situational":
            ranked = sorted(question.options, key=lambda o: o.rank or 0)
            return assessments.AnswerInput(choices=[ranked[0 if right else -1].id])
        wrong = [o.id for o in question.options if not o.correct][:1]
        return assessments.AnswerInput(choices=question.correct_ids if right else wrong)
