"""Shared fixtures: a small course and the named users every permission test talks about.

Alice and Bob are trainees in cohort A, which Tom runs. Charlie is a trainee in cohort B,
which Tina runs: "Charlie should have no access to Alice's stuff", nor Tina to Tom's cohort.
Ada is the org admin and sees everything.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from courses import services
from courses.models import Cohort, InPersonSession
from tests.factories import build_course, build_scenario, make_user
from tests.fake_openai import FakeOpenAI
from yorisoi.roles import ORG_ADMIN, TRAINEE, TRAINER, ensure_groups


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: the database is rolled back after each test, and
    what the cache kept of it (the site, Wagtail's site root paths) must not outlive it."""
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def login_throttling_off(settings):
    """The test client's login() authenticates without a request, which the throttle refuses;
    tests/yorisoi/test_login_throttle.py switches it back on."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def force_login_completes_two_step_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a finished sign-in, both steps: for an account that
    needs (or has) an authenticator, it also gives it one and verifies the session with it, the
    way yorisoi/two_factor.py's verify() does. Production code has no bypass; tests of the
    second step itself sign in with `client.login()` or the login form, which this leaves
    alone (tests/yorisoi/test_two_factor.py)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yorisoi.two_factor import PENDING_SESSION_KEY, required_for

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if not (required_for(user) or user_has_device(user)):
            return
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.pop(PENDING_SESSION_KEY, None)
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def course(db):
    ensure_groups()
    return build_course()


@pytest.fixture
def people(course):
    """The named users, two cohorts of the course, and an in-person session per cohort."""
    today = timezone.localdate()
    ns = type("People", (), {})()
    ns.course = course
    ns.alice = make_user("alice", TRAINEE, last_name="有田", first_name="愛")
    ns.bob = make_user("bob", TRAINEE, last_name="坂井", first_name="望")
    ns.charlie = make_user("charlie", TRAINEE, last_name="近藤", first_name="千春")
    ns.tom = make_user("tom", TRAINER)
    ns.tina = make_user("tina", TRAINER)
    ns.ada = make_user("ada", ORG_ADMIN)
    ns.cohort_a = Cohort.objects.create(
        course=course,
        name="第12期",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
    )
    ns.cohort_b = Cohort.objects.create(
        course=course, name="第13期", starts_on=today, ends_on=today + timedelta(days=30)
    )
    ns.cohort_a.trainers.add(ns.tom)
    ns.cohort_b.trainers.add(ns.tina)
    for user, cohort in ((ns.alice, ns.cohort_a), (ns.bob, ns.cohort_a), (ns.charlie, ns.cohort_b)):
        services.enrol(user, course, cohort=cohort, by=ns.tom)
    ns.session_a = InPersonSession.objects.create(
        cohort=ns.cohort_a,
        title="集合研修",
        starts_at=timezone.now(),
        place="会議室",
        hours=Decimal("2"),
    )
    ns.session_b = InPersonSession.objects.create(
        cohort=ns.cohort_b,
        title="集合研修",
        starts_at=timezone.now(),
        place="会議室",
        hours=Decimal("2"),
    )
    ns.lessons = list(course.lessons())
    return ns


@pytest.fixture
def scenario(db):
    return build_scenario()


@pytest.fixture
def fake_llm(settings):
    """A local OpenAI-compatible server, configured as the site's AI partner."""
    server = FakeOpenAI().start()
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_API_KEY = "test-key"
    settings.YORISOI_LLM_MODEL = "fake-persona"
    settings.YORISOI_LLM_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def connection_kept(monkeypatch):
    """Keep the test's database connection open through code that ends a request or a worker
    batch: closing a response (request_finished) and a task worker both call
    close_old_connections, which on PostgreSQL would close the connection the test's
    transaction lives on. Django's test client shields only the responses it closes itself."""
    from django.db import connections

    for connection in connections.all():
        monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
