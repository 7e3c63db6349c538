import pytest

from courses.blocks import LessonBodyBlock, VideoBlock, render_markdown


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
