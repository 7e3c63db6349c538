"""Evidence quoted on the debrief is not put in brackets twice when the learner's words already
came in 「」 (as scripted choices are written and as many people type)."""

import pytest
from django.urls import reverse

from roleplay import services
from roleplay.models import Mode
from tests.fake_openai import Reply

RISK = "実は、子どもを叩いてしまうことがあって……誰にも言わないでください。"
SECRET = "「わかりました、誰にも言いません。二人だけの秘密にしますね。」"


@pytest.fixture
def bracketed_session(people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    session.turns.filter(index=0).update(text=RISK)
    fake_llm.stream(Reply("……ありがとうございます。"))
    list(services.submit(session, text=SECRET).reply)
    services.end_session(session)
    session.refresh_from_db()
    return session


def test_it_quotes_bracketed_evidence_in_one_pair_of_quote_marks(client, people, bracketed_session):
    client.force_login(people.alice)
    response = client.get(reverse("roleplay_debrief", args=[bracketed_session.pk]))
    html = response.content.decode()
    assert "<q>わかりました、誰にも言いません。" in html
    assert "<q>「" not in html
