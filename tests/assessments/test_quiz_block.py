"""The quiz block in a lesson (start / resume / last result) and the competency coverage of
questions."""

from django.urls import reverse

from assessments import services
from courses.services import competency_coverage
from tests.assessments.quiz_builders import build_quiz, competency, right_answer


def put_in_lesson(lesson, quiz):
    lesson.body.append(("quiz", quiz))
    lesson.save()


def test_it_shows_start_resume_and_the_last_result_in_a_lesson(client, people):
    quiz = build_quiz(course=people.course, types=("single", "true_false"))
    lesson = people.lessons[-1]
    put_in_lesson(lesson, quiz)
    client.force_login(people.alice)

    html = client.get(lesson.url).content.decode()
    assert reverse("assessments:start", args=[quiz.slug]) in html

    attempt = services.start_attempt(people.alice, quiz)
    html = client.get(lesson.url).content.decode()
    assert reverse("assessments:attempt", args=[attempt.pk]) in html

    for question in attempt.sheet.questions:
        services.save_answer(attempt, question.key, right_answer(question), user=people.alice)
    services.submit_attempt(attempt, user=people.alice)
    html = client.get(lesson.url).content.decode()
    assert reverse("assessments:result", args=[attempt.pk]) in html
    assert "100%" in html


def test_it_renders_nothing_for_a_deleted_quiz(client, people):
    quiz = build_quiz(course=people.course)
    lesson = people.lessons[0]
    put_in_lesson(lesson, quiz)
    quiz.delete()
    client.force_login(people.alice)
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert "quiz-block" not in response.content.decode()


def test_it_counts_questions_in_the_competency_coverage(people):
    listen = competency()
    build_quiz("one", types=("single", "written"))
    build_quiz("two", types=("true_false",))
    row = next(c for c in competency_coverage()["competencies"] if c["code"] == listen.code)
    assert row["questions"] == 3
    assert listen.code not in competency_coverage()["uncovered"]
