"""Reading a pack: every problem in every file is reported as file:line, nothing is loaded."""

from decimal import Decimal

import pytest

from content.packs import read_pack


def errors_in(pack, known_competencies=()) -> list[str]:
    """The pack's errors with file names relative to the pack folder."""
    _, errors = read_pack(pack, known_competencies=known_competencies)
    return [str(error).removeprefix(f"{pack}/") for error in errors]


LESSON = "courses/course-a/lessons/a-review.md"


def test_it_reads_a_valid_pack(pack):
    result, errors = read_pack(pack)
    assert errors == []
    assert result.catalogue.title == "テスト講座一覧"
    [framework] = result.frameworks
    assert [c.code for c in framework.categories[0].competencies] == ["B-LISTEN", "B-LEVEL"]
    [course] = result.courses
    assert (course.slug, course.required_hours, course.self_enrol) == (
        "course-a",
        Decimal("1.5"),
        False,
    )
    assert course.intro == "## 目的\n\n聴くことを学びます。"
    assert [[lesson.slug for lesson in m.lessons] for m in course.modules] == [
        ["a-listening", "a-practice"],
        ["a-review"],
    ]
    listening = course.modules[0].lessons[0]
    assert listening.competencies == ["B-LISTEN", "B-LEVEL"]
    assert [(block.type, block.value) for block in listening.body] == [
        ("markdown", "## 聴く\n\n最初の段落です。"),
        ("callout", {"kind": "point", "title": "大切なこと", "body": "- 最後まで聴く。"}),
        (
            "key_phrases",
            {
                "phrases": [
                    {"say": "「もう少し聞かせてください」", "instead": "「それは違いますよ」"}
                ]
            },
        ),
        ("markdown", "真ん中の段落です。"),
        ("reflection", {"prompt": "最近、話を聴いてもらえたと感じたのはいつですか。"}),
    ]


def test_it_reads_video_image_and_rich_text_directives(pack, write, write_image):
    write_image("diagrams/flow.png")
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        ---
        ::: video https://www.youtube.com/watch?v=abc123 ふりかえりの動画
        :::

        ::: image diagrams/flow.png 支援の流れの図
        :::

        ::: image diagrams/flow.png
        :::

        ::: richtext
        <p>編集画面で書いた<b>文章</b><script>alert(1)</script></p>
        <p><a linktype="page" id="3" onclick="steal()">講座一覧</a></p>
        :::
        """,
    )
    result, errors = read_pack(pack)
    assert errors == []
    body = result.courses[0].modules[1].lessons[0].body
    assert [(block.type, block.value) for block in body] == [
        ("video", {"url": "https://www.youtube.com/watch?v=abc123", "caption": "ふりかえりの動画"}),
        ("image", {"file": "diagrams/flow.png", "alt_text": "支援の流れの図", "decorative": False}),
        ("image", {"file": "diagrams/flow.png", "alt_text": "", "decorative": True}),
        (
            "rich_text",
            '<p>編集画面で書いた<b>文章</b></p>\n<p><a linktype="page" id="3">講座一覧</a></p>',
        ),
    ]


def test_it_reports_a_yaml_syntax_error_with_its_line(pack, write):
    write(
        "courses/course-a/course.yaml",
        """
        slug: course-a
        title: 講座A
        audience: home_visitor
         required_hours: 1
        """,
    )
    assert errors_in(pack) == [
        "courses/course-a/course.yaml:4: YAML syntax error: mapping values are not allowed here",
    ]


def test_it_counts_front_matter_lines_from_the_top_of_the_file(pack, write):
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        delivery: lecture: now
        ---
        本文。
        """,
    )
    assert errors_in(pack) == [
        f"{LESSON}:4: YAML syntax error: mapping values are not allowed here"
    ]


def test_it_reports_missing_mistyped_and_unknown_fields_at_their_lines(pack, write):
    write(
        LESSON,
        """
        ---
        slug: a-review
        duration_minutes: "30"
        delivery: lecture
        competences: [B-LISTEN]
        summary: [一覧]
        delivery: online
        ---
        本文。
        """,
    )
    assert errors_in(pack) == [
        f"{LESSON}:7: duplicate key 'delivery'",
        f"{LESSON}:2: missing required field 'title'",
        f"{LESSON}:3: 'duration_minutes' must be a whole number from 5 to 1440, not '30'",
        f"{LESSON}:6: 'summary' must be text",
        f"{LESSON}:5: unknown field 'competences'",
    ]


