"""The learner's pages: start, answer as you go (with and without JavaScript), submit, result;
and who may see what. Alice and Bob are in cohort A (Tom), Charlie in cohort B (Tina)."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from assessments import services
from assessments.models import Answer, Attempt, AttemptStatus
from tests.assessments.quiz_builders import build_quiz, right_answer

JSON = {"accept": "application/json"}


@pytest.fixture
def exam(people):
    return build_quiz("final", course=people.course, kind="exam", pass_mark=70, attempts_allowed=1)


def post_answer(client, attempt, key, **fields):
    data = {"question": key, **fields}
    return client.post(reverse("assessments:save_answer", args=[attempt.pk]), data, headers=JSON)


def test_it_takes_an_exam_from_start_to_result(client, people, exam):
    client.force_login(people.alice)
    page = client.get(reverse("assessments:quiz", args=[exam.slug]))
    assert reverse("assessments:start", args=[exam.slug]) in page.content.decode()
    response = client.post(reverse("assessments:start", args=[exam.slug]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("assessments:attempt", args=[attempt.pk])
    assert client.get(response.url).status_code == 200

    sheet = attempt.sheet
    situational = sheet.question("q5")
    best = next(o for o in situational.options if o.rank == 1)
    replies = [
        post_answer(client, attempt, "q1", choice=sheet.question("q1").correct_ids),
        post_answer(client, attempt, "q2", choice=sheet.question("q2").correct_ids),
        post_answer(client, attempt, "q3", flag="true"),
        post_answer(client, attempt, "q4", text="まず気持ちを受け止めます。"),
        post_answer(client, attempt, "q5", choice=[best.id]),
    ]
    assert [r.status_code for r in replies] == [200] * 5
    assert replies[0].json()["question"] == "q1"

    response = client.post(reverse("assessments:submit", args=[attempt.pk]))
    assert response.url == reverse("assessments:result", args=[attempt.pk])
    html = client.get(response.url).content.decode()
    assert Attempt.objects.get().status == AttemptStatus.SUBMITTED
    # Feedback: the why of every question, and each response's rank and reason.
    for question in sheet.questions:
        assert question.explanation in html
    for option in situational.options:
        assert option.reason in html


def test_it_saves_an_answer_without_javascript(client, people, exam):
    attempt = services.start_attempt(people.alice, exam)
    client.force_login(people.alice)
    response = client.post(
        reverse("assessments:save_answer", args=[attempt.pk]), {"question": "q3", "flag": "false"}
    )
    assert response.url == reverse("assessments:attempt", args=[attempt.pk]) + "#q-q3"
    assert Answer.objects.get().flag is False
    html = client.get(response.url).content.decode()
    assert 'value="false" checked' in html


@pytest.mark.parametrize(
    "fields",
    [
        {"question": "q1", "choice": "12345678"},
        {"question": "q1", "choice": "not-a-number"},
        {"question": "missing", "flag": "true"},
        {"question": "q3", "flag": "maybe"},
        {"choice": "1"},
    ],
)
def test_it_answers_400_to_a_forged_answer_and_saves_nothing(client, people, exam, fields):
    attempt = services.start_attempt(people.alice, exam)
    client.force_login(people.alice)
    url = reverse("assessments:save_answer", args=[attempt.pk])
    assert client.post(url, fields, headers=JSON).status_code == 400
    assert client.post(url, fields).status_code == 400
    assert not Answer.objects.exists()


def test_it_answers_409_to_an_answer_for_a_submitted_attempt(client, people, exam):
    attempt = services.start_attempt(people.alice, exam)
    services.submit_attempt(attempt, user=people.alice)
    client.force_login(people.alice)
    response = post_answer(client, attempt, "q3", flag="true")
    assert response.status_code == 409
    assert response.json()["code"] == "already_submitted"


def test_it_records_one_result_for_two_submits(client, people, exam):
    attempt = services.start_attempt(people.alice, exam)
    client.force_login(people.alice)
    url = reverse("assessments:submit", args=[attempt.pk])
    assert client.post(url).status_code == client.post(url).status_code == 302
    submits = ModelLogEntry.objects.filter(
        object_id=str(attempt.pk), action="assessments.attempt.submit"
    )
    assert submits.count() == 1


def test_it_resumes_from_the_quiz_page(client, people, exam):
    attempt = services.start_attempt(people.alice, exam)
    services.save_answer(
        attempt, "q1", right_answer(attempt.sheet.question("q1")), user=people.alice
    )
    client.force_login(people.alice)
    html = client.get(reverse("assessments:quiz", args=[exam.slug])).content.decode()
    assert reverse("assessments:attempt", args=[attempt.pk]) in html
    client.post(reverse("assessments:start", args=[exam.slug]))
    assert Attempt.objects.count() == 1


def test_it_keeps_the_shuffled_order_of_an_attempt(client, people):
    quiz = build_quiz(
        course=people.course,
        types=("single",) * 12,
        shuffle_questions=True,
        shuffle_options=True,
    )
    attempt = services.start_attempt(people.alice, quiz)
    client.force_login(people.alice)

    def order(html):
        return sorted((html.index(f'id="q-{q.key}"'), q.key) for q in attempt.sheet.questions)

    first = client.get(reverse("assessments:attempt", args=[attempt.pk])).content.decode()
    again = client.get(reverse("assessments:attempt", args=[attempt.pk])).content.decode()
    assert [k for _i, k in order(first)] == [q.key for q in attempt.sheet.questions]
    assert order(first) == order(again)
    stored = Attempt.objects.get(pk=attempt.pk).sheet
    assert stored == attempt.sheet


def test_it_shuffles_questions_and_options_per_attempt(people):
    import random

    quiz = build_quiz(
        course=people.course, types=("single",) * 12, shuffle_questions=True, shuffle_options=True
    )
    papers = [quiz.build_paper(random.Random(seed)) for seed in (1, 2)]
    keys = [[q.key for q in paper.questions] for paper in papers]
    assert keys[0] != keys[1]
    assert sorted(keys[0]) == sorted(keys[1])
    unshuffled = build_quiz("plain", course=people.course, types=("single",) * 12).build_paper()
    assert [q.key for q in unshuffled.questions] == [f"q{n}" for n in range(1, 13)]


# --- who may see what -------------------------------------------------------------------------


@pytest.fixture
def alices_attempt(people, exam):
    attempt = services.start_attempt(people.alice, exam)
    for question in attempt.sheet.questions:
        services.save_answer(attempt, question.key, right_answer(question), user=people.alice)
    return attempt


@pytest.mark.parametrize("who", ["bob", "charlie", "tom", "tina", "ada"])
def test_it_hides_an_attempt_in_progress_from_everyone_but_its_owner(
    client, people, alices_attempt, who
):
    client.force_login(getattr(people, who))
    pk = alices_attempt.pk
    assert client.get(reverse("assessments:attempt", args=[pk])).status_code == 404
    assert post_answer(client, alices_attempt, "q3", flag="false").status_code == 404
    assert client.post(reverse("assessments:submit", args=[pk])).status_code == 404
    assert client.get(reverse("assessments:result", args=[pk])).status_code == 404
    alices_attempt.refresh_from_db()
    assert alices_attempt.status == AttemptStatus.IN_PROGRESS
    assert Answer.objects.get(question_key="q3").flag is True


@pytest.mark.parametrize(
    "who, status", [("alice", 200), ("bob", 404), ("charlie", 404), ("tom", 200), ("tina", 404),
                    ("ada", 200)]
)  # fmt: skip
def test_it_shows_a_result_to_its_owner_and_the_cohorts_trainer(
    client, people, alices_attempt, who, status
):
    services.submit_attempt(alices_attempt, user=people.alice)
    client.force_login(getattr(people, who))
    response = client.get(reverse("assessments:result", args=[alices_attempt.pk]))
    assert response.status_code == status


def test_it_sends_anonymous_visitors_to_the_login_page(client, alices_attempt, exam):
    for url in (
        reverse("assessments:quiz", args=[exam.slug]),
        reverse("assessments:attempt", args=[alices_attempt.pk]),
        reverse("assessments:result", args=[alices_attempt.pk]),
    ):
        assert client.get(url).url.startswith(reverse("login"))


def test_it_lets_only_enrolled_learners_take_an_exam(client, people, exam):
    outsider = build_quiz("other", course=None)
    people.course.enrollments.filter(user=people.bob).delete()
    client.force_login(people.bob)
    response = client.post(reverse("assessments:start", args=[exam.slug]))
    assert response.status_code == 403
    client.force_login(people.tom)
    assert client.post(reverse("assessments:start", args=[exam.slug])).status_code == 403
    assert not Attempt.objects.exists()
    # A quiz with no course is open to every signed-in user.
    client.force_login(people.bob)
    assert client.post(reverse("assessments:start", args=[outsider.slug])).status_code == 302


def test_it_links_a_course_to_its_exam(client, people, exam):
    client.force_login(people.alice)
    response = client.get(reverse("assessments:course_exam", args=[people.course.pk]))
    assert response.url == reverse("assessments:quiz", args=[exam.slug])
    exam.delete()
    response = client.get(reverse("assessments:course_exam", args=[people.course.pk]))
    assert response.status_code == 404


def test_it_keeps_an_exams_answers_back_while_another_attempt_is_allowed(client, people):
    exam = build_quiz(
        "final-2", course=people.course, kind="exam", types=("single",), attempts_allowed=2
    )
    client.force_login(people.alice)

    def sit_and_fail():
        attempt = services.start_attempt(people.alice, exam)
        wrong = next(o.id for o in attempt.sheet.question("q1").options if not o.correct)
        services.save_answer(
            attempt, "q1", services.AnswerInput(choices=[wrong]), user=people.alice
        )
        services.submit_attempt(attempt, user=people.alice)
        return client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()

    first = sit_and_fail()
    assert "解説 q1" not in first
    assert "まず話を聴く" not in first  # the right option, not chosen
    last = sit_and_fail()
    assert "解説 q1" in last
    assert "まず話を聴く" in last


def test_it_shows_a_quizs_answers_after_every_attempt(client, people):
    quiz = build_quiz("chapter-x", types=("single",))
    attempt = services.start_attempt(people.alice, quiz)
    services.submit_attempt(attempt, user=people.alice)
    client.force_login(people.alice)
    html = client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "解説 q1" in html
