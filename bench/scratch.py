"""Importing this sets Django up for a benchmark: the project on sys.path, and a scratch database
that the benchmark may fill as it likes and that is gone when it ends.

- Without DATABASE_URL: a fresh SQLite file in a temp folder.
- With a PostgreSQL DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/yorisoi_bench): a
  fresh database named after it and the script (yorisoi_bench_pages, …), created here and
  dropped at exit. The database the URL names is never touched, so it may be a real one.
- With any other DATABASE_URL, or in a benchmark's child process (BENCH_CHILD set): that
  database, which must then be an empty scratch database.

Benchmarks import it before anything of the project, so their own imports stay plain. It also
prints figures in the one format `make bench` promises (`figure`) and takes medians (`median`).
"""

import atexit
import os
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRIPT = Path(sys.argv[0]).stem
# Interleaved runs per figure; BENCH_RUNS=3 gives a quicker, noisier look.
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _postgres_scratch(url: str) -> str:
    """Create `<name>_<script>` on the server of `url`, drop it at exit, return its URL."""
    import psycopg

    parts = urlsplit(url)
    name = f"{(parts.path.lstrip('/') or 'yorisoi_bench')}_{SCRIPT}"
    server = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return urlunsplit(parts._replace(path=f"/{name}"))


_url = os.environ.get("DATABASE_URL", "")
if not _url:
    _url = f"sqlite:///{tempfile.mkdtemp(prefix='yorisoi-bench-')}/bench.sqlite3"
elif _url.startswith(("postgres://", "postgresql://")) and not os.environ.get("BENCH_CHILD"):
    _url = _postgres_scratch(_url)
os.environ["DATABASE_URL"] = _url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yorisoi.settings")
# A benchmark is a developer's run on this machine, like `make run`: debug settings. Debug
# keeps a log of queries, which the query counts read; it is emptied by every request.
os.environ.setdefault("DEBUG", "true")
django.setup()


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def median(values) -> float:
    return statistics.median(values)


def figure(name: str, value: float, unit: str, baseline=None) -> None:
    """One line: `NAME: VALUE UNIT | baseline: VALUE UNIT | ratio: R`, or `NAME: VALUE UNIT`.

    The name carries the database (`sqlite.lesson_page_time`); `baseline` is a (value, unit)
    pair measured in the same run. What a baseline is goes in a `#` line before (`note`)."""
    line = f"{vendor()}.{name}: {_number(value)} {unit}"
    if baseline is not None:
        base, base_unit = baseline
        ratio = value / base if base else float("inf")
        line += f" | baseline: {_number(base)} {base_unit} | ratio: {ratio:.2f}"
    print(line, flush=True)


def statements(captured) -> int:
    """The SQL queries a CaptureQueriesContext saw, without transaction control: SQLite logs
    BEGIN and COMMIT and PostgreSQL does not, and neither is a query the code chose to make."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith(control))


def note(text: str) -> None:
    print(f"# {text}", flush=True)


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def signed_in(user):
    """A test Client signed in as `user` with both steps done: a trainer's account needs an
    authenticator, so it gets one and the session is verified with it, as a finished sign-in
    leaves it (the same as tests/conftest.py does for tests)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yorisoi.two_factor import PENDING_SESSION_KEY, required_for

    client = Client()
    client.force_login(user)
    if required_for(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.pop(PENDING_SESSION_KEY, None)
        session.save()
    return client
