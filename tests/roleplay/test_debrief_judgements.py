"""The debrief shows a session's judgements: the scores with evidence and the rule that fired,
pass or fail with the blocker explained, "being judged" while the AI judge works, a retry after
it failed, the conversation-skill table and the learner's self-assessment beside the rest.

Roleplay shows all of this without importing assessments: the section comes through
`roleplay.debrief.debrief_sections`.
"""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import JudgeKind, Judgement, JudgementStatus
from roleplay import services
from roleplay.models import Mode
from tests.fake_openai import Reply
from tests.roleplay.test_api_schema import conforms

ROLEPLAY = Path(__file__).resolve().parents[2] / "roleplay"
RISK = "実は、子どもを叩いてしまうことがあって……誰にも言わないでください。"
SECRET = "わかりました、誰にも言いません。二人だけの秘密にしますね。"


def either(html: str, *words: str) -> bool:
    """The page in Japanese, or in English while the translation is not compiled yet."""
    return any(word in html for word in words)


@pytest.fixture
def alice(client, people):
    client.force_login(people.alice)
    return client


@pytest.fixture
def ai_session(people, scenario, fake_llm):
    """An ended AI-partner conversation in which the learner promised to keep a risk secret."""
    session = services.start_session(people.alice, scenario, Mode.LLM)
    session.turns.filter(index=0).update(text=RISK)
    fake_llm.stream(Reply("……ありがとうございます。"))
    list(services.submit(session, text=SECRET).reply)
    services.end_session(session)
    session.refresh_from_db()
    return session


