"""Property tests of the lesson reader: whatever text a lesson file holds, reading it ends in
blocks or in problems at `file:line`, never in a traceback."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from content.directives import Block
from content.fields import PackError
from content.packs import PackReader

# Lines an author writes, right and wrong, so that the generated files reach the directive
# and front-matter code instead of failing on the first line.
LESSON_LINES = [
    "---",
    ":::",
    "::: point 大事なこと",
    "::: caution",
    "::: reflection",
    "::: phrases",
    "::: richtext",
    "::: unknown",
    "::: quiz a-quiz :::",
    "::: quiz two slugs :::",
    "::: video https://youtu.be/abc123 説明 :::",
    "::: video javascript:alert(1) :::",
    "::: image ../../etc/passwd :::",
    "::: practice first-visit 15 まず聴く :::",
    "::: practice first-visit 100000000000 :::",
    ":::practice",
    "slug: lesson",
    "slug: Not A Slug",
    "title: 傾聴の基本",
    "title: " + "長" * 300,
    "duration_minutes: 30",
    "duration_minutes: 1000000000000",
    "duration_minutes: -5",
    "delivery: online",
    "delivery: teleport",
    "competencies: [B-LISTEN]",
    "competencies: {a: b}",
    "summary: [unclosed",
    "? [complex, key]\n: value",
    "!!python/object:os.system x",
    "- say: 「お疲れですね」",
    "  instead: 「がんばって」",
    "- 42",
    "本文の段落です。",
    "<script>alert(1)</script>",
    "",
]
lines = st.one_of(
    st.sampled_from(LESSON_LINES),
    st.text(max_size=40),
    st.sampled_from(LESSON_LINES).map(lambda line: " " + line),
)
lesson_texts = st.one_of(
    st.lists(lines, max_size=25).map("\n".join),
    st.lists(lines, max_size=25).map(lambda body: "---\nslug: lesson\n---\n" + "\n".join(body)),
    st.text(max_size=300),
)


def read_lesson(tmp_path, text: str):
    path = tmp_path / "lesson.md"
    path.write_text(text, encoding="utf-8")
    reader = PackReader(tmp_path)
    return reader.lesson(path), reader.errors, len(text.split("\n"))


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lesson_texts)
@example("---\nslug: lesson\n---\n::: practice\n:::")
@example("---\n" + "[" * 200 + "\n---\n")
@example("---\ntitle: x\n---\n::: phrases\n- say: [\n:::")
def test_it_reads_any_lesson_text_into_blocks_or_located_problems(tmp_path, text):
    lesson, errors, line_count = read_lesson(tmp_path, text)
    assert lesson is not None or errors
    for error in errors:
        assert isinstance(error, PackError)
        assert error.file.endswith("lesson.md")
        assert 1 <= error.line <= line_count + 1, str(error)
        assert str(error).startswith(f"{error.file}:{error.line}: ")
    if lesson is not None:
        assert all(isinstance(block, Block) for block in lesson.body)


def test_it_reads_a_good_lesson_without_problems(tmp_path):
    text = (
        "---\nslug: lesson\ntitle: 傾聴の基本\nduration_minutes: 30\ndelivery: online\n---\n"
        "導入です。\n\n::: point 大事なこと\n最後まで聴く。\n:::\n"
    )
    lesson, errors, _ = read_lesson(tmp_path, text)
    assert errors == []
    assert [block.type for block in lesson.body] == ["markdown", "callout"]
