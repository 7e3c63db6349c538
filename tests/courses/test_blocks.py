import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.blocks.struct_block import StructBlockValidationError

from courses.blocks import LessonBodyBlock, PracticeBlock, VideoBlock, render_markdown
from tests.factories import build_scenario


def test_it_renders_markdown_and_strips_scripts():
    html = render_markdown(
        "## 見出し\n\n**大切**な点\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n[リンク](javascript:alert(3))'
    )
    assert "<h2>見出し</h2>" in html and "<strong>大切</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_it_embeds_youtube_and_vimeo_without_fetching_anything():
    block = VideoBlock()
    assert block.embed_url("https://youtu.be/abc_DEF-123") == (
        "https://www.youtube-nocookie.com/embed/abc_DEF-123"
    )
    assert block.embed_url("https://www.youtube.com/watch?v=abc123") == (
        "https://www.youtube-nocookie.com/embed/abc123"
    )
    assert (
        block.embed_url("https://vimeo.com/76979871") == "https://player.vimeo.com/video/76979871"
    )
    assert block.embed_url("https://example.org/video.mp4") is None
    assert block.embed_url('https://youtu.be/"><script>') is None


def test_it_escapes_key_phrases_and_renders_callouts():
    body = LessonBodyBlock().to_python(
        [
            {
                "type": "key_phrases",
                "value": {"phrases": [{"say": "<b>はい</b>", "instead": "だめ"}]},
            },
            {"type": "callout", "value": {"kind": "caution", "title": "", "body": "*注意*"}},
        ]
    )
    html = "".join(child.render() for child in body)
    assert "&lt;b&gt;はい&lt;/b&gt;" in html
    assert 'class="callout caution"' in html and "<em>注意</em>" in html


@pytest.mark.django_db
def test_it_shows_the_learners_saved_answer_in_the_reflection_block(client, people):
    from courses.services import save_reflection

    lesson = people.lessons[0]
    block_id = next(child.id for child in lesson.body if child.block_type == "reflection")
    save_reflection(people.alice, lesson, block_id, "<script>x</script>私の答え")
    client.force_login(people.alice)
    html = client.get(lesson.url).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;私の答え" in html
    assert '<div class="markdown"><p>傾聴の基本を学びます。</p></div>' in html


def test_it_renders_the_same_markdown_text_once(monkeypatch):
    import markdown

    calls = []
    real = markdown.markdown
    monkeypatch.setattr(markdown, "markdown", lambda *a, **k: calls.append(a) or real(*a, **k))
    render_markdown.cache_clear()
    first = render_markdown("## 今日のねらい\n\n**傾聴**を学びます。")
    again = render_markdown("## 今日のねらい\n\n**傾聴**を学びます。")
    other = render_markdown("別の文章です。")
    assert first == again and "<strong>傾聴</strong>" in first
    assert "別の文章" in other
    assert len(calls) == 2


def test_it_renders_a_practice_card_linking_to_its_scenario():
    body = LessonBodyBlock().to_python(
        [
            {
                "type": "practice",
                "value": {"scenario": "first-visit", "minutes": 15, "note": "<b>焦らずに</b>"},
            }
        ]
    )
    with translation.override("en"):
        html = body[0].render()
    assert f'href="{reverse("roleplay_scenario", args=["first-visit"])}"' in html
    assert "Practise this scenario for about 15 minutes" in html
    assert "&lt;b&gt;焦らずに&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"scenario": "first visit", "minutes": 15}, "scenario"),
        ({"scenario": "first-visit", "minutes": 4}, "minutes"),
        ({"scenario": "first-visit", "minutes": 121}, "minutes"),
    ],
)
def test_it_refuses_a_practice_block_the_page_cannot_link_or_credit(value, field):
    block = PracticeBlock()
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(block.to_python({"note": "", **value}))
    assert list(caught.value.block_errors) == [field]


@pytest.mark.django_db
def test_it_lets_an_author_choose_the_practice_scenario_from_the_published_ones():
    build_scenario("visit-mother", title="疲れた母親との初回訪問")
    build_scenario("draft-caseworker", live=False, title="慎重なケースワーカー")
    scenario = PracticeBlock().child_blocks["scenario"]
    html = scenario.field.widget.render("scenario", "visit-mother")
    assert html.startswith("<select")
    assert '<option value="visit-mother" selected>疲れた母親との初回訪問（visit-mother）' in html
    assert "draft-caseworker" not in html
    # A scenario published later is listed at once: the list is read when the editor opens.
    build_scenario("volunteer-talk", title="張り切りすぎるボランティア")
    assert "volunteer-talk" in scenario.field.widget.render("scenario", "")
    # No choice is refused, as a required field.
    with pytest.raises(StructBlockValidationError) as caught:
        PracticeBlock().clean(PracticeBlock().to_python({"scenario": "", "minutes": 15}))
    assert list(caught.value.block_errors) == ["scenario"]


def test_it_keeps_the_list_of_scenarios_inside_the_editors_column(client, people):
    client.force_login(people.tom)
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[people.lessons[0].pk]))
    assert editor.status_code == 200
    assert "courses/css/scenario_select" in editor.content.decode()


def test_it_names_the_editors_of_plain_blocks_in_a_stream_for_screen_readers():
    # Wagtail's heading above a plain stream block is not the field's label (axe: label and
    # aria-input-field-name in the page editor).
    body = LessonBodyBlock()
    with translation.override("ja"):
        markdown = body.child_blocks["markdown"].field.widget.attrs["aria-label"]
        rich_text = body.child_blocks["rich_text"].field.widget.options["ariaLabel"]
        assert str(markdown) == "テキスト（Markdown）"
        assert str(rich_text) == "リッチテキスト"
