"""Production shape: two gunicorn processes on one PostgreSQL and one Redis.

Requests alternate between the two servers, as a load balancer would send them, and a learner's
progress, a streamed role-play reply, the login throttle and the AI quota must behave exactly as
they do on one. Runs on PostgreSQL with Redis at REDIS_URL (CI's second run); skipped elsewhere.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path

import httpx2 as httpx
import pytest
from django.conf import settings
from django.db import connection

from courses import services as course_services
from courses.models import HoursEntry
from privacy.models import NoticeAcknowledgement
from privacy.notices import acknowledge
from roleplay.models import Speaker, Turn
from tests.factories import build_course, build_scenario, make_user
from tests.fake_openai import FakeOpenAI, Reply
from yorisoi.roles import TRAINEE, ensure_groups

REDIS_URL = os.environ.get("YORISOI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(settings.BASE_DIR)
PASSWORD = "pw-for-tests"


def redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.fixture(autouse=True)
def fast_password_hashing():
    """The servers check passwords with the production hashers, so users get those hashes."""


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
    pytest.mark.skipif(not redis_reachable(), reason=f"needs Redis at {REDIS_URL}"),
    # serialized_rollback restores the pages the migrations made, which a transactional test
    # flushes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def fresh_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def static_root(django_db_setup, tmp_path_factory):
    """Hashed static files, as a deployment collects them once."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**server_env(), "STATIC_ROOT": str(root)},
        check=True,
    )
    return root


def server_env(**extra) -> dict:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DEBUG": "false",
        "SECRET_KEY": "two-servers-test-secret-key-long-enough-for-django-checks",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "YORISOI_TASKS": "immediate",
        **extra,
    }


@pytest.fixture(scope="module")
def fake_model():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(django_db_setup, static_root, fake_model):
    """Two app servers, one worker each, sharing the database, Redis and the fake model. They
    outlive each test: a test's data is flushed between tests, not the servers."""
    env = server_env(
        STATIC_ROOT=str(static_root),
        OPENAI_BASE_URL=fake_model.base_url,
        OPENAI_API_KEY="test-key",
        YORISOI_LLM_MODEL="fake-persona",
        YORISOI_ROLEPLAY_DAILY_TURNS="3",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="/dev/null",
    )
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "yorisoi.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=True):
            wait_until_up(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            httpx.get(f"{url}/accounts/login/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


class Browser:
    """One person's cookies, sent to whichever server the next request reaches."""

    def __init__(self, urls):
        self.urls = cycle(urls)
        self.client = httpx.Client(timeout=20, follow_redirects=False)

    def url(self, path):
        return next(self.urls) + path

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def login(self, username, password=PASSWORD) -> httpx.Response:
        if not self.csrf():
            self.client.get(self.url("/accounts/login/"))
        return self.client.post(
            self.url("/accounts/login/"),
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": self.url("/accounts/login/")},
        )

    def start_ai_session(self, scenario) -> int:
        started = self.post(
            "/api/roleplay/sessions", json={"scenario": scenario.slug, "mode": "llm"}
        )
        assert started.status_code == 200, started.text
        return started.json()["id"]

    def get(self, path, **kwargs):
        return self.client.get(self.url(path), **kwargs)

    def post(self, path, **kwargs):
        headers = {"X-CSRFToken": self.csrf(), "Referer": self.url("/")}
        return self.client.post(self.url(path), headers=headers, **kwargs)


@pytest.fixture
def learner():
    ensure_groups()
    alice = make_user("alice", TRAINEE, last_name="有田", first_name="愛")
    acknowledge(alice, NoticeAcknowledgement.PRACTICE)
    return alice


def test_it_serves_hashed_static_files_from_both_servers(servers, static_root):
    hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]["yorisoi/site.css"]
    assert hashed != "yorisoi/site.css"
    for url in servers:
        response = httpx.get(f"{url}/static/{hashed}")
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]


def test_it_keeps_a_learner_signed_in_and_counts_progress_across_servers(servers, learner):
    course = build_course()
    course_services.enrol(learner, course)
    lesson = course.lessons().first()
    browser = Browser(servers)
    assert browser.login("alice").status_code == 302
    for _ in range(2):
        assert browser.get("/me/").status_code == 200
    assert browser.post(f"/lessons/{lesson.pk}/complete/").status_code == 302
    # The second request goes to the other server, which reads the same session and ledger.
    page = browser.get(f"/me/hours/{course.pk}/")
    assert page.status_code == 200 and lesson.title in page.text
    assert HoursEntry.objects.filter(user=learner, lesson=lesson).count() == 1


def test_it_streams_a_reply_on_one_server_and_shows_it_on_the_other(servers, learner, fake_model):
    scenario = build_scenario()
    browser = Browser(servers)
    browser.login("alice")
    session_id = browser.start_ai_session(scenario)
    fake_model.stream(Reply("来てくださって、ありがとうございます。", chunk_delay=0.01))
    with browser.client.stream(
        "POST",
        browser.url(f"/api/roleplay/sessions/{session_id}/turns"),
        json={"text": "こんにちは、今日はよろしくお願いします。"},
        headers={"Accept": "text/event-stream", "X-CSRFToken": browser.csrf()},
    ) as response:
        events = re.findall(r"^event: (\w+)$", response.read().decode(), flags=re.M)
    assert events[0] == "learner" and "delta" in events and events[-1] == "reply"
    transcript = browser.get(f"/api/roleplay/sessions/{session_id}").json()
    assert transcript["turns"][-1]["text"] == "来てくださって、ありがとうございます。"


def test_it_locks_a_user_out_whichever_server_the_wrong_passwords_reach(servers, learner):
    browser = Browser(servers)
    # Four failures alternate between the servers; the fifth, on either, locks the user name.
    for _ in range(4):
        assert browser.login("alice", "wrong-password").status_code == 200
    assert browser.login("alice", "wrong-password").status_code == 429
    for _ in range(2):
        locked = browser.login("alice")
        assert locked.status_code == 429
    assert not browser.client.cookies.get("sessionid")


def test_it_counts_the_ai_quota_once_across_servers(servers, learner, fake_model):
    scenario = build_scenario()
    browser = Browser(servers)
    browser.login("alice")
    session_id = browser.start_ai_session(scenario)
    statuses = []
    for n in range(4):
        fake_model.stream(Reply(f"はい、{n}。"))
        response = browser.post(
            f"/api/roleplay/sessions/{session_id}/turns",
            json={"text": f"お話を聞かせてください {n}"},
        )
        statuses.append((response.status_code, response.json().get("code")))
    assert [status for status, _ in statuses[:3]] == [200, 200, 200]
    assert statuses[3] == (429, "quota")
    assert Turn.objects.filter(session_id=session_id, speaker=Speaker.LEARNER).count() == 3
