import json

import pytest
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Page

from content import loader
from content.loader import block_id
from courses.models import (
    Competency,
    CompetencyFramework,
    CourseIndexPage,
    CoursePage,
    JournalEntry,
    LessonPage,
    ModulePage,
)
from tests.factories import make_user
from yorisoi.roles import TRAINEE, TRAINER, ensure_groups

LESSON = "courses/course-a/lessons/a-review.md"


def slugs_in_order(model) -> list[str]:
    return list(model.objects.order_by("path").values_list("slug", flat=True))


def revisions(slug: str) -> int:
    return Page.objects.get(slug=slug).revisions.count()


@pytest.mark.django_db
def test_it_loads_frameworks_courses_modules_and_lessons(pack, run):
    result = run("load_content", pack)
    assert result.error is None, result.stderr
    # The catalogue exists already (a migration makes it); the pack gives it a new title.
    assert "10 created, 1 updated, 0 unchanged." in result.stdout
    assert list(Competency.objects.values_list("code", "category__framework__code")) == [
        ("B-LISTEN", "basics"),
        ("B-LEVEL", "basics"),
    ]
    catalogue = CourseIndexPage.objects.get()
    assert (catalogue.title, catalogue.intro) == ("テスト講座一覧", "小さなテスト用パックです。")
    course = CoursePage.objects.get(slug="course-a")
    assert course.get_parent().pk == catalogue.pk
    assert (course.audience, course.required_hours, course.self_enrol) == (
        "home_visitor",
        1.5,
        False,
    )
    assert slugs_in_order(ModulePage) == ["a-m1", "a-m2"]
    assert [lesson.slug for lesson in course.lessons()] == ["a-listening", "a-practice", "a-review"]
    listening = LessonPage.objects.get(slug="a-listening")
    assert (listening.duration_minutes, listening.delivery, listening.source) == (
        30,
        "online",
        "テスト用の出典",
    )
    assert {c.code for c in listening.competencies.all()} == {"B-LISTEN", "B-LEVEL"}
    assert [child.block_type for child in listening.body] == [
        "markdown",
        "callout",
        "key_phrases",
        "markdown",
        "reflection",
    ]
    assert listening.body[2].value["phrases"][0]["say"] == "「もう少し聞かせてください」"
    for page in Page.objects.filter(depth__gt=2):
        assert page.live and page.revisions.count() == 1 and not page.has_unpublished_changes


