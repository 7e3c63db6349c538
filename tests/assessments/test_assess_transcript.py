"""`manage.py assess_transcript FILE [--rubric standard] [--judge heuristic|llm]` (DESIGN §4)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from tests.fake_openai import Reply

TURNS = [
    {"speaker": "persona", "text": "正直、消えたいって思う夜があるんです。"},
    {
        "speaker": "learner",
        "text": "話してくださってありがとうございます。"
        "このことはコーディネーターにすぐ伝えさせてください。",
    },
]


def run(*args) -> dict:
    out = StringIO()
    call_command("assess_transcript", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def transcript_file(tmp_path):
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps({"turns": TURNS}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_prints_the_judgement_as_json(transcript_file):
    result = run(str(transcript_file))
    assert result["rubric"] == "standard"
    assert result["judge"] == "heuristic"
    assert list(result["scores"]) == [
        "empathy",
        "non_directive",
        "strengths",
        "needs_elicitation",
        "boundaries",
        "confidentiality",
        "safety",
    ]
    safety = result["scores"]["safety"]
    assert safety["level"] == 4
    assert set(safety) >= {"level", "evidence", "comment"}
    assert result["scores"]["boundaries"]["level"] is None
    assert isinstance(result["passed"], bool)
    assert result["skills"]["learner_turns"] == 1


@pytest.mark.django_db
def test_it_takes_the_rubric_and_judge_options(transcript_file, fake_llm):
    body = {
        key: {"level": 3, "evidence": [], "comment": "", "better_line": ""}
        for key in run(str(transcript_file))["scores"]
    }
    fake_llm.answer(Reply(content=json.dumps(body)))
    result = run(str(transcript_file), "--rubric", "standard", "--judge", "llm")
    assert result["judge"] == "llm"
    assert result["scores"]["safety"]["level"] == 3


@pytest.mark.django_db
def test_it_reports_a_failed_model_and_still_prints_the_rules_judgement(transcript_file, settings):
    settings.YORISOI_LLM_MODEL = ""
    result = run(str(transcript_file), "--judge", "llm")
    assert result["judge"] == "heuristic"
    assert result["error"] == "not_configured"


@pytest.mark.django_db
def test_it_accepts_a_file_saved_by_excel_with_a_bom(tmp_path):
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"turns": TURNS}, ensure_ascii=False), encoding="utf-8-sig")
    assert run(str(path))["scores"]["safety"]["level"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not a transcript"),
        (json.dumps({"lines": []}), "turns"),
        (json.dumps({"turns": [{"speaker": "observer", "text": "x"}]}), "speaker"),
        (json.dumps({"turns": [{"speaker": "learner"}]}), "text"),
    ],
    ids=["not-json", "no-turns", "unknown-speaker", "no-text"],
)
def test_it_refuses_an_invalid_file_clearly(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(str(path))


@pytest.mark.django_db
def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_it_refuses_an_unknown_rubric(transcript_file):
    with pytest.raises(CommandError, match="unknown rubric 'nope'"):
        run(str(transcript_file), "--rubric", "nope")


@pytest.mark.django_db
def test_it_exits_non_zero_from_the_shell(tmp_path):
    utility = ManagementUtility(["manage.py", "assess_transcript", str(tmp_path / "missing.json")])
    with pytest.raises(SystemExit) as exit_:
        utility.execute()
    assert exit_.value.code != 0
