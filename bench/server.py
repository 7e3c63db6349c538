"""Benchmark: requests per second and latency under gunicorn, with a static file as the baseline.

Run with `DATABASE_URL=postgres://… .venv/bin/python bench/server.py` (a scratch database: see
bench/scratch.py). Needs PostgreSQL and wrk (Debian's `wrk`); without either it says it skipped.

It loads the default content pack, enrols a trainee and signs them in (a session in the
database), collects the static files into a temp STATIC_ROOT, and starts the production
shape: `gunicorn -c gunicorn.conf.py yorisoi.wsgi` with GUNICORN_WORKERS=2 and DEBUG off (and
REDIS_URL when it is set). Then `wrk -t2 -c10 -d10s --latency` (10 connections) on three URLs
in turn, HTTP_RUNS rounds (3 by default), and prints the median of the rounds:

- a static file (the site's style sheet, through WhiteNoise): the baseline, the same server
  doing the least it can do for a request;
- the course catalogue, anonymous;
- a lesson page, signed in (the session cookie in a header).

p50 and p95 come from wrk's latency histogram (a small Lua script prints them; `--latency`
alone prints 50/75/90/99). Every URL is checked for a 200 first, and a run with any non-2xx
response fails rather than counting redirects as pages.

With keep-alive, each of wrk's connections stays with the worker that accepted it. On one
socket shared by the workers the kernel did not share them out evenly: in one run of the lesson
page one worker took all ten and the other sat idle, which halves the throughput. Workers now
listen on a socket each (gunicorn.conf.py, `reuse_port`), and each page also gets
`worker_balance`, the least busy worker's share of the workers' CPU time times the number of
workers (1 = even, 0 = one worker did nothing), the lowest of its runs, so that an uneven run
shows instead of passing for a slow page.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

# gunicorn and this process must share the key the signed-in session is hashed with.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
WANTS = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
WRK = shutil.which("wrk")
if not (WANTS and WRK):
    print(
        "# bench/server.py: skipped — it needs DATABASE_URL set to PostgreSQL and wrk installed "
        f"(DATABASE_URL {'is' if WANTS else 'is not'} PostgreSQL; wrk "
        f"{'found' if WRK else 'not found'})",
        flush=True,
    )
    sys.exit(0)

import scratch  # noqa: E402 - only after deciding to run: it creates the scratch database
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from courses import services  # noqa: E402
from courses.models import CoursePage, Delivery  # noqa: E402
from tests.factories import make_user  # noqa: E402
from yorisoi.roles import TRAINEE, ensure_groups  # noqa: E402

HTTP_RUNS = int(os.environ.get("HTTP_RUNS", "3"))
PERCENTILES = """
done = function(summary, latency, requests)
  io.write(string.format("p50 %f\\np95 %f\\nnon2xx %d\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup():
    call_command("migrate", verbosity=0)
    ensure_groups()
    call_command("load_content", verbosity=0)
    course = CoursePage.objects.live().order_by("path").first()
    trainee = make_user("bench-http", TRAINEE)
    services.enrol(trainee, course)
    lesson = course.lessons().filter(delivery=Delivery.ONLINE).first()
    client = Client()
    client.force_login(trainee)
    return course.get_parent().url, lesson.url, client.cookies["sessionid"].value


def server_env(static_root: str, port: int) -> dict:
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
        "GUNICORN_WORKERS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": os.devnull,
        # No recycling: a static run alone is over 2,000 requests a worker, and two workers
        # booting again in the middle of a 10-second run would measure the boot, not the page.
        "GUNICORN_MAX_REQUESTS": "0",
        # Plain HTTP on the loopback: no TLS redirect, cookies sent without it.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    env.pop("BENCH_RUNS", None)
    return env


def fetch(url: str, cookie: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 - our loopback
        return response.status, response.geturl()


def worker_cpu(gunicorn: subprocess.Popen) -> dict[int, int]:
    """CPU time so far (clock ticks, user + system) of each of gunicorn's worker processes."""
    children = subprocess.run(
        ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    ticks = {}
    for pid in map(int, children):
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def balance(before: dict[int, int], after: dict[int, int]) -> float:
    """The least busy worker's share of the workers' CPU time over a run, times the number of
    workers: 1.0 when the work was shared evenly, 0 when one worker had none of it."""
    spent = [after[pid] - before.get(pid, 0) for pid in after]
    return min(spent) * len(spent) / sum(spent) if sum(spent) else 0.0


def wrk(url: str, script: str, cookie: str | None) -> dict[str, float]:
    command = [WRK, "-t2", "-c10", "-d10s", "--latency", "-s", script, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            found["rps"] = float(parts[1])
        elif parts and parts[0] in ("p50", "p95", "non2xx"):
            found[parts[0]] = float(parts[1])
        elif line.strip().startswith("Non-2xx"):
            found["non2xx"] = float(parts[-1])
    if found.get("non2xx") or not found.get("rps"):
        raise SystemExit(f"{url}: not every response was a 2xx page:\n{out}")
    return found


def main():
    catalogue, lesson, session = setup()
    cookie = f"sessionid={session}"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="yorisoi-static-") as static_root:
        env = server_env(static_root, port)
        manage = [sys.executable, str(scratch.ROOT / "manage.py")]
        subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True)
        with open(os.path.join(static_root, "staticfiles.json"), encoding="utf-8") as file:
            manifest = json.load(file)["paths"]
        css = next(name for name in sorted(manifest) if name.endswith(".css"))
        base = f"http://127.0.0.1:{port}"
        urls = {
            "static_file": (f"{base}/static/{manifest[css]}", None),
            "catalogue": (f"{base}{catalogue}", None),
            "lesson_page_signed_in": (f"{base}{lesson}", cookie),
        }
        gunicorn = subprocess.Popen(
            [
                str(scratch.ROOT / ".venv" / "bin" / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "yorisoi.wsgi",
            ],
            cwd=scratch.ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(120):
                try:
                    fetch(urls["static_file"][0])
                    break
                except OSError:
                    time.sleep(0.5)
            for name, (url, with_cookie) in urls.items():
                status, final = fetch(url, with_cookie)
                assert status == 200 and final == url, (name, status, final)
            script = os.path.join(static_root, "percentiles.lua")
            with open(script, "w", encoding="utf-8") as lua:
                lua.write(PERCENTILES)
            runs = {name: [] for name in urls}
            for _ in range(HTTP_RUNS):
                for name, (url, with_cookie) in urls.items():
                    before = worker_cpu(gunicorn)
                    found = wrk(url, script, with_cookie)
                    found["balance"] = balance(before, worker_cpu(gunicorn))
                    runs[name].append(found)
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)

    def med(name, key):
        return scratch.median(run[key] for run in runs[name])

    scratch.note(
        f"bench/server.py: gunicorn (gunicorn.conf.py, 2 workers, DEBUG off"
        f"{', Redis' if os.environ.get('REDIS_URL') else ''}), wrk -t2 -c10 -d10s, median of "
        f"{HTTP_RUNS} interleaved runs; baseline: a static file from the same server"
    )
    scratch.figure("static_file_requests_per_second", med("static_file", "rps"), "req/s")
    for name in ("catalogue", "lesson_page_signed_in"):
        scratch.figure(
            f"{name}_requests_per_second",
            med(name, "rps"),
            "req/s",
            (med("static_file", "rps"), "req/s"),
        )
        for key in ("p50", "p95"):
            scratch.figure(
                f"{name}_{key}_latency", med(name, key), "ms", (med("static_file", key), "ms")
            )
        scratch.figure(f"{name}_worker_balance", min(r["balance"] for r in runs[name]), "share")


if __name__ == "__main__":
    main()