@pytest.mark.django_db
def test_it_changes_nothing_when_the_same_pack_is_loaded_again(pack, run):
    run("load_content", pack)
    result = run("load_content", pack, "--json")
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 11)
    assert summary["by_kind"]["lesson"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert all(revisions(slug) == 1 for slug in ("course-a", "a-m1", "a-listening", "a-review"))


@pytest.mark.django_db
def test_it_publishes_a_revision_only_for_what_changed(pack, write, run):
    run("load_content", pack)
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 45
        delivery: lecture
        competencies: [B-LEVEL]
        ---
        講義で振り返ります。
        """,
    )
    (pack / "frameworks/basics.yaml").write_text(
        (pack / "frameworks/basics.yaml").read_text().replace("対等な関わり", "同じ目の高さで")
    )
    summary = json.loads(run("load_content", pack, "--json").stdout)
    assert (summary["created"], summary["updated"]) == (0, 2)
    assert summary["by_kind"]["competency"]["updated"] == 1
    assert summary["by_kind"]["lesson"] == {"created": 0, "updated": 1, "unchanged": 2}
    review = LessonPage.objects.get(slug="a-review")
    assert review.duration_minutes == 45 and [c.code for c in review.competencies.all()] == [
        "B-LEVEL"
    ]
    assert [child.block_type for child in review.body] == ["markdown"]
    assert (revisions("a-review"), revisions("a-listening")) == (2, 1)
    assert Competency.objects.get(code="B-LEVEL").name == "同じ目の高さで"


@pytest.mark.django_db
def test_it_keeps_block_ids_so_journal_answers_find_their_prompt(pack, write, run):
    run("load_content", pack)
    listening = LessonPage.objects.get(slug="a-listening")
    reflection_id = listening.body[4].id
    assert reflection_id == block_id("a-listening/reflection/0")
    learner = make_user("alice", TRAINEE)
    JournalEntry.objects.create(
        user=learner, lesson=listening, block_id=reflection_id, prompt="", text="先週の面談で"
    )
    path = pack / "courses/course-a/lessons/a-listening.md"
    path.write_text(
        path.read_text().replace("## 聴く\n", "## 聴く\n\n::: caution\n急がない。\n:::\n")
    )
    summary = json.loads(run("load_content", pack, "--json").stdout)
    assert summary["updated"] == 1
    listening = LessonPage.objects.get(slug="a-listening")
    assert [child.block_type for child in listening.body][:3] == ["markdown", "callout", "markdown"]
    assert (
        listening.reflection_prompt(reflection_id)
        == "最近、話を聴いてもらえたと感じたのはいつですか。"
    )


@pytest.mark.django_db
def test_it_moves_and_orders_pages_as_the_pack_lists_them(pack, write, run):
    run("load_content", pack)
    write(
        "courses/course-a/course.yaml",
        """
        slug: course-a
        title: 講座A
        audience: home_visitor
        required_hours: 1.5
        self_enrol: false
        summary: 講座Aの要約。
        intro: |
          ## 目的

          聴くことを学びます。
        modules:
          - slug: a-m2
            title: 第2章 振り返る
            lessons:
              - a-review
              - a-listening
          - slug: a-m1
            title: 第1章 聴く
            summary: 聴くことの基本。
            lessons:
              - a-practice
        """,
    )
    summary = json.loads(run("load_content", pack, "--json").stdout)
    assert summary["by_kind"]["module"] == {"created": 0, "updated": 2, "unchanged": 0}
    # a-listening moved to a-m2; a-practice is alone in a-m1 now, but was not moved.
    assert summary["by_kind"]["lesson"]["updated"] == 1
    course = CoursePage.objects.get(slug="course-a")
    assert slugs_in_order(ModulePage) == ["a-m2", "a-m1"]
    assert [lesson.slug for lesson in course.lessons()] == ["a-review", "a-listening", "a-practice"]
    assert LessonPage.objects.get(slug="a-listening").url_path == (
        "/courses/course-a/a-m2/a-listening/"
    )
    # A move is not an edit: the lesson keeps its single revision.
    assert revisions("a-listening") == 1
    summary = json.loads(run("load_content", pack, "--json").stdout)
    assert (summary["created"], summary["updated"]) == (0, 0)


@pytest.mark.django_db
def test_it_leaves_pages_that_are_not_in_the_pack_alone(pack, run):
    run("load_content", pack)
    module = ModulePage.objects.get(slug="a-m1")
    module.add_child(instance=LessonPage(title="手作りの回", slug="handmade", duration_minutes=10))
    result = run("load_content", pack)
    assert "0 created, 0 updated, 11 unchanged." in result.stdout
    assert "Pages not in the pack, left as they are:\n  /courses/course-a/a-m1/handmade/" in (
        result.stdout
    )
    assert LessonPage.objects.filter(slug="handmade").exists()


@pytest.mark.django_db
def test_it_changes_nothing_when_the_last_lesson_is_invalid(pack, write, run):
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 0
        delivery: lecture
        ---
        ::: tip
        :::
        """,
    )
    result = run("load_content", pack)
    assert str(result.error) == "2 errors in the pack; nothing was changed."
    assert result.stderr.splitlines() == [
        f"{pack}/{LESSON}:4: 'duration_minutes' must be a whole number from 5 to 1440, not 0",
        f"{pack}/{LESSON}:7: unknown directive 'tip'; use one of: point, caution, example, "
        "phrases, reflection, video, image, richtext, quiz, practice",
    ]
    assert not CompetencyFramework.objects.exists()
    assert not Page.objects.filter(depth__gt=2).exists()
    assert CourseIndexPage.objects.get().title == "講座一覧"


