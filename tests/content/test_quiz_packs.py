"""Quizzes and exams in a content pack: quizzes/<slug>.yaml, listed under `quizzes:` in
pack.yaml, and placed in a lesson with `::: quiz SLUG :::`. Line numbers refer to the texts
below."""

import json

import pytest

from assessments.models import Question, QuestionOption, Quiz
from content.packs import read_pack
from courses.models import LessonPage

EXAM = """
    slug: a-exam
    title: 講座A 修了試験
    kind: exam
    course: course-a
    intro: 講座全体から出題します。
    pass_mark: 70
    attempts_allowed: 2
    time_limit_minutes: 30
    shuffle_questions: true
    shuffle_options: true
    questions:
      - key: q01
        type: single
        text: 初回訪問でまずすることは？
        competencies: [B-LISTEN]
        explanation: 信頼は聴くことから始まる。
        options:
          - text: 話を聴く
            correct: true
          - text: 助言する
      - key: q02
        type: true_false
        text: 家庭で見聞きしたことは近所の人に話してよい。
        answer: false
        competencies: [B-LEVEL]
        explanation: 守秘義務があります。
      - key: q03
        type: written
        text: 母親に「誰にも言わないで」と言われたら、どう答えますか。
        guidance: 秘密を約束せず、コーディネーターに伝えると説明しているか。
        competencies: [B-LISTEN]
        explanation: 危険にかかわることは秘密にできません。
      - key: q04
        type: situational
        case: 母親が「もう限界」と言った。
        text: どう対応しますか。
        points: 3
        competencies: [B-LISTEN, B-LEVEL]
        explanation: まず受け止め、ひとりで抱えない。
        responses:
          - text: 気持ちを受け止め、コーディネーターに伝える
            rank: 1
            reason: 受け止めてからつなぐ。
          - text: 話を聴いて様子を見る
            rank: 2
            reason: つなぐのが遅れる。
          - text: 頑張ってと励ます
            rank: 3
            reason: 追い詰めるおそれがある。
"""

QUIZ = """
    slug: a-check
    title: 第1章 確認テスト
    kind: quiz
    pass_mark: 60
    questions:
      - key: q01
        type: multiple
        text: 報告すべきことをすべて選んでください。
        competencies: [B-LISTEN]
        explanation: 気になったことは事実として伝えます。
        options:
          - text: 子どものあざ
            correct: true
          - text: 食事の様子の変化
            correct: true
          - text: 天気
"""

LESSON = """
    ---
    slug: a-review
    title: 振り返り
    duration_minutes: 30
    delivery: lecture
    ---
    講義で振り返ります。

    ::: quiz a-exam :::
"""


@pytest.fixture
def quiz_pack(pack, write):
    write("quizzes/a-exam.yaml", EXAM)
    write("quizzes/a-check.yaml", QUIZ)
    write("courses/course-a/lessons/a-review.md", LESSON)
    with open(pack / "pack.yaml", "a", encoding="utf-8") as file:
        file.write("quizzes:\n  - a-exam\n  - a-check\n")
    return pack


def errors_in(pack) -> list[str]:
    _, errors = read_pack(pack)
    return [str(error).removeprefix(f"{pack}/") for error in errors]


@pytest.mark.django_db
def test_it_loads_quizzes_and_places_the_exam_in_its_lesson(quiz_pack, run):
    result = run("load_content", quiz_pack, "--json")
    assert result.error is None, result.stderr
    assert json.loads(result.stdout)["by_kind"]["quiz"]["created"] == 2
    exam = Quiz.objects.get(slug="a-exam")
    assert (exam.kind, exam.course.slug, exam.pass_mark, exam.time_limit_minutes) == (
        "exam",
        "course-a",
        70,
        30,
    )
    assert [q.key for q in exam.questions.all()] == ["q01", "q02", "q03", "q04"]
    situational = exam.questions.get(key="q04")
    assert [(o.rank, o.reason) for o in situational.options.all()] == [
        (1, "受け止めてからつなぐ。"),
        (2, "つなぐのが遅れる。"),
        (3, "追い詰めるおそれがある。"),
    ]
    assert exam.questions.get(key="q02").answer is False
    lesson = LessonPage.objects.get(slug="a-review")
    assert [(b.block_type, b.value) for b in lesson.body][-1] == ("quiz", exam)

    again = json.loads(run("load_content", quiz_pack, "--json").stdout)
    assert (again["created"], again["updated"]) == (0, 0)


@pytest.mark.django_db
def test_it_updates_questions_by_key_and_keeps_their_ids(quiz_pack, write, run):
    run("load_content", quiz_pack)
    exam = Quiz.objects.get(slug="a-exam")
    ids = dict(exam.questions.values_list("key", "pk"))
    option_ids = list(QuestionOption.objects.filter(question_id=ids["q01"]).values_list("pk"))
    changed = EXAM.replace("初回訪問でまずすることは？", "初めての訪問でまずすることは？")
    changed = changed[: changed.index("      - key: q02")]  # drop q02–q04
    write("quizzes/a-exam.yaml", changed)
    report = json.loads(run("load_content", quiz_pack, "--json").stdout)
    assert report["by_kind"]["quiz"] == {"created": 0, "updated": 1, "unchanged": 1}
    question = Question.objects.get(quiz=exam, key="q01")
    assert (question.pk, question.text) == (ids["q01"], "初めての訪問でまずすることは？")
    assert list(question.options.values_list("pk")) == option_ids
    assert list(exam.questions.values_list("key", flat=True)) == ["q01"]


