"""The OpenAPI document describes what every endpoint returns, and real responses match it."""

import json

import pytest

from privacy.models import NoticeAcknowledgement
from privacy.notices import acknowledge
from roleplay import services
from roleplay.models import Mode
from tests.fake_openai import Reply

API = "/api/roleplay"


def post(client, url, payload=None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def mismatches(value, schema: dict, document: dict, at: str = "body") -> list[str]:
    """Where `value` breaks `schema` (the JSON Schema subset pydantic writes). An object may
    hold only the properties its schema names, so an undocumented key is caught too."""
    schema = resolve(schema, document)
    if "anyOf" in schema:
        options = [mismatches(value, option, document, at) for option in schema["anyOf"]]
        return [] if any(not found for found in options) else min(options, key=len)
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }
    if kind and not isinstance(value, types[kind]):
        return [f"{at}: {value!r} is not of type {kind}"]
    if kind in ("integer", "number") and isinstance(value, bool):
        return [f"{at}: {value!r} is not of type {kind}"]
    found = []
    if kind == "array":
        for index, item in enumerate(value):
            found += mismatches(item, schema.get("items", {}), document, f"{at}[{index}]")
    if kind == "object":
        properties = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                found.append(f"{at}: '{name}' is missing")
        for name, item in value.items():
            if name in properties:
                found += mismatches(item, properties[name], document, f"{at}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                found += mismatches(item, schema["additionalProperties"], document, f"{at}.{name}")
            elif not schema.get("additionalProperties"):
                found.append(f"{at}: '{name}' is not in the schema")
    return found


@pytest.fixture
def document(client, admin_user):
    """The document as served, to a signed-in admin (learners may not read it)."""
    client.force_login(admin_user)
    document = client.get(f"{API}/openapi.json").json()
    client.logout()
    return document


def response_schema(document: dict, method: str, path: str, status: int) -> dict:
    operation = document["paths"][f"{API}{path}"][method]
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]


def conforms(response, document: dict, method: str, path: str) -> list[str]:
    schema = response_schema(document, method, path, response.status_code)
    return mismatches(response.json(), schema, document)


def test_it_declares_a_response_schema_with_properties_for_every_endpoint(document):
    operations = [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) == 7
    for path, method, operation in operations:
        for status in ("200", "404", "409"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            schema = resolve(schema, document)
            if schema.get("type") == "array":
                schema = resolve(schema["items"], document)
            assert schema["properties"], (method, path, status)


def test_it_documents_a_json_error_for_too_large_bodies_and_failures(document):
    for path, methods in document["paths"].items():
        for method in methods:
            for status in ("413", "500"):
                schema = response_schema(document, method, path.removeprefix(API), int(status))
                assert resolve(schema, document)["properties"].keys() == {"detail", "code"}


def test_it_never_documents_hidden_facts_or_the_rubric_in_a_session(document):
    persona = resolve(document["components"]["schemas"]["SessionOut"], document)["properties"]
    assert "hidden_facts" not in persona and "rubric" not in persona
    card = resolve(persona["persona"], document)["properties"]
    assert set(card) == {"role", "name", "age"}


def test_it_answers_a_scripted_session_as_documented(client, people, scenario, document):
    client.force_login(people.alice)
    acknowledge(people.alice, NoticeAcknowledgement.PRACTICE)
    found = conforms(client.get(f"{API}/scenarios"), document, "get", "/scenarios")
    started = post(client, f"{API}/sessions", {"scenario": scenario.slug, "mode": "scripted"})
    found += conforms(started, document, "post", "/sessions")
    url = f"/sessions/{started.json()['id']}"
    chosen = post(client, f"{API}{url}/turns", {"choice": "listen"})
    found += conforms(chosen, document, "post", "/sessions/{session_id}/turns")
    typed = post(client, f"{API}{url}/turns", {"text": "それはお疲れですね。今日は何から"})
    found += conforms(typed, document, "post", "/sessions/{session_id}/turns")
    found += conforms(client.get(f"{API}{url}"), document, "get", "/sessions/{session_id}")
    branched = post(client, f"{API}{url}/branch", {"turn": 1})
    found += conforms(branched, document, "post", "/sessions/{session_id}/branch")
    ended = post(client, f"{API}{url}/end")
    found += conforms(ended, document, "post", "/sessions/{session_id}/end")
    refused = post(client, f"{API}{url}/turns", {"choice": "listen"})
    assert refused.status_code == 409
    found += conforms(refused, document, "post", "/sessions/{session_id}/turns")
    unknown = client.get(f"{API}/sessions/999999")
    found += conforms(unknown, document, "get", "/sessions/{session_id}")
    malformed = post(client, f"{API}{url}/branch", {"turn": "first"})
    assert malformed.status_code == 422
    found += conforms(malformed, document, "post", "/sessions/{session_id}/branch")
    assert {r.status_code for r in (started, chosen, typed, branched, ended)} == {200}
    assert found == []


def test_it_answers_a_pending_ai_reply_and_its_retry_as_documented(
    client, people, scenario, document, fake_llm
):
    client.force_login(people.alice)
    session = services.start_session(people.alice, scenario, Mode.LLM)
    fake_llm.stream(Reply(status=500), Reply(status=500), Reply("はい。"))
    url = f"{API}/sessions/{session.pk}"
    pending = post(client, f"{url}/turns", {"text": "こんにちは"})
    assert pending.json()["pending"] is True
    found = conforms(pending, document, "post", "/sessions/{session_id}/turns")
    retried = post(client, f"{url}/retry")
    assert retried.json()["pending"] is False
    found += conforms(retried, document, "post", "/sessions/{session_id}/retry")
    assert found == []


def test_it_catches_a_response_that_strays_from_the_document(document):
    schema = response_schema(document, "post", "/sessions/{session_id}/end", 200)
    assert mismatches({"id": 1, "hidden_facts": []}, schema, document)
