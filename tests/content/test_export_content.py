import json

import pytest
import yaml
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from courses.models import CompetencyFramework, CoursePage, LessonPage

LESSON = "courses/course-a/lessons/a-review.md"


@pytest.fixture
def rich_pack(pack, write, write_image):
    """The small pack, with every kind of block in its last lesson."""
    write_image("flow.png")
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        competencies: [B-LEVEL]
        summary: 一か月を振り返ります。
        ---
        講義で振り返ります。

        ::: example 事例：Aさんの場合
        Aさんは「大丈夫です」と言いました。
        :::

        ::: video https://youtu.be/abc123 講義の録画
        :::

        ::: image flow.png 支援の流れの図
        :::

        ::: richtext
        <p>編集画面で書いた<b>文章</b></p>
        :::

        ::: phrases
        - say: 'それは大変でしたね: 話してくださってありがとうございます'
          instead: 「よくあることですよ」
        :::

        ::: reflection
        この一か月で、一番うれしかった場面は？
        :::
        """,
    )
    return pack


def files_in(folder) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def site_content() -> list[tuple]:
    """What a learner sees of every page, with images by content rather than by id."""
    content = []
    for page in Page.objects.filter(depth__gt=2).order_by("path").specific():
        fields = {
            name: getattr(page, name)
            for name in ("title", "summary", "intro", "audience", "required_hours", "delivery")
            if hasattr(page, name)
        }
        if isinstance(page, LessonPage):
            fields["competencies"] = sorted(c.code for c in page.competencies.all())
            fields["body"] = [
                (child.id, child.block_type, child.value.file_hash)
                if child.block_type == "image"
                else (child.id, child.block.get_prep_value(child.value))
                for child in page.body
            ]
        content.append((page.url_path, page.specific_class.__name__, fields))
    return content


@pytest.mark.django_db
def test_it_exports_a_pack_that_loads_back_unchanged(rich_pack, tmp_path, run):
    run("load_content", rich_pack)
    result = run("export_content", "--output", tmp_path / "first")
    assert result.stdout == (
        "Exported 1 frameworks, 1 courses, 2 modules, 3 lessons, 1 images, 0 scenarios and "
        "0 quizzes to "
        f"{tmp_path}/first.\n"
    )
    summary = json.loads(run("load_content", tmp_path / "first", "--json").stdout)
    assert (summary["created"], summary["updated"]) == (0, 0)
    run("export_content", "--output", tmp_path / "second")
    assert files_in(tmp_path / "first") == files_in(tmp_path / "second")


@pytest.mark.django_db
def test_it_rebuilds_the_same_pages_in_a_fresh_site(rich_pack, tmp_path, run):
    run("load_content", rich_pack)
    before = site_content()
    run("export_content", "--output", tmp_path / "export")
    for course in CoursePage.objects.all():
        course.delete()
    CompetencyFramework.objects.all().delete()
    get_image_model().objects.all().delete()

    result = run("load_content", tmp_path / "export")
    assert result.error is None, result.stderr
    assert site_content() == before


@pytest.mark.django_db
def test_it_writes_the_pack_format(rich_pack, tmp_path, run):
    run("load_content", rich_pack)
    run("export_content", "--output", tmp_path / "export")
    exported = tmp_path / "export"
    assert (exported / "pack.yaml").read_text() == (
        "# Exported by manage.py export_content.\n"
        "format: 1\n"
        "catalogue:\n"
        "  title: テスト講座一覧\n"
        "  intro: 小さなテスト用パックです。\n"
        "frameworks:\n"
        "- basics\n"
        "courses:\n"
        "- course-a\n"
    )
    assert (exported / LESSON).read_text() == (
        "---\n"
        "slug: a-review\n"
        "title: 振り返り\n"
        "duration_minutes: 30\n"
        "delivery: lecture\n"
        "competencies: [B-LEVEL]\n"
        "summary: 一か月を振り返ります。\n"
        "---\n"
        "講義で振り返ります。\n"
        "\n"
        "::: example 事例：Aさんの場合\n"
        "Aさんは「大丈夫です」と言いました。\n"
        ":::\n"
        "\n"
        "::: video https://youtu.be/abc123 講義の録画\n"
        ":::\n"
        "\n"
        "::: image flow.png 支援の流れの図\n"
        ":::\n"
        "\n"
        "::: richtext\n"
        "<p>編集画面で書いた<b>文章</b></p>\n"
        ":::\n"
        "\n"
        "::: phrases\n"
        "- say: 'それは大変でしたね: 話してくださってありがとうございます'\n"
        "  instead: 「よくあることですよ」\n"
        ":::\n"
        "\n"
        "::: reflection\n"
        "この一か月で、一番うれしかった場面は？\n"
        ":::\n"
    )
    assert (exported / "media/flow.png").read_bytes() == (rich_pack / "media/flow.png").read_bytes()
    course_yaml = (exported / "courses/course-a/course.yaml").read_text()
    assert "required_hours: 1.5\nself_enrol: false\n" in course_yaml
    assert "intro: |-\n  ## 目的\n\n  聴くことを学びます。\n" in course_yaml


@pytest.mark.django_db
def test_it_leaves_out_unpublished_pages(pack, tmp_path, run):
    run("load_content", pack)
    LessonPage.objects.get(slug="a-practice").unpublish()
    run("export_content", "--output", tmp_path / "export")
    course = yaml.safe_load((tmp_path / "export/courses/course-a/course.yaml").read_text())
    assert [module["lessons"] for module in course["modules"]] == [["a-listening"], ["a-review"]]
    assert not (tmp_path / "export/courses/course-a/lessons/a-practice.md").exists()


@pytest.mark.django_db
def test_it_refuses_to_write_into_a_folder_in_use(tmp_path, run):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("大事なメモ")
    result = run("export_content", "--output", tmp_path / "used")
    assert (
        str(result.error) == f"{tmp_path}/used exists and is not an empty folder; choose another."
    )
    assert files_in(tmp_path / "used") == {"notes.txt": "大事なメモ".encode()}


@pytest.mark.django_db
def test_it_writes_to_a_dated_folder_by_default(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("export_content", "--json")
    folder = f"export/{timezone.localdate().isoformat()}"
    assert json.loads(result.stdout) == {
        "output": folder,
        "frameworks": 0,
        "courses": 0,
        "modules": 0,
        "lessons": 0,
        "images": 0,
        "scenarios": 0,
        "quizzes": 0,
    }
    assert (tmp_path / folder / "pack.yaml").is_file()
