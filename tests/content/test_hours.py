"""The hours check: what a lesson's content supports, in-person plans and course totals."""

import json
from decimal import Decimal

import pytest

from content.directives import Block
from content.fields import Origin
from content.hours import body_characters, check_hours, timetable_problems
from content.packs import Course, Lesson, Module, Pack
from courses.models import CoursePage

TIMETABLE = "## 時間割（60分）\n\n- 0:00〜0:10 はじめに\n- 0:10〜0:50 演習\n- 0:50〜1:00 まとめ"
HERE = Origin("lesson.md", 2)


def lesson(slug: str, minutes: int, delivery: str, *body: Block) -> Lesson:
    return Lesson(slug, slug, minutes, delivery, [], "", "", list(body), HERE)


def course(*lessons: Lesson, required_hours="0") -> Course:
    module = Module("m1", "第1章", "", list(lessons), HERE)
    return Course("c1", "講座", "all", Decimal(required_hours), True, "", "", [module], HERE)


def report_for(*lessons: Lesson, questions=None, required_hours="0"):
    pack = Pack(root=None, origin=HERE, catalogue=None)
    pack.courses = [course(*lessons, required_hours=required_hours)]
    return check_hours(pack, questions or {})


def text(characters: int) -> Block:
    return Block("markdown", "あ" * characters)


def test_it_counts_the_characters_a_reader_sees():
    body = [
        Block("markdown", "## 見出し\n\n[リンク](https://example.org/a-long-address) と **強調**"),
        Block("rich_text", "<p>A&amp;B</p>"),
        Block("callout", {"kind": "point", "title": "要点", "body": "- 一つ目"}),
        Block("reflection", {"prompt": "あなたなら どうしますか。"}),
        Block("key_phrases", {"phrases": [{"say": "はい", "instead": "いいえ"}]}),
        Block("video", {"url": "https://youtu.be/abc", "caption": "数えない"}),
    ]
    # 見出し リンクと強調 / A&B / 要点 一つ目 / あなたならどうしますか。 / はい いいえ
    assert body_characters(body) == 3 + 6 + 3 + 2 + 3 + 12 + 2 + 3


def test_it_passes_an_online_lesson_up_to_one_and_a_quarter_times_what_it_supports():
    # 5,000 characters (10) + 2 reflections (20) + a 5-question quiz (10) + 15 minutes practice.
    body = [
        text(5000),
        Block("reflection", {"prompt": ""}),
        Block("reflection", {"prompt": ""}),
        Block("quiz", "chapter-quiz"),
        Block("practice", {"scenario": "visit", "minutes": 15, "note": ""}),
    ]
    report = report_for(
        lesson("honest", 68, "online", *body),
        lesson("inflated", 69, "online", *body),
        questions={"chapter-quiz": 5},
    )
    honest, inflated = report.lessons
    assert honest.supported == 55 and honest.problems == []
    assert (honest.reflections, honest.questions, honest.practice) == (2, 5, 15)
    assert inflated.problems == ["credits 69 min; its content supports 55.0, so at most 68"]
    assert not report.ok


def test_it_counts_no_questions_for_a_quiz_it_does_not_know():
    report = report_for(lesson("l1", 10, "online", text(2500), Block("quiz", "missing")))
    assert report.lessons[0].supported == 5
    assert report.lessons[0].problems == ["credits 10 min; its content supports 5.0, so at most 6"]


def test_it_accepts_an_in_person_plan_with_a_contiguous_timetable():
    session = lesson("session", 60, "group_work", text(1500), Block("markdown", TIMETABLE))
    report = report_for(session)
    assert report.lessons[0].problems == []
    assert report.ok


def test_it_requires_an_in_person_plan_of_1500_characters_and_a_timetable():
    report = report_for(lesson("session", 60, "lecture", text(1000)))
    assert report.lessons[0].problems == [
        "the plan has 1000 characters; at least 1500",
        "no '## 時間割（N分）' timetable",
    ]


def body(markdown: str) -> list[Block]:
    return [Block("markdown", markdown)]


def test_it_finds_gaps_overlaps_and_a_wrong_end_in_the_timetable():
    timetable = (
        "## 時間割（90分）\n\n- 0:05〜0:10 はじめに\n- 0:15〜0:30 講義\n  続きの行\n\n"
        "- 0:20〜0:40 演習\n- 0:40〜0:40 まとめ\n\n## 持ち物\n\n- 0:00〜9:00 数えない"
    )
    assert timetable_problems(body(timetable), 60) == [
        "the timetable heading says 90 minutes, the lesson 60",
        "'0:05〜0:10' starts at 0:05, not 0:00",
        "'0:15〜0:30' starts at 0:15, not 0:10",
        "'0:20〜0:40' starts at 0:20, not 0:30",
        "'0:40〜0:40' ends before it starts",
        "the timetable ends at 0:40, not 1:00",
    ]


