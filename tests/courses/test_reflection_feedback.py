"""The answer's "saved" message appears where the learner is: in the reflection block."""

import re

import pytest
from django.urls import reverse

from tests.courses.test_reflection import reflection_id


def reflection_block(html, block_id):
    return re.search(
        rf'<section class="reflection" id="reflection-{block_id}">.*?</section>', html, re.S
    ).group(0)


@pytest.mark.django_db
def test_it_says_saved_next_to_the_answer_not_at_the_top(client, people):
    lesson = people.lessons[0]
    block_id = reflection_id(lesson)
    client.force_login(people.alice)
    response = client.post(
        reverse("save_reflection", args=[lesson.pk, block_id]), {"text": "答え"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"#reflection-{block_id}")
    html = response.content.decode()
    block = reflection_block(html, block_id)
    assert "ジャーナルに保存しました" in block or "Saved to your journal" in block
    top = html.split('<section class="reflection"')[0]
    assert "ジャーナルに保存しました" not in top and "Saved to your journal" not in top


@pytest.mark.django_db
def test_it_shows_an_empty_answers_problem_in_the_block_too(client, people):
    lesson = people.lessons[0]
    block_id = reflection_id(lesson)
    client.force_login(people.alice)
    response = client.post(
        reverse("save_reflection", args=[lesson.pk, block_id]), {"text": " "}, follow=True
    )
    block = reflection_block(response.content.decode(), block_id)
    assert 'class="message error"' in block
