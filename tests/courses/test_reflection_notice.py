"""A reflection keeps the learner's words; a real person's details in it earn a reminder."""

import pytest
from django.urls import reverse
from django.utils import translation

from courses.models import JournalEntry


def save(client, lesson, text):
    block_id = next(child.id for child in lesson.body if child.block_type == "reflection")
    url = reverse("save_reflection", args=[lesson.pk, block_id])
    return client.post(url, {"text": text}, follow=True, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_it_keeps_the_words_and_reminds_the_learner_of_real_details(client, people):
    client.force_login(people.alice)
    said = "訪問先の田中花子さん（090-1234-5678）の話をよく聞けた"
    with translation.override("en"):
        response = save(client, people.lessons[0], said)
    assert JournalEntry.objects.get(user=people.alice).text == said
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert ("success", "Saved to your journal. Only you can read it.") in shown
    assert (
        "warning",
        "This seems to contain names, phone numbers. If they belong to a real family or "
        "person, please rewrite them so that nobody can be recognised.",
    ) in shown


@pytest.mark.django_db
def test_it_says_nothing_more_when_the_reflection_names_nobody(client, people):
    client.force_login(people.alice)
    response = save(client, people.lessons[0], "お母さんの話を最後まで遮らずに聞けた")
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