def test_it_reads_a_timetable_written_with_a_full_width_tilde():
    timetable = "## 時間割（30分）\n\n- 0:00～0:30 ふりかえり"
    assert timetable_problems(body(timetable), 30) == []


def test_it_names_timetable_lines_in_another_form():
    timetable = "## 時間割（30分）\n\n- 0:00 はじめに（5分）\n- 0:05 講義（25分）"
    assert timetable_problems(body(timetable), 30) == [
        "'- 0:00 はじめに（5分）…' and 1 more lines are not '- H:MM〜H:MM what happens'"
    ]


def test_it_holds_a_course_with_required_hours_to_its_lesson_minutes():
    lessons = [lesson("l1", 30, "online", text(12000)), lesson("l2", 30, "online", text(12000))]
    assert report_for(*lessons, required_hours="1").ok
    short = report_for(*lessons, required_hours="1.5")
    assert short.courses[0].problems == [
        "its lessons add up to 60 minutes; 1.5 required hours are 90"
    ]
    # Without required hours, any total will do.
    assert report_for(*lessons).ok


# --- manage.py load_content --check -------------------------------------------------------------


def pass_the_hours_check(write):
    """The small pack, changed so every lesson and the course pass (90 minutes = 1.5 hours)."""
    plan = "\n\n" + "二人一組で聴き合い、相手の言葉を要約して返します。" * 70 + "\n"
    write(
        "courses/course-a/lessons/a-listening.md",
        """
        ---
        slug: a-listening
        title: 聴くことから始める
        duration_minutes: 12
        delivery: online
        ---
        最初の段落です。

        ::: reflection
        最近、話を聴いてもらえたと感じたのはいつですか。
        :::
        """,
    )
    for slug, minutes, delivery, timetable in (
        ("a-practice", 60, "group_work", "- 0:00〜0:50 練習\n- 0:50〜1:00 ふりかえり"),
        ("a-review", 18, "lecture", "- 0:00〜0:18 講義"),
    ):
        write(
            f"courses/course-a/lessons/{slug}.md",
            f"---\nslug: {slug}\ntitle: {slug}\nduration_minutes: {minutes}\n"
            f"delivery: {delivery}\n---\n## 時間割（{minutes}分）\n\n{timetable}{plan}",
        )


@pytest.mark.django_db
def test_it_checks_the_hours_of_every_lesson_without_writing_anything(pack, run):
    result = run("load_content", pack, "--check")
    assert str(result.error) == (
        "0 errors in the pack; 3 of 3 lessons and 1 of 1 courses fail the hours check."
    )
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "FAIL: credits 30 min; its content supports 10.2, so at most 12" in rows["a-listening"]
    assert rows["a-practice"].endswith(
        "FAIL: the plan has 11 characters; at least 1500; no '## 時間割（N分）' timetable"
    )
    assert "total 120 min; required 1.5 h = 90 min: FAIL" in result.stdout
    assert not CoursePage.objects.exists()


@pytest.mark.django_db
def test_it_passes_the_check_when_the_hours_rest_on_the_content(pack, write, run):
    pass_the_hours_check(write)
    result = run("load_content", pack, "--check", "--json")
    assert result.error is None, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] and report["errors"] == []
    assert [lesson["lesson"] for lesson in report["lessons"]] == [
        "a-listening",
        "a-practice",
        "a-review",
    ]
    assert report["lessons"][0]["supported_minutes"] == 10.1
    assert report["courses"] == [
        {
            "course": "course-a",
            "file": f"{pack}/courses/course-a/course.yaml:1",
            "minutes": 90,
            "required_minutes": 90,
            "ok": True,
            "problems": [],
        }
    ]


@pytest.mark.django_db
def test_it_loads_a_pack_that_fails_only_the_hours_check(pack, run):
    # Plain loading does not hold lessons to the hours check, so content can come in steps.
    assert run("load_content", pack).error is None


@pytest.mark.django_db
def test_it_reports_pack_errors_in_the_check(pack, write, run):
    pass_the_hours_check(write)
    write("frameworks/basics.yaml", "code: basics\nname: [基本\n")
    result = run("load_content", pack, "--check")
    assert str(result.error).startswith("1 error in the pack; ")
    assert "frameworks/basics.yaml:3: YAML syntax error" in result.stderr
