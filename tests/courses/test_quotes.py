"""Quoted words are shown in one pair of quote marks, however they arrive."""

import pytest
from django.template import Context, Template

from courses.templatetags.yorisoi_format import unquoted


@pytest.mark.parametrize(
    "text, shown",
    [
        ("「わかりました。」", "わかりました。"),
        ("『大丈夫です』", "大丈夫です"),
        ("“I see.”", "I see."),
        ('"I see."', "I see."),
        ("  「はい」 ", "はい"),
        ("わかりました。", "わかりました。"),
        # A judge quoting one sentence of a bracketed turn keeps a lone mark at one end.
        ("「わかりました、誰にも言いません。", "わかりました、誰にも言いません。"),
        ("二人だけの秘密にしますね。」", "二人だけの秘密にしますね。"),
        ("「母が『もう無理』と", "母が『もう無理』と"),
    ],
)
def test_it_takes_off_one_pair_of_quote_marks_around_the_whole_text(text, shown):
    assert unquoted(text) == shown


@pytest.mark.parametrize(
    "text",
    ["「夜」と「朝」", '"one" and "two"', "母が『もう無理』と言った", "あ「い」う"],
)
def test_it_leaves_marks_that_do_not_enclose_the_whole_text(text):
    assert unquoted(text) == text.strip()


def test_it_renders_a_bracketed_quote_in_one_pair_of_brackets():
    html = Template("{% load yorisoi_format %}「{{ line|unquoted }}」").render(
        Context({"line": "「話してくださってありがとうございます。」"})
    )
    assert html == "「話してくださってありがとうございます。」"
