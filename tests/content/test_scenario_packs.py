"""Scenarios in content packs: loaded by slug as published revisions, checked, exported."""

import pytest
import yaml
from django.utils import translation

from content.packs import read_pack
from roleplay.blocks import ChoiceBlock, EndRuleBlock, NodeBlock, StateVariableBlock
from roleplay.models import Scenario, ScenarioCriterion
from roleplay.schema import BLOCK_MAX_LENGTHS


def edit_scenario(pack, change):
    path = pack / "scenarios" / "test-visit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.django_db
def test_it_loads_a_scenario_as_a_published_revision(pack, run, with_scenario):
    result = run("load_content", pack)
    assert result.error is None, result.stderr
    scenario = Scenario.objects.get(slug="test-visit")
    assert scenario.live and scenario.revisions.count() == 1
    assert scenario.as_data()["nodes"] == with_scenario["nodes"]
    assert list(scenario.competencies.values_list("code", flat=True)) == ["B-LISTEN"]
    criterion = scenario.criteria.get()
    assert list(criterion.competencies.values_list("code", flat=True)) == ["B-LEVEL"]


@pytest.mark.django_db
def test_it_leaves_an_unchanged_scenario_alone_and_revises_a_changed_one(pack, run, with_scenario):
    run("load_content", pack)
    again = run("load_content", pack, "--json")
    assert (
        '"scenario": {\n      "created": 0,\n      "updated": 0,\n      "unchanged": 1'
        in again.stdout
    )

    edit_scenario(pack, lambda d: d["nodes"][0].update(line="こんにちは、どうぞ。"))
    run("load_content", pack)
    scenario = Scenario.objects.get(slug="test-visit")
    assert scenario.revisions.count() == 2
    assert scenario.build_script().nodes["start"].line == "こんにちは、どうぞ。"


@pytest.mark.django_db
def test_it_reports_a_broken_link_at_its_line_and_loads_nothing(pack, run, with_scenario):
    edit_scenario(pack, lambda d: d["nodes"][1]["choices"][0].update(next="nowhere"))
    result = run("load_content", pack)
    assert result.error is not None
    assert "scenarios/test-visit.yaml:" in result.stderr
    assert "'nowhere', which is not a node" in result.stderr
    assert not Scenario.objects.exists()


@pytest.mark.django_db
def test_it_reports_unreachable_nodes_and_dead_ends(pack, run, with_scenario):
    def orphan(d):
        d["nodes"].append({"id": "lost", "line": "誰も来ない。", "choices": []})

    edit_scenario(pack, orphan)
    result = run("load_content", pack)
    assert "node 'lost' cannot be reached from the start" in result.stderr
    assert "node 'lost' is a dead end" in result.stderr


@pytest.mark.django_db
def test_it_points_at_an_unknown_state_variable(pack, run, with_scenario):
    edit_scenario(pack, lambda d: d["nodes"][0]["choices"][0].update(effects={"mood": 5}))
    result = run("load_content", pack)
    line = next(e for e in result.stderr.splitlines() if "unknown variable 'mood'" in e)
    number = int(line.split(":")[1])
    text = (pack / "scenarios" / "test-visit.yaml").read_text(encoding="utf-8").splitlines()
    assert "effects" in text[number - 1]


@pytest.mark.django_db
def test_it_rejects_an_unknown_competency(pack, run, with_scenario):
    edit_scenario(pack, lambda d: d.update(competencies=["NOPE"]))
    result = run("load_content", pack)
    assert "competency 'NOPE' is in no framework" in result.stderr


@pytest.mark.django_db
def test_it_requires_every_scenario_file_to_be_listed(pack, run, write, with_scenario):
    write("scenarios/stray.yaml", "slug: stray\n")
    result = run("load_content", pack)
    assert "scenarios/stray.yaml:1: this scenario is not listed" in result.stderr


@pytest.mark.django_db
def test_it_exports_scenarios_that_load_back_the_same(pack, run, with_scenario, tmp_path):
    run("load_content", pack)
    before = Scenario.objects.get().as_data()
    out = tmp_path / "out"
    result = run("export_content", "--output", str(out))
    assert result.error is None, result.stderr
    exported = yaml.safe_load((out / "scenarios" / "test-visit.yaml").read_text(encoding="utf-8"))
    assert exported["nodes"] == with_scenario["nodes"]
    assert "test-visit" in (out / "pack.yaml").read_text(encoding="utf-8")
    reload = run("load_content", str(out), "--json")
    assert reload.error is None, reload.stderr
    assert Scenario.objects.get().as_data() == before