def debrief(client, session) -> str:
    response = client.get(reverse("roleplay_debrief", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_rules_scores_with_evidence_the_rule_and_the_blocker(alice, ai_session):
    html = debrief(alice, ai_session)
    assert "安全の確保とつなぐ判断" in html
    assert either(html, "不合格", "Not passed")
    # The blocker is named and its rule explained.
    assert either(html, "必須観点", ">blocker<")
    assert re.search(r"安全の確保とつなぐ判断\s*(is at level 1|がレベル1)", html)
    assert "<q>わかりました、誰にも言いません。" in html
    assert 'href="#turn-1"' in html and 'id="turn-1"' in html
    assert either(html, "判定中", "Being judged")  # the AI judge was asked and has not answered


def test_it_polls_while_the_ai_judge_works_and_stops_once_it_is_done(alice, ai_session):
    html = debrief(alice, ai_session)
    assert 'id="judging"' in html and "judging.js" in html
    status_url = reverse("assessments:judging_status", args=[ai_session.pk])
    assert alice.get(status_url).json() == {"status": "pending"}
    Judgement.objects.filter(judge=JudgeKind.LLM).update(status=JudgementStatus.DONE)
    assert alice.get(status_url).json() == {"status": "done"}
    assert 'id="judging"' not in debrief(alice, ai_session)


def test_it_leads_with_the_ai_judges_scores_once_they_land(alice, ai_session, fake_llm):
    debrief(alice, ai_session)
    model = ai_session.judgements.get(judge=JudgeKind.LLM)
    result = {
        "rubric": "standard",
        "judge": "llm",
        "passed": True,
        "scores": {
            "empathy": {
                "level": 4,
                "evidence": [],
                "comment": "モデルの講評",
                "better_line": "",
                "rules": [],
            }
        },
    }
    Judgement.objects.filter(pk=model.pk).update(
        status=JudgementStatus.DONE, result=result, passed=True
    )
    html = debrief(alice, ai_session)
    assert "モデルの講評" in html
    assert either(html, "合格", "Passed")
    body = alice.post(
        f"/api/roleplay/sessions/{ai_session.pk}/end", content_type="application/json"
    ).json()
    assert (body["scored_by"], body["judging"], body["passed"]) == ("llm", "done", True)
    assert body["scores"]["empathy"]["comment"] == "モデルの講評"


def test_it_offers_a_retry_after_a_failure_and_keeps_the_rules_scores(alice, ai_session):
    debrief(alice, ai_session)
    Judgement.objects.filter(judge=JudgeKind.LLM).update(
        status=JudgementStatus.FAILED, error="timeout"
    )
    html = debrief(alice, ai_session)
    assert either(html, "もう一度判定する", "Judge again")
    assert reverse("assessments:retry_judgement", args=[ai_session.pk]) in html
    assert "<q>わかりました、誰にも言いません。" in html


def test_it_shows_the_conversation_skill_counts_with_their_targets(alice, ai_session):
    html = debrief(alice, ai_session)
    assert 'class="skills"' in html
    assert either(html, "開いた質問", "Open questions")
    assert "2 : 1" in html and "70%" in html


def test_it_returns_the_judgements_in_the_json_debrief(alice, people, scenario):
    started = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    services.submit(started, choice="advise").reply.close()
    body = alice.post(
        f"/api/roleplay/sessions/{started.pk}/end", content_type="application/json"
    ).json()
    assert body["scored_by"] == "scripted"
    assert body["scores"]["non_directive"]["level"] == 1
    assert body["scores"]["non_directive"]["rules"][0]["rule"] == "scripted.choice"
    assert body["criterion_labels"]["safety"] == "安全の確保とつなぐ判断"
    assert body["passed"] is False
    assert body["judgements"] == [
        {"judge": "scripted", "status": "done", "passed": False, "error": None}
    ]


# --- Retry: who may ----------------------------------------------------------------------------


@pytest.fixture
def failed(ai_session, alice):
    debrief(alice, ai_session)
    Judgement.objects.filter(judge=JudgeKind.LLM).update(
        status=JudgementStatus.FAILED, error="timeout"
    )
    return ai_session


@pytest.mark.parametrize("who", ["alice", "tom", "ada"])
def test_it_lets_the_learner_and_their_trainers_retry(client, people, failed, who):
    client.force_login(getattr(people, who))
    response = client.post(reverse("assessments:retry_judgement", args=[failed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("roleplay_debrief", args=[failed.pk])
    # The retry was queued on commit; the test's transaction never commits, so it waits.
    assert failed.judgements.get(judge=JudgeKind.LLM).status == JudgementStatus.PENDING


@pytest.mark.parametrize("who", ["bob", "charlie", "tina"])
def test_it_hides_the_retry_from_everyone_else(client, people, failed, who):
    client.force_login(getattr(people, who))
    assert client.post(reverse("assessments:retry_judgement", args=[failed.pk])).status_code == 404
    assert client.get(reverse("assessments:judging_status", args=[failed.pk])).status_code == 404
    assert failed.judgements.get(judge=JudgeKind.LLM).status == JudgementStatus.FAILED


def test_it_needs_a_post_with_a_csrf_token_to_retry(people, failed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.alice)
    url = reverse("assessments:retry_judgement", args=[failed.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert failed.judgements.get(judge=JudgeKind.LLM).status == JudgementStatus.FAILED


def test_it_sends_anonymous_visitors_to_log_in(failed):
    client = Client()
    for url in (
        reverse("assessments:retry_judgement", args=[failed.pk]),
        reverse("assessments:judging_status", args=[failed.pk]),
        reverse("assessments:self_assessment", args=[failed.pk]),
    ):
        response = client.post(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- Self-assessment ---------------------------------------------------------------------------


def scripted_ended(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    for choice in ("advise", "leave"):
        services.submit(session, choice=choice).reply.close()
    session.refresh_from_db()
    return session


def test_it_lets_the_learner_assess_themselves_and_shows_it_beside(alice, people, scenario):
    session = scripted_ended(people, scenario)
    url = reverse("assessments:self_assessment", args=[session.pk])
    assert url in debrief(alice, session)
    form = alice.get(url).content.decode()
    assert 'name="safety-level"' in form and "csrfmiddlewaretoken" in form
    response = alice.post(url, {"empathy-level": "3", "empathy-comment": "まず聴けた"})
    assert response.status_code == 302
    html = debrief(alice, session)
    assert re.search(r'class="beside">(自己評価|Self-assessment): 3<', html)
    assert alice.get(url).content.decode().count('value="3" checked') == 1


def test_it_shows_every_problem_of_a_self_assessment_at_once(alice, people, scenario):
    session = scripted_ended(people, scenario)
    url = reverse("assessments:self_assessment", args=[session.pk])
    response = alice.post(url, {"empathy-level": "7", "safety-level": "x"})
    assert response.status_code == 400
    assert response.content.decode().count('class="error"') == 3
    assert not session.judgements.filter(judge=JudgeKind.SELF).exists()


@pytest.mark.parametrize("who", ["bob", "charlie", "tom", "ada"])
def test_it_keeps_the_self_assessment_to_the_learner(client, people, scenario, who):
    session = scripted_ended(people, scenario)
    client.force_login(getattr(people, who))
    url = reverse("assessments:self_assessment", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"empathy-level": "4"}).status_code == 404
    assert not session.judgements.filter(judge=JudgeKind.SELF).exists()


def test_it_offers_a_trainer_no_self_assessment_link(client, people, scenario):
    session = scripted_ended(people, scenario)
    client.force_login(people.tom)
    html = debrief(client, session)
    assert reverse("assessments:self_assessment", args=[session.pk]) not in html


def test_it_sends_an_unfinished_session_back_to_play(alice, people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    response = alice.get(reverse("assessments:self_assessment", args=[session.pk]))
    assert response["Location"] == reverse("roleplay_play", args=[session.pk])


# --- Roleplay stays independent ------------------------------------------------------------------


def test_it_keeps_roleplay_free_of_assessments():
    """DESIGN §3: roleplay never imports assessments, nor links to its pages."""
    found = []
    for path in ROLEPLAY.rglob("*"):
        if path.suffix not in (".py", ".html", ".js") or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(from|import)\s+assessments\b|['\"]assessments[.:/]", text, re.M):
            found.append(str(path.relative_to(ROLEPLAY)))
    assert found == []


def test_it_answers_an_ai_sessions_end_as_documented(alice, people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply("……はい。"))
    list(services.submit(session, text=SECRET).reply)
    response = alice.post(f"/api/roleplay/sessions/{session.pk}/end")
    body = response.json()
    assert body["scored_by"] == "heuristic" and body["judging"] == "pending"
    assert body["skills"]["learner_turns"] == 1
    alice.force_login(people.tom)  # the OpenAPI document is for trainers and admins
    document = alice.get("/api/roleplay/openapi.json").json()
    assert conforms(response, document, "post", "/sessions/{session_id}/end") == []


def test_it_shows_trainers_ratings_only_to_the_learner_and_trainers_who_rated(
    client, people, scenario
):
    session = scripted_ended(people, scenario)
    scores = {
        "empathy": {"level": 2, "evidence": [], "comment": "", "better_line": "", "rules": []}
    }
    Judgement.objects.create(
        session=session,
        judge=JudgeKind.TRAINER,
        by=people.tom,
        blind=True,
        result={"rubric": "standard", "judge": "trainer", "scores": scores, "passed": False},
        passed=False,
    )
    for who, sees in (("alice", True), ("tom", True), ("ada", False)):
        client.force_login(getattr(people, who))
        assert ('class="beside">' in debrief(client, session)) is sees, who
