"""One typed scenario schema: its rules, its stored form, and everyone who reads through it."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from roleplay import prompts
from roleplay.models import PracticeSession, Scenario, ScenarioCriterion
from roleplay.schema import MAX_LENGTHS, InvalidScenario, ScenarioData
from roleplay.scripts import Script
from tests.factories import build_scenario, scenario_data


def problems_of(change) -> list[str]:
    """The problems the schema finds in the test scenario after `change(data)`, in English."""
    data = copy.deepcopy(scenario_data())
    change(data)
    with translation.override("en"), pytest.raises(InvalidScenario) as caught:
        ScenarioData.parse(data)
    return [str(problem) for problem in caught.value.problems]


def choice(data, node=0, index=0) -> dict:
    return data["nodes"][node]["choices"][index]


def test_it_keeps_the_stored_form_exactly():
    data = scenario_data()
    assert ScenarioData.parse(data).dump() == data


def test_it_reads_a_session_snapshot_saved_before_the_schema(db, people, scenario):
    # A snapshot as PracticeSession stored it: the plain dict, with nothing typed about it.
    stored = PracticeSession.objects.create(
        user=people.alice, scenario=scenario, scenario_data=scenario_data(), mode="scripted"
    )
    session = PracticeSession.objects.get(pk=stored.pk)
    assert session.data.persona.name == "森 あかり"
    assert session.data.hidden_facts == scenario_data()["hidden_facts"]
    assert session.script.nodes["start"].choice("listen").effects == {"trust": 20}


def test_it_gives_a_scenario_as_typed_data_and_in_its_stored_form(db):
    scenario = build_scenario()
    assert scenario.data.nodes[0].choices[0].id == "listen"
    assert scenario.as_data() == scenario_data()


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d.update(title="長" * 121), "title: 'title' has 121 characters; at most 120"),
        (lambda d: d.update(title="  "), "title: 'title' must not be empty"),
        (lambda d: d.update(difficulty=4), "difficulty: 'difficulty' must be 1 (easy), 2 (med"),
        (lambda d: d.update(learner_role="parent"), "'learner_role' 'parent' is not one of: home_"),
        (lambda d: d.update(turn_limit=0), "'turn_limit' must be a whole number above zero"),
        (lambda d: d.update(turn_limit=101), "turn_limit: 'turn_limit' must be at most 100"),
        (lambda d: d["persona"].update(age=150), "persona.age: 'age' must be a whole number of"),
        (lambda d: d["persona"].pop("name"), "persona.name: missing required field 'name'"),
        (lambda d: d.update(moods=[]), "moods: unknown field 'moods'"),
        (lambda d: d.update(goals="聴く"), "goals: 'goals' must be a list"),
        (lambda d: d["state"][0].update(key="Trust"), "state[0].key: use lower-case letters"),
        (lambda d: d["state"][0].update(initial=120), "state[0]: initial value 120 is outside 0"),
        (lambda d: d["state"][0].update(key="mood"), "state: every scenario tracks 'trust'"),
        (lambda d: d["nodes"].clear(), "nodes: the script has no nodes"),
        (lambda d: d["nodes"][1].update(id="start"), "nodes[1].id: the node id 'start' is used"),
        (lambda d: choice(d).update(text=""), "nodes[0].choices[0].text: a choice needs the"),
        (
            lambda d: choice(d).update(effects={"mood": 5}),
            "nodes[0].choices[0].effects: unknown variable 'mood'",
        ),
        (
            lambda d: choice(d).update(scores={"pace": 3}),
            "nodes[0].choices[0].scores: unknown criterion 'pace'",
        ),
        (lambda d: choice(d).update(scores={"empathy": 5}), "empathy must be between 1 and 4"),
        (lambda d: choice(d).update(effects={"trust": "+5"}), "'trust' must be a whole number"),
        (
            lambda d: choice(d).update({"if": "mood > 3"}),
            "nodes[0].choices[0].if: unknown state variable 'mood'",
        ),
        (lambda d: choice(d).update({"if": "trust is high"}), "cannot read the condition"),
        (
            lambda d: d["end_when"][0].update({"if": "mood <= 10"}),
            "end_when[0].if: unknown state variable 'mood'",
        ),
        (
            lambda d: d["nodes"][3].update(choices=[choice(d)]),
            "nodes[3]: an ending node cannot offer choices",
        ),
        (lambda d: d["nodes"][3].update(ending="great"), "nodes[3].ending: use one of good,"),
        (
            lambda d: d["model_lines"][0].update(criterion="pace"),
            "model_lines[0].criterion: model line criterion 'pace' is not in the rubric",
        ),
        (
            lambda d: d["rubric"].update(
                criteria=[{"key": "pace", "label": "間", "description": "急がない"}] * 2
            ),
            "rubric.criteria[1].key: the criterion key 'pace' is used twice",
        ),
    ],
)
def test_it_names_each_broken_rule_and_where(change, problem):
    found = problems_of(change)
    assert any(problem in message for message in found), found


def test_it_finds_every_problem_at_once():
    def break_three_parts(data):
        data["title"] = ""
        data["persona"]["age"] = -1
        choice(data)["effects"] = {"mood": 5}

    assert [problem.split(":")[0] for problem in problems_of(break_three_parts)] == [
        "title",
        "persona.age",
        "nodes[0].choices[0].effects",
    ]


def test_it_lets_criteria_of_the_scenario_be_scored():
    data = scenario_data()
    data["rubric"] = {
        "standard": False,
        "criteria": [{"key": "pace", "label": "間", "description": "急がない"}],
    }
    for node in data["nodes"]:
        for item in node.get("choices", ()):
            item["scores"] = {"pace": 3}
    data["model_lines"] = []
    assert Script.from_data(ScenarioData.parse(data)).criteria == ("pace",)


def test_it_allows_the_same_text_lengths_as_the_model_fields():
    fields = {
        "slug": Scenario._meta.get_field("slug"),
        "title": Scenario._meta.get_field("title"),
        "source": Scenario._meta.get_field("source"),
        "fallback_line": Scenario._meta.get_field("fallback_line"),
        "persona.role": Scenario._meta.get_field("persona_role"),
        "persona.name": Scenario._meta.get_field("persona_name"),
        "criterion.key": ScenarioCriterion._meta.get_field("key"),
        "criterion.label": ScenarioCriterion._meta.get_field("label"),
    }
    assert {name: field.max_length for name, field in fields.items()} == MAX_LENGTHS


def test_it_holds_the_editor_to_the_schema_rules_the_form_does_not_check(db):
    scenario = build_scenario()
    scenario.persona_age = 150
    scenario.model_lines = [
        {"type": "line", "value": {"criterion": "pace", "line": "「どうぞ」", "note": ""}}
    ]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        scenario.full_clean()
    errors = caught.value.message_dict
    assert "'age' must be a whole number of years" in errors["persona_age"][0]
    assert "model line criterion 'pace' is not in the rubric" in errors["model_lines"][0]


def test_it_builds_prompts_from_typed_data(db, people, scenario):
    data = scenario.data
    [system] = prompts.persona_messages(data, {"trust": 40}, "canary-1", [])
    assert "森 あかり" in system["content"]
    assert data.hidden_facts[0] in system["content"]
    assert prompts.state_schema(data)["required"] == ["trust", "reason"]
    assert prompts.validate_state_changes(data, {"trust": 5, "reason": "…"}) == {"trust": 5}