@pytest.mark.django_db
def test_it_reports_a_yaml_error_as_file_and_line(pack, write, run):
    write("frameworks/basics.yaml", "code: basics\nname: [基本\n")
    result = run("load_content", pack, "--json")
    assert str(result.error) == "1 error in the pack; nothing was changed."
    assert result.stderr == (
        f"{pack}/frameworks/basics.yaml:3: YAML syntax error: "
        "expected ',' or ']', but got '<stream end>'\n"
    )
    assert result.stdout == ""


@pytest.mark.django_db
def test_it_writes_nothing_if_applying_the_pack_fails_half_way(pack, run, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    # ensure_groups runs last, after every page is written.
    monkeypatch.setattr(loader, "ensure_groups", fail)
    with pytest.raises(RuntimeError):
        run("load_content", pack)
    assert not Competency.objects.exists()
    assert not Page.objects.filter(depth__gt=2).exists()


@pytest.mark.django_db
def test_it_refuses_a_slug_that_names_another_kind_of_page(pack, run):
    catalogue = CourseIndexPage.objects.get()
    other = catalogue.add_child(instance=CoursePage(title="別の講座", slug="other"))
    other.add_child(instance=ModulePage(title="振り返り", slug="a-review"))
    result = run("load_content", pack)
    assert result.stderr == (
        f"{pack}/{LESSON}:2: slug 'a-review' already names a ModulePage at "
        "/courses/other/a-review/\n"
    )
    assert not LessonPage.objects.exists()


@pytest.mark.django_db
def test_it_imports_each_image_once(pack, write, write_image, run):
    write_image("flow.png", "blue")
    write(
        LESSON,
        """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        ---
        ::: image flow.png 支援の流れ
        :::

        ::: image flow.png
        :::
        """,
    )
    run("load_content", pack)
    summary = json.loads(run("load_content", pack, "--json").stdout)
    assert summary["by_kind"]["image"] == {"created": 0, "updated": 0, "unchanged": 1}
    image = get_image_model().objects.get()
    assert (image.title, image.width, image.height) == ("flow.png", 8, 6)
    first, second = LessonPage.objects.get(slug="a-review").body
    assert first.value.pk == second.value.pk == image.pk
    assert (first.value.contextual_alt_text, first.value.decorative) == ("支援の流れ", False)
    assert second.value.decorative


@pytest.mark.django_db
def test_it_shows_progress_and_a_summary(pack, run):
    result = run("load_content", pack)
    assert result.stdout.splitlines()[:4] == [
        "course course-a 講座A",
        "[1/3] lesson a-listening",
        "[2/3] lesson a-practice",
        "[3/3] lesson a-review",
    ]
    assert "  lesson: 3 created, 0 updated, 0 unchanged" in result.stdout
    quiet = run("load_content", pack, "--json")
    assert json.loads(quiet.stdout)["pack"] == str(pack)


@pytest.mark.django_db
def test_it_lets_trainers_author_the_catalogue(pack, run):
    GroupPagePermission.objects.all().delete()
    ensure_groups()
    run("load_content", pack)
    permissions = GroupPagePermission.objects.filter(group__name=TRAINER)
    assert permissions.filter(page=CourseIndexPage.objects.get()).count() == 5


@pytest.mark.django_db
def test_it_refuses_a_module_or_lesson_that_belongs_to_another_course(pack, run):
    catalogue = CourseIndexPage.objects.get()
    other = catalogue.add_child(instance=CoursePage(title="別の講座", slug="other"))
    module = other.add_child(instance=ModulePage(title="聴く", slug="a-m1"))
    module.add_child(instance=LessonPage(title="振り返り", slug="a-review", duration_minutes=30))
    result = run("load_content", pack)
    advice = "give it another slug, or move it in the admin first"
    assert result.stderr.splitlines() == [
        f"{pack}/courses/course-a/course.yaml:12: module 'a-m1' belongs to course 'other' on the "
        f"site (/courses/other/a-m1/), not to 'course-a'; {advice}",
        f"{pack}/{LESSON}:2: lesson 'a-review' belongs to course 'other' on the site "
        f"(/courses/other/a-m1/a-review/), not to 'course-a'; {advice}",
    ]
    assert ModulePage.objects.get(slug="a-m1").get_parent().slug == "other"
    assert not CoursePage.objects.filter(slug="course-a").exists()
