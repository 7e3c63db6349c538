"""Reviewing one session: the rubric form starts from the automatic judge, a trainer's review
is stored once per trainer (and updated), blind ratings hide the others, and notes anchor to
turns."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from assessments import review
from assessments.judges.base import NO_OCCASION
from assessments.models import Judgement, TurnComment
from assessments.review import ReviewError
from roleplay import services
from tests.assessments.reviewing import ended_session, judged, rubric_form


@pytest.fixture
def session(people, scenario):
    return ended_session(people.alice, scenario)


def page_of(client, session, **query):
    response = client.get(reverse("assessments:review", args=[session.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def checked(page, key, value):
    return f'name="{key}-level" value="{value}" checked' in page


def trainer_judgements(session):
    return Judgement.objects.filter(session=session, judge="trainer")


@pytest.mark.django_db
def test_it_prefills_the_form_with_the_ai_judge_once_it_is_done(client, people, session):
    judged(session, "heuristic", {"empathy": 2, "safety": None})
    llm = judged(session, "llm", {"empathy": 4}, status="pending")
    client.force_login(people.tom)
    page = page_of(client, session)
    assert checked(page, "empathy", "2") and checked(page, "safety", "")
    # The judges' stock "no occasion" remark is not offered as the trainer's comment.
    assert NO_OCCASION not in page
    llm.status = "done"
    llm.save()
    assert checked(page_of(client, session), "empathy", "4")


@pytest.mark.django_db
def test_it_prefills_scripted_practice_with_the_authors_choice_scores(client, people, scenario):
    session = ended_session(people.alice, scenario, mode="scripted")
    judged(session, "heuristic", {"empathy": None})
    judged(session, "scripted", {"empathy": 3})
    client.force_login(people.tom)
    assert checked(page_of(client, session), "empathy", "3")


@pytest.mark.django_db
def test_it_stores_one_trainer_judgement_and_updates_it(people, session):
    form = rubric_form({"empathy": 3, "safety": 1}, **{"empathy-comment": "受け止めている"})
    first = review.record_review(session, form, by=people.tom)
    assert (first.judge, first.by, first.passed) == ("trainer", people.tom, False)
    assert first.result["scores"]["empathy"]["comment"] == "受け止めている"
    again = review.record_review(session, form, by=people.tom)
    assert again.pk == first.pk
    changed = review.record_review(session, rubric_form({"empathy": 3}), by=people.tom)
    assert changed.pk == first.pk and changed.passed is True
    assert trainer_judgements(session).count() == 1
    entries = ModelLogEntry.objects.filter(action="assessments.review.record").order_by("pk")
    # The double submit wrote nothing: one entry for the review, one for the change.
    assert [e.data["updated"] for e in entries] == [False, True]
    assert entries[0].user_id == people.tom.pk
    assert entries[0].data["levels"]["safety"] == 1


@pytest.mark.django_db
def test_it_keeps_a_second_trainers_review_apart(people, session):
    review.record_review(session, rubric_form({"empathy": 3}), by=people.tom)
    review.record_review(session, rubric_form({"empathy": 2}), by=people.ada)
    levels = {
        j.by.username: j.result["scores"]["empathy"]["level"] for j in trainer_judgements(session)
    }
    assert levels == {"tom": 3, "ada": 2}


@pytest.mark.django_db
def test_it_refuses_an_invalid_form_and_keeps_what_was_typed(client, people, session):
    client.force_login(people.tom)
    form = rubric_form({"empathy": 5}, **{"empathy-comment": "あとで直す"})
    response = client.post(reverse("assessments:review_submit", args=[session.pk]), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "あとで直す" in page
    assert not trainer_judgements(session).exists()


@pytest.mark.django_db
def test_it_masks_personal_information_in_a_review(people, session):
    form = rubric_form({"empathy": 3}, **{"empathy-comment": "連絡先は090-1234-5678です"})
    mine = review.record_review(session, form, by=people.tom)
    assert "090-1234-5678" not in mine.result["scores"]["empathy"]["comment"]


@pytest.mark.django_db
def test_it_refuses_a_trainer_of_another_cohort_under_the_lock(people, session):
    with pytest.raises(ReviewError) as refused:
        review.record_review(session, rubric_form({"empathy": 3}), by=people.tina)
    assert refused.value.code == "not_found"
    assert not trainer_judgements(session).exists()


@pytest.mark.django_db
def test_it_hides_the_judge_and_other_trainers_while_rating_blind(client, people, session):
    judged(session, "heuristic", {"empathy": 2})
    review.record_review(session, rubric_form({"empathy": 4}), by=people.ada)
    client.force_login(people.tom)
    open_page = page_of(client, session)
    assert checked(open_page, "empathy", "2") and "ada" in open_page
    blind = page_of(client, session, blind="1")
    assert checked(blind, "empathy", "") and "ada" not in blind
    assert '<input type="hidden" name="blind" value="1">' in blind
    url = reverse("assessments:review_submit", args=[session.pk])
    client.post(url, rubric_form({"empathy": 3}, blind="1"))
    mine = trainer_judgements(session).get(by=people.tom)
    assert mine.blind is True
    # Once submitted, the trainer sees everything, and the two trainers' agreement.
    after = page_of(client, session, blind="1")
    assert "ada" in after and '<input type="hidden" name="blind" value="1">' not in after
    client.post(url, rubric_form({"empathy": 4}))
    mine.refresh_from_db()
    assert mine.blind is False


@pytest.mark.django_db
def test_it_shows_the_agreement_of_two_trainers(client, people, session):
    review.record_review(session, rubric_form({"empathy": 3, "safety": 2}), by=people.tom)
    review.record_review(session, rubric_form({"empathy": 3, "safety": 4}), by=people.ada)
    page_agreement = review.review_page(session, people.tom).trainer_agreement
    assert (page_agreement.pairs, page_agreement.exact, page_agreement.within_one) == (2, 1, 1)
    client.force_login(people.tom)
    page = client.get(
        reverse("assessments:review", args=[session.pk]), headers={"accept-language": "en"}
    ).content.decode()
    assert "Trainers agree exactly on 1 of 2 levels, and within one level on 1." in page


@pytest.mark.django_db
def test_it_anchors_masked_notes_to_turns_once(client, people, session):
    client.force_login(people.tom)
    url = reverse("assessments:review_comment", args=[session.pk])
    note = {"turn": 1, "text": "開いた質問がよい。電話 090-1234-5678"}
    response = client.post(url, note)
    assert response["Location"].endswith("#turn-1")
    client.post(url, note)
    comment = TurnComment.objects.get()
    assert (comment.turn_index, comment.author) == (1, people.tom)
    assert "090-1234-5678" not in comment.text and comment.text.startswith("開いた質問がよい")
    page = page_of(client, session)
    assert comment.text in page
    entry = ModelLogEntry.objects.get(action="assessments.review.comment")
    assert entry.data == {"session": session.pk, "turn": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "note",
    [{"turn": 1, "text": "  "}, {"turn": 1, "text": "あ" * 1001}, {"turn": 9, "text": "ok"}, {}],
)
def test_it_refuses_a_note_it_cannot_anchor(client, people, session, note):
    client.force_login(people.tom)
    response = client.post(reverse("assessments:review_comment", args=[session.pk]), note)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not TurnComment.objects.exists()


@pytest.mark.django_db
def test_it_hides_other_trainers_notes_while_rating_blind(client, people, session):
    review.add_comment(session, 1, "問いかけが丁寧", by=people.ada)
    client.force_login(people.tom)
    assert "問いかけが丁寧" in page_of(client, session)
    assert "問いかけが丁寧" not in page_of(client, session, blind="1")


@pytest.mark.django_db
def test_it_reviews_a_session_judged_when_it_ended(
    client, people, scenario, django_capture_on_commit_callbacks
):
    session = services.start_session(people.alice, scenario, "scripted")
    with django_capture_on_commit_callbacks(execute=True):
        for choice in ("listen", "reflect"):
            services.submit(session, choice=choice).reply.close()
    session.refresh_from_db()
    assert list(review.review_queue(people.tom)) == [session]
    client.force_login(people.tom)
    # The author scored both choices 4 for empathy: the form starts there.
    assert checked(page_of(client, session), "empathy", "4")
    url = reverse("assessments:review_submit", args=[session.pk])
    client.post(url, rubric_form({"empathy": 3, "needs_elicitation": 4}))
    assert list(review.review_queue(people.tom)) == []
    empathy = next(c for c in review.agreement_report() if c.key == "empathy")
    assert next(j.agreement for j in empathy.automatic if j.judge == "scripted").pairs == 1
