"""Self, observer and trainer assessments: the same form, the same structure."""

import pytest

from assessments.judges.base import JudgeError, JudgeKind
from assessments.judges.manual import FormError, from_form
from assessments.rubrics import STANDARD


def form(**fields):
    return {"empathy-level": "3", **fields}


@pytest.mark.parametrize("judge", [JudgeKind.SELF, JudgeKind.OBSERVER, JudgeKind.TRAINER])
def test_it_turns_a_submitted_form_into_a_judgement(judge):
    judgement = from_form(
        STANDARD,
        form(
            **{
                "empathy-evidence": "つらかったんですね。\n\n眠れていないんですね。",
                "empathy-comment": " 気持ちを先に受け止めていた ",
                "empathy-better_line": "「ひとりで頑張ってこられたんですね」",
                "safety-level": "",
            }
        ),
        judge=judge,
    )
    assert judgement.judge == judge
    assert judgement.rubric == "standard"
    empathy = judgement.scores["empathy"]
    assert empathy.level == 3
    assert empathy.evidence == ["つらかったんですね。", "眠れていないんですね。"]
    assert empathy.comment == "気持ちを先に受け止めていた"
    assert judgement.scores["safety"].level is None
    assert list(judgement.scores) == STANDARD.keys
    assert judgement.passed is True


def test_it_applies_the_blocker_rule_to_people_too():
    judgement = from_form(STANDARD, form(**{"safety-level": "1"}), judge=JudgeKind.TRAINER)
    assert judgement.passed is False


def test_it_lists_every_problem_at_once():
    with pytest.raises(FormError) as caught:
        from_form(
            STANDARD,
            {
                "empathy-level": "5",
                "safety-level": "high",
                "strengths-evidence": "一\n二\n三\n四",
                "boundaries-comment": "あ" * 1001,
            },
            judge=JudgeKind.OBSERVER,
        )
    assert set(caught.value.errors) == {
        "empathy-level",
        "safety-level",
        "strengths-evidence",
        "boundaries-comment",
    }
    assert caught.value.code == "invalid_form"


def test_it_refuses_to_pass_an_automatic_judge_off_as_a_person():
    with pytest.raises(JudgeError) as caught:
        from_form(STANDARD, form(), judge=JudgeKind.HEURISTIC)
    assert caught.value.code == "invalid_judge"
