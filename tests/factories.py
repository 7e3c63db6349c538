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


def scenario_data(slug="test-visit", **overrides):
    """A small scenario in pack form: start → (listen | advise) → … → good / poor endings.

    `listen` is the better path: it raises trust and scores higher, so scoring, the state
    curve and the "better line" in the debrief all have something to find.
    """
    data = {
        "slug": slug,
        "title": "テスト訪問",
        "learner_role": "home_visitor",
        "difficulty": 1,
        "competencies": [],
        "source": "",
        "content_note": "",
        "brief": "あなたは訪問支援員です。森さんのお宅を初めて訪ねます。",
        "goals": ["気持ちを受け止める", "本人に決めてもらう"],
        "persona": {
            "role": "母親",
            "name": "森 あかり",
            "age": 29,
            "family": "夫、長男2か月",
            "speaking_style": "丁寧で早口",
            "wants": "責められずに休みたい",
        },
        "hidden_facts": ["夜は二時間おきに起きていて、実母には頼れないと思い込んでいる。"],
        "fallback_line": "……すみません、ちょっと考えさせてください。",
        "state": [{"key": "trust", "label": "信頼", "initial": 40, "min": 0, "max": 100}],
        "turn_limit": 6,
        "end_when": [{"if": "trust <= 10", "goto": "end-poor"}],
        "rubric": {"standard": True, "criteria": []},
        "model_lines": [
            {"criterion": "empathy", "line": "「夜中も続くと、本当にお疲れですよね。」"}
        ],
        "nodes": [
            {
                "id": "start",
                "line": "散らかっててすみません……。",
                "choices": [
                    {
                        "id": "listen",
                        "text": "「気にしないでください。最近、眠れていますか？」",
                        "next": "tired",
                        "effects": {"trust": 20},
                        "scores": {"empathy": 4, "needs_elicitation": 3},
                        "feedback": "まず気持ちを軽くしてから、開いた質問で様子を聞いている。",
                    },
                    {
                        "id": "advise",
                        "text": "「片付けは毎日少しずつやるのがコツですよ。」",
                        "next": "defensive",
                        "effects": {"trust": -20},
                        "scores": {"non_directive": 1, "empathy": 1},
                        "feedback": "助言から入ると、責められていると受け取られやすい。",
                    },
                ],
            },
            {
                "id": "tired",
                "line": "夜が……ほとんど寝られなくて。",
                "choices": [
                    {
                        "id": "reflect",
                        "text": "「それはお疲れですね。今日は何からお手伝いしましょう。」",
                        "next": "end-good",
                        "effects": {"trust": 20},
                        "scores": {"empathy": 4, "needs_elicitation": 4},
                        "feedback": "受け止めたうえで、本人に決めてもらっている。",
                    },
                    {
                        "id": "lecture",
                        "text": "「赤ちゃんが寝ているときに一緒に寝ないと。」",
                        "next": "defensive",
                        "effects": {"trust": -10},
                        "scores": {"non_directive": 2},
                        "feedback": "正しい助言でも、今は指示に聞こえる。",
                    },
                ],
            },
            {
                "id": "defensive",
                "line": "……はい、わかってはいるんですけど。",
                "choices": [
                    {
                        "id": "repair",
                        "text": "「ごめんなさい、まずはお話を聞かせてください。」",
                        "next": "tired",
                        "effects": {"trust": 10},
                        "scores": {"empathy": 3},
                        "feedback": "言い過ぎに気づいて立て直している。",
                    },
                    {
                        "id": "insist",
                        "text": "「みなさんやっていることですから。」",
                        "next": "end-poor",
                        "effects": {"trust": -20},
                        "scores": {"non_directive": 1},
                        "feedback": "ほかの親と比べると、自分を責める気持ちが強まる。",
                        "if": "trust <= 30",
                    },
                    {
                        "id": "leave",
                        "text": "「では、掃除から始めますね。」",
                        "next": "end-poor",
                        "effects": {"trust": -5},
                        "scores": {"needs_elicitation": 1},
                        "feedback": "本人の希望を聞かないまま進めている。",
                    },
                ],
            },
            {
                "id": "end-good",
                "line": "じゃあ、洗濯物をお願いしてもいいですか。",
                "ending": "good",
                "summary": "受け止めてから本人に選んでもらえた。",
            },
            {
                "id": "end-poor",
                "line": "……今日は、もう大丈夫です。",
                "ending": "poor",
                "summary": "助言が先になり、心を閉ざしてしまった。",
            },
        ],
    }
    data.update(overrides)
    return data


def build_scenario(slug="test-visit", live=True, **overrides):
    from roleplay.models import Scenario

    scenario = Scenario.from_data(scenario_data(slug, **overrides), competencies={})
    scenario.live = live
    scenario.save()
    return scenario