@pytest.mark.django_db
def test_it_exports_quizzes_that_load_back_unchanged(quiz_pack, tmp_path, run):
    run("load_content", quiz_pack)
    run("export_content", "--output", tmp_path / "out")
    assert (tmp_path / "out/quizzes/a-exam.yaml").is_file()
    lesson = (tmp_path / "out/courses/course-a/lessons/a-review.md").read_text(encoding="utf-8")
    assert "::: quiz a-exam :::" in lesson
    report = json.loads(run("load_content", tmp_path / "out", "--json").stdout)
    assert (report["created"], report["updated"]) == (0, 0)


@pytest.mark.parametrize(
    "old, new, error",
    [
        (
            "          - text: 助言する\n",
            "          - text: 助言する\n            correct: true\n",
            "quizzes/a-exam.yaml:17: a single-choice question needs exactly one correct option",
        ),
        (
            "            rank: 3\n",
            "            rank: 2\n",
            "quizzes/a-exam.yaml:40: the responses' ranks must be 1, 2, … up to the number of "
            "responses",
        ),
        (
            "competencies: [B-LEVEL]",
            "competencies: [B-NOPE]",
            "quizzes/a-exam.yaml:25: competency 'B-NOPE' is in no framework of the pack or the "
            "site",
        ),
        ("key: q02", "key: q01", "quizzes/a-exam.yaml:21: key 'q01' is already used at line 12"),
        (
            "        explanation: 守秘義務があります。\n",
            "",
            "quizzes/a-exam.yaml:21: missing required field 'explanation'",
        ),
        ("    course: course-a\n", "", "quizzes/a-exam.yaml:1: missing required field 'course'"),
        ("pass_mark: 70", "pass_mark: 170", "quizzes/a-exam.yaml:6: 'pass_mark' must be a "
         "whole number from 0 to 100, not 170"),
        ("answer: false", "answer: maybe", "quizzes/a-exam.yaml:24: 'answer' is true or false, "
         "and only for a true_false question"),
    ],
)  # fmt: skip
def test_it_reports_quiz_mistakes_at_their_lines(quiz_pack, write, old, new, error):
    assert old in EXAM
    write("quizzes/a-exam.yaml", EXAM.replace(old, new, 1))
    assert error in errors_in(quiz_pack)


def test_it_reports_an_unlisted_quiz_file_and_a_second_exam(quiz_pack, write):
    second = EXAM.replace("slug: a-exam", "slug: a-exam-2")
    write("quizzes/a-exam-2.yaml", second)
    errors = errors_in(quiz_pack)
    assert "quizzes/a-exam-2.yaml:1: this quiz is not listed under 'quizzes' in pack.yaml" in errors
    with open(quiz_pack / "pack.yaml", "a", encoding="utf-8") as file:
        file.write("  - a-exam-2\n")
    assert errors_in(quiz_pack) == [
        "quizzes/a-exam-2.yaml:4: course 'course-a' already has an exam at "
        f"{quiz_pack}/quizzes/a-exam.yaml:4"
    ]


@pytest.mark.django_db
def test_it_reports_a_lesson_naming_a_missing_quiz_or_an_exam_of_a_missing_course(
    quiz_pack, write, run
):
    write("courses/course-a/lessons/a-review.md", LESSON.replace("a-exam :::", "a-final :::"))
    write("quizzes/a-check.yaml", QUIZ.replace("kind: quiz", "kind: quiz\n    course: course-z"))
    result = run("load_content", quiz_pack)
    assert result.error is not None
    lines = [line.removeprefix(f"{quiz_pack}/") for line in result.stderr.splitlines()]
    assert sorted(lines) == [
        "courses/course-a/lessons/a-review.md:9: quiz 'a-final' is in neither the pack nor the "
        "site",
        "quizzes/a-check.yaml:4: course 'course-z' is in neither the pack nor the site",
    ]
    assert not Quiz.objects.exists()


def test_it_reads_the_one_line_quiz_directive_only_with_a_slug(quiz_pack, write):
    write(
        "courses/course-a/lessons/a-review.md",
        LESSON.replace(
            "::: quiz a-exam :::", "::: quiz :::\n\n    ::: quiz a-exam\n    本文\n    :::"
        ),
    )
    lesson = "courses/course-a/lessons/a-review.md"
    assert errors_in(quiz_pack) == [
        f"{lesson}:9: '::: quiz' needs its SLUG on the same line",
        f"{lesson}:11: '::: quiz' takes no content between its lines",
    ]
