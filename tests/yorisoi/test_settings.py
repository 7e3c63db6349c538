import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from yorisoi.settings import env_bool, env_int, env_list


def test_it_reads_typed_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_int("X_MISSING", 7) == 7


def test_it_fails_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.setenv("X_SMALL", "-1")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 0)
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("X_SMALL", 0, minimum=0)


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key_outside_debug():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_is_not_in_debug_unless_told():
    assert "SECRET_KEY must be set" in run_manage("check").stderr
    assert run_manage("check", DEBUG="true").returncode == 0


def test_it_passes_the_deployment_checklist_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-very-long-random-secret-key-used-only-by-this-test-0123456789",
        ALLOWED_HOSTS="yorisoi.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_it_speaks_japanese_first():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert [code for code, _name in settings.LANGUAGES] == ["ja", "en"]


def test_it_gives_each_gunicorn_worker_its_own_socket_unless_told_not_to(monkeypatch):
    # One socket shared by the workers let one worker hold every kept-alive connection while
    # the other sat idle (bench/server.py, worker_balance).
    config = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    monkeypatch.delenv("GUNICORN_REUSE_PORT", raising=False)
    assert runpy.run_path(str(config))["reuse_port"] is True
    monkeypatch.setenv("GUNICORN_REUSE_PORT", "false")
    assert runpy.run_path(str(config))["reuse_port"] is False
