"""Authoring a scenario in the Wagtail admin: the script is checked when it is saved."""

import json
import re
from html import unescape

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.models import Competency, CompetencyCategory, CompetencyFramework
from roleplay.models import Scenario
from roleplay.scripts import format_numbers
from tests.factories import scenario_data
from yorisoi.roles import ensure_groups


def shown(message: str, html: str) -> bool:
    """The StreamField widget carries its errors as JSON, non-ASCII text \\u-escaped."""
    return json.dumps(message)[1:-1] in html


def list_block(items: list[dict]) -> dict:
    """A ListBlock as the admin form posts it."""
    data = {"count": len(items)}
    for i, item in enumerate(items):
        data[str(i)] = {"value": item, "deleted": "", "order": str(i), "id": ""}
    return data


def admin_form(data: dict, criteria=()) -> dict:
    """The scenario editor's POST data for pack-style scenario data and rubric criteria."""
    nodes = [
        (
            "node",
            {
                "key": node["id"],
                "line": node["line"],
                "ending": node.get("ending", ""),
                "summary": node.get("summary", ""),
                "choices": list_block(
                    [
                        {
                            "key": c["id"],
                            "text": c["text"],
                            "next": c["next"],
                            "effects": format_numbers(c.get("effects", {})),
                            "scores": format_numbers(c.get("scores", {}), signed=False),
                            "feedback": c.get("feedback", ""),
                            "condition": c.get("if", ""),
                            **({"safe": "on"} if c.get("safe") else {}),
                        }
                        for c in node.get("choices", [])
                    ]
                ),
            },
        )
        for node in data["nodes"]
    ]
    variables = [
        ("variable", {"key": v["key"], "label": v["label"], "initial": v["initial"],
                      "minimum": v["min"], "maximum": v["max"]})
        for v in data["state"]
    ]  # fmt: skip
    return nested_form_data(
        {
            "title": data["title"],
            "slug": data["slug"],
            "learner_role": data["learner_role"],
            "difficulty": data["difficulty"],
            "brief": data["brief"],
            "goals": "\n".join(data["goals"]),
            "persona_role": data["persona"]["role"],
            "persona_name": data["persona"]["name"],
            "turn_limit": data["turn_limit"],
            "use_standard_rubric": "on",
            "state_variables": streamfield(variables),
            "end_rules": streamfield([]),
            "script": streamfield(nodes),
            "model_lines": streamfield([]),
            "criteria": inline_formset(list(criteria)),
        }
    )


def test_it_saves_a_sound_script_from_the_editor(client, people):
    ensure_groups()
    client.force_login(people.tom)
    response = client.post(
        reverse("wagtailsnippets_roleplay_scenario:add"), admin_form(scenario_data())
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.as_data()["nodes"] == scenario_data()["nodes"]


def test_it_lists_broken_links_when_saving_and_saves_nothing(client, people):
    ensure_groups()
    client.force_login(people.tom)
    data = scenario_data()
    data["nodes"][1]["choices"][0]["next"] = "missing"
    data["nodes"].append({"id": "orphan", "line": "……", "ending": "mixed", "summary": "x"})
    response = client.post(reverse("wagtailsnippets_roleplay_scenario:add"), admin_form(data))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    # The editor speaks the author's language (Japanese by default).
    assert shown("行き先 'missing' は、存在しないノードです", html)
    assert shown("ノード 'orphan' には最初のノードからたどり着けません", html)
    assert not Scenario.objects.exists()


def test_it_names_an_unknown_state_variable(client, people):
    ensure_groups()
    client.force_login(people.tom)
    data = scenario_data()
    data["nodes"][0]["choices"][1]["effects"] = {"mood": 3}
    response = client.post(reverse("wagtailsnippets_roleplay_scenario:add"), admin_form(data))
    assert shown("状態変数 'mood' は定義されていません", unescape(response.content.decode()))
    assert not Scenario.objects.exists()


def test_it_saves_competencies_ticked_for_the_scenario_and_its_criteria(client, people):
    ensure_groups()
    framework = CompetencyFramework.objects.create(code="hv", name="訪問支援員コンピテンシー")
    category = CompetencyCategory.objects.create(framework=framework, code="HV-1", name="基本")
    listen, level = (
        Competency.objects.create(category=category, code=code, name=name)
        for code, name in (("HV-LISTEN", "傾聴"), ("HV-LEVEL", "対等な関わり"))
    )
    criterion = {"key": "ask", "label": "問いかけ", "description": "開かれた質問をする"}
    form = admin_form(scenario_data(), criteria=[criterion])
    # Ticked checkboxes post their values under the field's name, one per box.
    form["competencies"] = [listen.pk, level.pk]
    form["criteria-0-competencies"] = [level.pk]
    client.force_login(people.tom)
    response = client.post(reverse("wagtailsnippets_roleplay_scenario:add"), form)
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert set(scenario.competencies.all()) == {listen, level}
    assert list(scenario.criteria.get().competencies.all()) == [level]
    edit = reverse("wagtailsnippets_roleplay_scenario:edit", args=[scenario.pk])
    html = client.get(edit).content.decode()
    boxes = re.findall(
        r'<input type="checkbox" name="(criteria-0-competencies|competencies)"', html
    )
    assert sorted(boxes) == ["competencies"] * 2 + ["criteria-0-competencies"] * 2


def test_it_searches_scenarios_in_the_admin(client, people, scenario):
    # The viewset once named fields the SQLite search index has no column for: a 500.
    client.force_login(people.tom)
    url = reverse("wagtailsnippets_roleplay_scenario:list")
    found = client.get(url, {"q": "テスト訪問"})
    assert found.status_code == 200
    assert "テスト訪問" in found.content.decode()
    assert client.get(url, {"q": "母"}).status_code == 200


def test_it_refuses_a_safe_choice_that_leads_straight_to_a_poor_ending(client, people):
    ensure_groups()
    client.force_login(people.tom)
    data = scenario_data()
    insist = data["nodes"][2]["choices"][1]
    assert insist["next"] == "end-poor"
    insist["safe"] = True
    response = client.post(reverse("wagtailsnippets_roleplay_scenario:add"), admin_form(data))
    assert response.status_code == 200
    assert "insist" in unescape(response.content.decode())
    assert not Scenario.objects.exists()
