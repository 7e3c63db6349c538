"""The quiz block in a lesson (start / resume / last result) and the competency coverage of
questions."""

from django.urls import reverse

from assessments import services
from courses import services as courses_services
from courses.services import competency_coverage
from tests.assessments.quiz_builders import build_quiz, competency, right_answer
from tests.factories import build_course


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


def test_it_tells_a_trainer_on_the_lesson_that_only_enrolled_learners_take_the_quiz(client, people):
    # The lesson page answers the block's enrolment question from its own check; a trainer
    # passes that check without being enrolled, and must still be told they cannot start.
    quiz = build_quiz(course=people.course)
    lesson = people.lessons[0]
    put_in_lesson(lesson, quiz)
    client.force_login(people.tom)
    html = client.get(lesson.url).content.decode()
    assert "講座の受講者だけが受けられます。" in html
    assert reverse("assessments:start", args=[quiz.slug]) not in html


def test_it_checks_enrolment_in_the_quiz_course_when_a_lesson_holds_another_course_quiz(
    client, people
):
    other = build_course(slug="other-course")
    quiz = build_quiz(course=other)
    lesson = people.lessons[0]
    put_in_lesson(lesson, quiz)
    client.force_login(people.alice)
    html = client.get(lesson.url).content.decode()
    assert "講座の受講者だけが受けられます。" in html
    courses_services.enrol(people.alice, other)
    html = client.get(lesson.url).content.decode()
    assert reverse("assessments:start", args=[quiz.slug]) in html
