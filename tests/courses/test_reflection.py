import pytest
from django.urls import reverse

from courses.models import JournalEntry


def reflection_id(lesson):
    return next(child.id for child in lesson.body if child.block_type == "reflection")


@pytest.mark.django_db
def test_it_saves_answers_privately_to_the_journal(client, people):
    lesson = people.lessons[0]
    block_id = reflection_id(lesson)
    client.force_login(people.alice)
    url = reverse("save_reflection", args=[lesson.pk, block_id])
    client.post(url, {"text": "先輩に話を聴いてもらえた日のこと"})
    client.post(url, {"text": "書き直した答え"})
    entry = JournalEntry.objects.get(user=people.alice)
    assert entry.text == "書き直した答え"
    assert entry.prompt == "最近、話を聴いてもらえたと感じた場面は？"
    assert "書き直した答え" in client.get(reverse("journal")).content.decode()
    assert "書き直した答え" in client.get(lesson.url).content.decode()

    client.force_login(people.bob)
    assert "書き直した答え" not in client.get(reverse("journal")).content.decode()
    assert "書き直した答え" not in client.get(lesson.url).content.decode()
    client.force_login(people.tom)
    assert (
        "書き直した答え"
        not in client.get(
            reverse("trainee_ledger", args=[people.alice.enrollments.get().pk])
        ).content.decode()
    )


@pytest.mark.django_db
def test_it_rejects_unknown_prompts_and_empty_answers(client, people):
    lesson = people.lessons[0]
    client.force_login(people.alice)
    client.post(reverse("save_reflection", args=[lesson.pk, "forged-id"]), {"text": "x"})
    client.post(reverse("save_reflection", args=[lesson.pk, reflection_id(lesson)]), {"text": "  "})
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_it_refuses_reflections_on_lessons_of_courses_not_taken(client, people):
    from tests.factories import make_user

    dora = make_user("dora", "受講者")
    client.force_login(dora)
    lesson = people.lessons[0]
    response = client.post(
        reverse("save_reflection", args=[lesson.pk, reflection_id(lesson)]), {"text": "x"}
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.exists()
