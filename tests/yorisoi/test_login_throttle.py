"""Sign-in throttling: a few wrong passwords lock the user name for a while, and many from one
address lock the address (a classroom behind one NAT gets a larger limit than one person)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_user
from yorisoi.roles import ORG_ADMIN, TRAINEE, ensure_groups

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def throttled(settings, db):
    settings.AXES_ENABLED = True
    ensure_groups()


def sign_in(client, url, username, password, address="192.0.2.10"):
    return client.post(
        url,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def fail(client, url, username, times, address="192.0.2.10"):
    return [
        sign_in(client, url, username, "wrong-password", address).status_code for _ in range(times)
    ]


def test_it_locks_a_user_name_after_five_wrong_passwords(client, throttled):
    make_user("alice", TRAINEE)
    assert fail(client, LOGIN, "alice", 4) == [200] * 4
    assert fail(client, LOGIN, "alice", 1, address="198.51.100.7") == [429]

    response = sign_in(client, LOGIN, "alice", "pw-for-tests", address="203.0.113.5")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Sign-in paused" in page
    assert "Please wait 15 minutes" in page


def test_it_lets_a_classroom_behind_one_address_mistype_without_locking_the_room(client, throttled):
    make_user("alice", TRAINEE)
    for index in range(20):
        fail(client, LOGIN, f"trainee{index}", 1)

    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 302


def test_it_still_locks_one_user_name_at_its_own_limit_behind_a_shared_address(client, throttled):
    make_user("alice", TRAINEE)
    for index in range(10):
        fail(client, LOGIN, f"trainee{index}", 1)
    assert fail(client, LOGIN, "alice", 5) == [200] * 4 + [429]

    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 429


def test_it_locks_an_address_that_tries_many_user_names(client, throttled, settings):
    assert settings.YORISOI_ADDRESS_FAILURE_LIMIT == 30
    make_user("alice", TRAINEE)
    make_user("bob", TRAINEE)
    assert fail(client, LOGIN, "x", 1) == [200]
    for index in range(28):
        fail(client, LOGIN, f"x{index}", 1)
    assert fail(client, LOGIN, "y", 1) == [429]

    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 429
    other_address = sign_in(client, LOGIN, "bob", "pw-for-tests", address="203.0.113.9")
    assert other_address.status_code == 302


def test_it_throttles_the_admin_sign_in_too(client, throttled):
    make_user("ada", ORG_ADMIN)
    fail(client, ADMIN_LOGIN, "ada", 5)

    response = sign_in(client, ADMIN_LOGIN, "ada", "pw-for-tests", address="203.0.113.5")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_lets_the_user_in_again_after_the_cool_down(client, throttled, monkeypatch):
    make_user("alice", TRAINEE)
    fail(client, LOGIN, "alice", 5)
    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 429

    # The counters expire in the cache table; move its clock past the 15-minute cool-down.
    later = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: later)

    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 302


def test_it_forgets_earlier_mistakes_after_a_correct_sign_in(client, throttled):
    make_user("alice", TRAINEE)
    fail(client, LOGIN, "alice", 4)
    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 302
    client.logout()
    fail(client, LOGIN, "alice", 4)

    assert sign_in(client, LOGIN, "alice", "pw-for-tests").status_code == 302


def test_it_counts_the_client_behind_the_proxy_not_the_proxy(client, throttled, settings):
    settings.AXES_CLIENT_IP_CALLABLE = "yorisoi.settings.forwarded_client_address"
    make_user("alice", TRAINEE)

    def through_proxy(username, password, forwarded_for):
        return client.post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    for index in range(30):
        # The attacker varies the entry they control; the proxy appends the address it saw.
        through_proxy(f"x{index}", "wrong-password", f"198.51.100.{index}, 192.0.2.10")

    assert through_proxy("alice", "pw-for-tests", "203.0.113.1, 192.0.2.10").status_code == 429
    assert through_proxy("alice", "pw-for-tests", "203.0.113.9").status_code == 302