def scenario_errors(pack) -> list[str]:
    _, errors = read_pack(pack)
    return [str(error).removeprefix(f"{pack}/") for error in errors]


def line_of(pack, text: str) -> int:
    lines = (pack / "scenarios" / "test-visit.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_it_reports_each_field_problem_of_a_scenario_at_its_line(pack, with_scenario):
    def break_fields(data):
        data["title"] = "長" * 121
        data["difficulty"] = 5
        data["persona"]["age"] = "29"
        data["mood"] = "calm"

    edit_scenario(pack, break_fields)
    file = "scenarios/test-visit.yaml"
    assert scenario_errors(pack) == [
        f"{file}:{line_of(pack, 'title:')}: 'title' has 121 characters; at most 120 fit",
        f"{file}:{line_of(pack, 'difficulty:')}: "
        "'difficulty' must be 1 (easy), 2 (medium) or 3 (hard)",
        f"{file}:{line_of(pack, 'age:')}: 'age' must be a whole number of years",
        f"{file}:{line_of(pack, 'mood:')}: unknown field 'mood'",
    ]


def test_it_reports_field_script_and_competency_problems_in_one_pass(pack, with_scenario):
    def break_parts(data):
        del data["brief"]
        data["competencies"] = ["NOPE"]
        data["nodes"][0]["choices"][0]["scores"] = {"pace": 5, "tact": 2}

    edit_scenario(pack, break_parts)
    errors = scenario_errors(pack)
    assert "scenarios/test-visit.yaml:1: missing required field 'brief'" in errors
    assert any("pace must be between 1 and 4" in e for e in errors), errors
    assert any("competency 'NOPE' is in no framework" in e for e in errors), errors


def test_it_reports_a_scenario_problem_in_english_whatever_the_site_language(pack, with_scenario):
    edit_scenario(pack, lambda d: d["state"][0].update(key="mood"))
    with translation.override("ja"):
        errors = scenario_errors(pack)
    assert any("every scenario tracks 'trust'" in e for e in errors), errors


def test_it_asks_for_the_pack_spelling_of_a_scenario_slug(pack, with_scenario):
    edit_scenario(pack, lambda d: d.update(slug="Test_Visit"))
    line = line_of(pack, "slug:")
    assert scenario_errors(pack) == [
        f"scenarios/test-visit.yaml:{line}: "
        "'slug' 'Test_Visit' is not valid: use lower-case letters, digits and -"
    ]


def test_it_reads_a_scenario_as_typed_data(pack, with_scenario):
    result, errors = read_pack(pack)
    assert errors == []
    [item] = result.scenarios
    assert item.slug == "test-visit"
    assert item.scenario.rubric.keys[-1] == "pace"
    assert item.scenario.competency_codes == {"B-LISTEN", "B-LEVEL"}


# --- lengths the model and the editor can hold ----------------------------------------------------


def test_it_reports_over_long_persona_and_script_fields_at_their_lines(pack, with_scenario):
    def lengthen(data):
        data["persona"]["name"] = "名" * 61
        data["persona"]["role"] = "役" * 81
        data["state"][0]["label"] = "信" * 41
        data["nodes"][0]["choices"][0]["id"] = "l" * 61
        data["nodes"][0]["choices"][1]["if"] = "trust >= 1" + " and trust >= 1" * 13

    edit_scenario(pack, lengthen)
    file = "scenarios/test-visit.yaml"
    assert scenario_errors(pack) == [
        f"{file}:{line_of(pack, '役' * 81)}: 'role' has 81 characters; at most 80 fit",
        f"{file}:{line_of(pack, '名' * 61)}: 'name' has 61 characters; at most 60 fit",
        f"{file}:{line_of(pack, '信' * 41)}: 'label' has 41 characters; at most 40 fit",
        f"{file}:{line_of(pack, 'l' * 61)}: 'id' has 61 characters; at most 60 fit",
        f"{file}:{line_of(pack, 'if: trust >= 1 and')}: 'if' has 205 characters; at most 200 fit",
    ]


@pytest.mark.django_db
def test_it_refuses_an_over_long_persona_name_without_a_traceback(pack, run, with_scenario):
    edit_scenario(pack, lambda d: d["persona"].update(name="名" * 61))
    result = run("load_content", pack)
    line = line_of(pack, "名" * 61)
    assert result.stderr == (
        f"{pack}/scenarios/test-visit.yaml:{line}: 'name' has 61 characters; at most 60 fit\n"
    )
    assert not Scenario.objects.exists()


def test_it_keeps_the_script_lengths_in_step_with_the_editor_blocks():
    blocks = {
        "node": NodeBlock().child_blocks,
        "choice": ChoiceBlock().child_blocks,
        "state": StateVariableBlock().child_blocks,
        "end_when": EndRuleBlock().child_blocks,
    }
    names = {"id": "key", "if": "condition"}
    lengths = {}
    for name in BLOCK_MAX_LENGTHS:
        part, field = name.split(".")
        lengths[name] = blocks[part][names.get(field, field)].field.max_length
    assert lengths == BLOCK_MAX_LENGTHS


# --- loading twice ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_publishes_no_new_revision_when_the_same_scenario_is_loaded_again(
    pack, run, with_scenario
):
    both = ["B-LEVEL", "B-LISTEN"]  # not the order the site keeps competencies in

    def three_criteria(data):
        data["rubric"]["criteria"] = [
            {"key": key, "label": key, "description": "説明。", "competencies": both}
            for key in ("pace", "tone", "close")
        ]

    edit_scenario(pack, three_criteria)
    assert run("load_content", pack).error is None
    scenario = Scenario.objects.get()
    orders = list(scenario.criteria.order_by("pk").values_list("key", "sort_order"))
    assert orders == [("pace", 0), ("tone", 1), ("close", 2)]

    assert run("load_content", pack).error is None
    # Criteria loaded before they had an order get one, still without a new revision.
    ScenarioCriterion.objects.update(sort_order=None)
    assert run("load_content", pack).error is None
    assert Scenario.objects.get().revisions.count() == 1
    orders = list(scenario.criteria.order_by("pk").values_list("key", "sort_order"))
    assert orders == [("pace", 0), ("tone", 1), ("close", 2)]


