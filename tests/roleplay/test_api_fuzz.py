"""Schemathesis against the role-play API's own OpenAPI document: requests generated from the
schema, sent to the Django WSGI application as a signed-in trainee, never get a 500."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from roleplay import services
from roleplay.models import Mode

API = "/api/roleplay"


@pytest.fixture
def operations(client, people):
    """Every operation of the document as served (to staff: learners may not read it)."""
    client.force_login(people.ada)
    document = client.get(f"{API}/openapi.json").json()
    client.logout()
    return [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]


@pytest.fixture
def as_alice(client, people, scenario, connection_kept):
    """Alice's session cookie and a CSRF token pair, as a browser sends them, and one session of
    hers that generated requests aim at: a random id would only ever find a 404."""
    client.force_login(people.alice)
    token = get_random_string(32)
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token},
        "session_id": session.pk,
    }


@pytest.fixture(scope="module")
def app():
    return WSGIHandler()


@pytest.mark.django_db
def test_it_answers_generated_requests_without_a_server_error(operations, as_alice, app):
    assert len(operations) == 7

    @settings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(data=st.data())
    def call(operation, data):
        case = data.draw(
            st.one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE))
        )
        if "session_id" in (case.path_parameters or {}):
            case.path_parameters["session_id"] = as_alice["session_id"]
        response = case.call(app=app, headers=as_alice["headers"], cookies=as_alice["cookies"])
        case.validate_response(response, checks=[not_a_server_error])
        answered.add((case.method, case.path, response.status_code))

    answered = set()
    for operation in operations:
        call(operation)
    # The generated requests reached the views, not only the sign-in and CSRF checks.
    assert {status for *_, status in answered} - {401, 403}