@pytest.mark.parametrize("value", ["0", "4", "1441", "-5", "1.5", "true", "'60'"])
def test_it_requires_a_sane_whole_number_of_minutes(pack, write, value):
    write(
        LESSON,
        f"""
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: {value}
        delivery: lecture
        ---
        本文。
        """,
    )
    [error] = errors_in(pack)
    assert error.startswith(f"{LESSON}:4: 'duration_minutes' must be a whole number from 5 to 1440")


def test_it_checks_slugs_choices_and_hours(pack, write):
    write(
        "courses/course-a/course.yaml",
        """
        slug: course-a
        title: 講座A
        audience: volunteers
        required_hours: 1.25
        modules:
          - slug: A_Module
            title: 第1章
            lessons: [a-listening, a-practice, a-review]
        """,
    )
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: webinar
        ---
        """,
    )
    course = "courses/course-a/course.yaml"
    assert errors_in(pack) == [
        f"{course}:3: 'audience' 'volunteers' is not one of: home_visitor, coordinator, all",
        f"{course}:4: 'required_hours' must be hours from 0 to 9999.9, in steps of 0.1",
        f"{course}:6: 'slug' 'A_Module' is not valid: use lowercase letters, digits and hyphens",
        f"{LESSON}:5: 'delivery' 'webinar' is not one of: "
        "online, lecture, group_work, accompanied_visit",
    ]


def test_it_rejects_a_slug_used_twice_in_the_pack(pack, write):
    write(
        "courses/course-a/course.yaml",
        """
        slug: course-a
        title: 講座A
        audience: all
        modules:
          - slug: a-m1
            title: 第1章
            lessons: [a-listening, a-practice]
          - slug: a-practice
            title: 第2章
            lessons: [a-review]
        """,
    )
    assert errors_in(pack) == [
        "courses/course-a/course.yaml:8: slug 'a-practice' is already used at "
        f"{pack}/courses/course-a/lessons/a-practice.md:2",
    ]


def test_it_checks_text_lengths_against_the_page_fields(pack, write):
    write(
        LESSON,
        f"""
        ---
        slug: a-review
        title: {"長" * 256}
        duration_minutes: 30
        delivery: lecture
        ---
        """,
    )
    assert errors_in(pack) == [f"{LESSON}:3: 'title' has 256 characters; at most 255 fit"]


def test_it_checks_competency_codes_against_the_pack_and_the_site(pack, write):
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        competencies: [B-LISTEN, SITE-ONLY]
        ---
        """,
    )
    message = "competency 'SITE-ONLY' is in no framework of the pack or the site"
    assert errors_in(pack) == [f"{LESSON}:6: {message}"]
    assert errors_in(pack, known_competencies={"SITE-ONLY"}) == []


def test_it_requires_listed_files_to_exist_and_every_file_to_be_listed(pack, write):
    write(
        "pack.yaml",
        """
        format: 1
        frameworks: [basics, missing-framework]
        courses: [course-a]
        """,
    )
    write("courses/course-b/course.yaml", "slug: course-b\n")
    write(
        "courses/course-a/course.yaml",
        """
        slug: course-a
        title: 講座A
        audience: all
        modules:
          - slug: a-m1
            title: 第1章
            lessons: [a-listening, a-missing, a-listening]
          - slug: a-m2
            title: 第2章
            lessons: [a-review]
        """,
    )
    course = "courses/course-a/course.yaml"
    assert errors_in(pack) == [
        "pack.yaml:2: framework 'missing-framework' is listed but "
        "frameworks/missing-framework.yaml is missing",
        "courses/course-b:1: this course is not listed under 'courses' in pack.yaml",
        f"{course}:7: lesson 'a-missing' is listed but lessons/a-missing.md is missing",
        f"{course}:7: lesson 'a-listening' is listed twice in this course",
        f"courses/course-a/lessons/a-practice.md:1: this lesson is in no module of {pack}/{course}",
    ]


