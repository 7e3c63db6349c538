"""Authoring a quiz in the Wagtail admin: questions with their options inline, checked as a
whole when saved."""

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments.models import Question, Quiz
from tests.assessments.quiz_builders import build_quiz, competency


def quiz_form(people, questions: list[dict], **fields) -> dict:
    listen = competency()
    data = nested_form_data(
        {
            "title": "第1章 確認テスト",
            "slug": "chapter-1",
            "kind": "quiz",
            "pass_mark": "60",
            "attempts_allowed": "0",
            "questions": inline_formset(
                [
                    {
                        **{k: v for k, v in q.items() if k != "options"},
                        "options": inline_formset(q.get("options", [])),
                    }
                    for q in questions
                ]
            ),  # fmt: skip
            **fields,
        }
    )
    for n in range(len(questions)):
        data[f"questions-{n}-competencies"] = [listen.pk]
    return data


SINGLE = {
    "type": "single",
    "text": "初回訪問でまずすることは？",
    "explanation": "信頼関係は聴くことから始まる。",
    "options": [{"text": "話を聴く", "correct": "on"}, {"text": "助言する"}],
}


def test_it_saves_a_quiz_with_questions_and_options(client, people):
    client.force_login(people.tom)
    response = client.post(
        reverse("wagtailsnippets_assessments_quiz:add"), quiz_form(people, [SINGLE])
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.key.startswith("q-")
    assert [(o.text, o.correct) for o in question.options.all()] == [
        ("話を聴く", True),
        ("助言する", False),
    ]
    assert [c.code for c in question.competencies.all()] == ["HV-LISTEN"]


def test_it_refuses_a_single_choice_question_with_two_right_options(client, people):
    client.force_login(people.tom)
    broken = {
        **SINGLE,
        "options": [{"text": "話を聴く", "correct": "on"}, {"text": "助言する", "correct": "on"}],
    }
    response = client.post(
        reverse("wagtailsnippets_assessments_quiz:add"), quiz_form(people, [broken])
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]
    assert not Quiz.objects.exists()


def test_it_refuses_an_exam_without_a_course_and_a_second_exam(client, people):
    build_quiz("existing", course=people.course, kind="exam")
    client.force_login(people.tom)
    url = reverse("wagtailsnippets_assessments_quiz:add")
    no_course = client.post(url, quiz_form(people, [SINGLE], kind="exam"))
    second = client.post(url, quiz_form(people, [SINGLE], kind="exam", course=people.course.pk))
    assert list(no_course.context["form"].errors) == ["course"]
    assert list(second.context["form"].errors) == ["course"]
    assert Quiz.objects.count() == 1


def test_it_opens_the_editor_of_an_existing_quiz(client, people):
    quiz = build_quiz(course=people.course)
    client.force_login(people.tom)
    response = client.get(reverse("wagtailsnippets_assessments_quiz:edit", args=[quiz.pk]))
    assert response.status_code == 200
    assert "解説 q5" in response.content.decode()


def test_it_lists_quizzes_for_a_trainer_and_keeps_trainees_out(client, people):
    build_quiz(course=people.course)
    url = reverse("wagtailsnippets_assessments_quiz:list")
    client.force_login(people.tom)
    assert client.get(url).status_code == 200
    client.force_login(people.alice)
    assert client.get(url).status_code == 302