# --- safe actions ---------------------------------------------------------------------------


def error_at(pack, message: str) -> str:
    """The text of the scenario file's line that the error with `message` points at."""
    [error] = [e for e in scenario_errors(pack) if message in e]
    line = int(error.split(":")[1])
    return (
        (pack / "scenarios" / "test-visit.yaml").read_text(encoding="utf-8").splitlines()[line - 1]
    )


def test_it_refuses_a_safe_choice_that_leads_straight_to_a_poor_ending(pack, with_scenario):
    edit_scenario(pack, lambda d: d["nodes"][2]["choices"][2].update(safe=True))
    assert error_at(pack, "a safe choice must not lead straight to a poor ending") == (
        "    next: end-poor"
    )


def test_it_refuses_a_safe_choice_scored_1(pack, with_scenario):
    edit_scenario(pack, lambda d: d["nodes"][0]["choices"][1].update(safe=True))
    message = "a safe choice must not score 1 (non_directive, empathy)"
    assert error_at(pack, message) == "    scores:"


def test_it_refuses_a_safe_choice_after_which_no_good_ending_can_be_reached(pack, with_scenario):
    def dead_end_after_calling(data):
        data["nodes"][0]["choices"].append(
            {
                "id": "call",
                "text": "「コーディネーターに連絡しますね。」",
                "next": "waiting",
                "safe": True,
                "scores": {"safety": 4},
            }
        )
        data["nodes"].append(
            {
                "id": "waiting",
                "line": "……そうですか。",
                "choices": [{"id": "leave", "text": "「では失礼します。」", "next": "end-poor"}],
            }
        )

    edit_scenario(pack, dead_end_after_calling)
    assert error_at(pack, "no good ending can be reached after this safe choice") == (
        "    next: waiting"
    )


def test_it_refuses_a_scenario_with_no_way_to_a_good_ending(pack, with_scenario):
    edit_scenario(pack, lambda d: d["nodes"][3].update(ending="mixed"))
    assert error_at(pack, "no good ending can be reached from the start") == "- id: start"


@pytest.mark.django_db
def test_it_keeps_the_safe_flag_through_loading_and_export(pack, run, with_scenario, tmp_path):
    edit_scenario(pack, lambda d: d["nodes"][0]["choices"][0].update(safe=True))
    assert run("load_content", pack).error is None
    scenario = Scenario.objects.get()
    choices = scenario.as_data()["nodes"][0]["choices"]
    assert [choice.get("safe", False) for choice in choices] == [True, False]
    again = run("load_content", pack, "--json")
    assert '"unchanged": 1' in again.stdout and scenario.revisions.count() == 1
    out = tmp_path / "out"
    run("export_content", "--output", str(out))
    exported = yaml.safe_load((out / "scenarios" / "test-visit.yaml").read_text(encoding="utf-8"))
    assert exported["nodes"][0]["choices"][0]["safe"] is True