def test_it_reports_directive_mistakes_at_their_lines(pack, write):
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        ---
        本文。

        ::: tip
        よくある間違い。
        :::

        ::: point
        閉じ忘れ。

        ::: caution
        :::

        :::example
        :::

        ::: reflection 問い
        あなたならどうしますか。
        :::

        ::: example
        最後まで閉じていない。
        """,
    )
    assert errors_in(pack) == [
        f"{LESSON}:9: unknown directive 'tip'; use one of: point, caution, example, phrases, "
        "reflection, video, image, richtext, quiz, practice",
        f"{LESSON}:13: '::: point' is not closed before line 16",
        f"{LESSON}:16: '::: caution' is empty",
        f"{LESSON}:19: a directive line reads '::: KIND [arguments]'",
        f"{LESSON}:20: ':::' closes no directive",
        f"{LESSON}:22: '::: reflection' takes no arguments after its name",
        f"{LESSON}:26: '::: example' is never closed with ':::'",
    ]


def test_it_checks_the_shape_of_phrases(pack, write):
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        ---
        ::: phrases
        say: 「一つだけ」
        :::

        ::: phrases
        - say: 「どうされていますか」
        - say: 「ありがとう」
          instead: 「そうじゃなくて」
          note: 補足
        - say: "長すぎる
        :::

        ::: phrases
        - say: 「どうされていますか」
          instead: "{}"
        :::
        """.format("長" * 301),
    )
    assert errors_in(pack) == [
        f"{LESSON}:8: '::: phrases' holds a YAML list of '- say: ...' / '  instead: ...' pairs",
        f"{LESSON}:16: YAML syntax error: found unexpected end of stream",
        f"{LESSON}:19: '::: phrases': phrases: #1: instead: "
        "Ensure this value has at most 300 characters (it has 301).",
    ]
    write(LESSON, (pack / LESSON).read_text().replace('- say: "長すぎる\n', ""))
    assert errors_in(pack) == [
        f"{LESSON}:8: '::: phrases' holds a YAML list of '- say: ...' / '  instead: ...' pairs",
        f"{LESSON}:12: missing required field 'instead'",
        f"{LESSON}:15: unknown field 'note'",
        f"{LESSON}:18: '::: phrases': phrases: #1: instead: "
        "Ensure this value has at most 300 characters (it has 301).",
    ]


def test_it_checks_video_and_image_arguments(pack, write, write_image):
    write_image("photo.png")
    (pack / "media" / "notes.png").write_text("not an image")
    (pack / "media" / "notes.txt").write_text("not an image")
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        ---
        ::: video
        :::

        ::: video not-a-url 動画
        :::

        ::: video https://example.org/v
        説明はここに書けない。
        :::

        ::: image
        :::

        ::: image missing.png 写真
        :::

        ::: image ../pack.yaml 写真
        :::

        ::: image notes.png 写真
        :::

        ::: image notes.txt 写真
        :::

        ::: image photo.png 使える写真
        :::
        """,
    )
    assert errors_in(pack) == [
        f"{LESSON}:7: '::: video' needs its URL [caption] on the same line",
        f"{LESSON}:10: '::: video': url: Enter a valid URL.",
        f"{LESSON}:13: '::: video' takes no content between its lines",
        f"{LESSON}:17: '::: image' needs its FILE [alt text] on the same line",
        f"{LESSON}:20: image 'missing.png' is not in the pack's media/ folder",
        f"{LESSON}:23: image '../pack.yaml' is not in the pack's media/ folder",
        f"{LESSON}:26: image 'notes.png' cannot be read as an image",
        f"{LESSON}:29: image 'notes.txt' must be one of the types avif, gif, jpg, jpeg, png, webp",
    ]


def test_it_collects_the_errors_of_every_file_at_once(pack, write):
    write("frameworks/basics.yaml", "code: Basics\nname: 基本\ncategories: []\n")
    write("pack.yaml", "format: 2\nframeworks: [basics]\ncourses: [course-a]\n")
    write(LESSON, "講義で振り返ります。\n")
    errors = errors_in(pack)
    assert errors == [
        "pack.yaml:1: this loader reads format 1, not 2",
        "frameworks/basics.yaml:1: 'code' 'Basics' is not valid: use lowercase letters, digits, "
        "'_' and '-'",
        "frameworks/basics.yaml:1: 'code' 'Basics' must match the file name basics.yaml",
        "courses/course-a/lessons/a-listening.md:6: competency 'B-LISTEN' is in no framework of "
        "the pack or the site",
        "courses/course-a/lessons/a-listening.md:6: competency 'B-LEVEL' is in no framework of "
        "the pack or the site",
        "courses/course-a/lessons/a-practice.md:6: competency 'B-LISTEN' is in no framework of "
        "the pack or the site",
        f"{LESSON}:1: a lesson file starts with a '---' line and front matter",
    ]


def test_it_reports_a_folder_that_is_not_a_pack(tmp_path):
    assert errors_in(tmp_path) == [
        "pack.yaml:1: pack.yaml not found: is this a content pack?",
    ]
