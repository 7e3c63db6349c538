"""Benchmark: `manage.py load_content` for the default pack and for a pack ten times its size.

Run with `.venv/bin/python bench/load_content.py` (a scratch database: see bench/scratch.py).
The large pack is made in a temp folder: the default pack plus nine copies of its courses,
scenarios and quizzes, each copy with every slug renamed (`hv-certification` → `hv-certification
-x2`, and every reference to it), sharing the pack's competency frameworks.

Each run loads one pack into a fresh, migrated, empty database: a copy of one migrated once
(a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), in a child process so
that nothing is cached from an earlier run; only the `load_content` call is timed. Runs
alternate between the two packs, LOAD_RUNS of each (3 by default: the large pack takes a
minute or more). Prints the median time of the large pack against the default pack's, and
the second load of the large pack: its time, and what it created or updated (must be 0).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

import scratch
import yaml
from django.core.management import call_command
from django.db import connection, connections

from content.packs import DEFAULT_PACK

COPIES = 10
LOAD_RUNS = int(os.environ.get("LOAD_RUNS", "3"))
# The summary line of a load: "Loaded PACK: 0 created, 0 updated, 1547 unchanged."
REPORT = re.compile(r"Loaded .*?: (\d+) created, (\d+) updated, (\d+) unchanged")


def pack_slugs(pack: Path) -> list[str]:
    """Every slug a pack defines: courses, their modules and lessons, scenarios, quizzes."""
    index = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    slugs = [*index.get("courses", []), *index.get("scenarios", []), *index.get("quizzes", [])]
    for course in index.get("courses", []):
        outline = yaml.safe_load((pack / "courses" / course / "course.yaml").read_text("utf-8"))
        for module in outline.get("modules", []):
            slugs += [module["slug"], *module.get("lessons", [])]
    return slugs


def ten_times(source: Path, target: Path) -> Path:
    """`source` and COPIES - 1 renamed copies of its courses, scenarios and quizzes."""
    shutil.copytree(source, target)
    slugs = pack_slugs(source)
    names = "|".join(map(re.escape, sorted(slugs, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])({names})(?![\w-])")
    index_text = (source / "pack.yaml").read_text(encoding="utf-8")
    index = yaml.safe_load(index_text)
    for n in range(2, COPIES + 1):

        def rename(text: str) -> str:
            return pattern.sub(lambda m: f"{m.group(1)}-x{n}", text)  # noqa: B023

        for folder in ("courses", "scenarios", "quizzes"):
            for path in sorted((source / folder).rglob("*")):
                if path.is_dir():
                    continue
                relative = path.relative_to(source)
                renamed = target / rename(str(relative))
                renamed.parent.mkdir(parents=True, exist_ok=True)
                renamed.write_text(rename(path.read_text(encoding="utf-8")), encoding="utf-8")
        for key in ("courses", "scenarios", "quizzes"):
            index[key] += [rename(slug) for slug in yaml.safe_load(index_text).get(key, [])]
    (target / "pack.yaml").write_text(
        yaml.safe_dump(index, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return target


def child(pack: str, repeat: bool) -> None:
    """In a fresh process on a fresh database: load `pack` (twice with `repeat`), print times."""
    started = time.perf_counter()
    call_command("load_content", pack, stdout=StringIO())
    print(f"first {time.perf_counter() - started:.3f}")
    if repeat:
        out = StringIO()
        started = time.perf_counter()
        call_command("load_content", pack, stdout=out)
        print(f"second {time.perf_counter() - started:.3f}")
        print("report " + " ".join(out.getvalue().split()))


class Databases:
    """Fresh copies of the migrated scratch database, one per run."""

    def __init__(self):
        self.settings = connection.settings_dict
        self.made: list[str] = []

    def fresh(self, n: int) -> str:
        connections.close_all()
        name = self.settings["NAME"]
        if connection.vendor == "sqlite":
            copy = f"{name}.run{n}"
            shutil.copy(name, copy)
            self.made.append(copy)
            return f"sqlite:///{copy}"
        copy = f"{name}_run{n}"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        connections.close_all()
        import psycopg

        s = self.settings
        server = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"
        with psycopg.connect(server, autocommit=True, password=s.get("PASSWORD") or None) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        self.made.append(copy)
        url = os.environ["DATABASE_URL"]
        return url[: url.rindex("/") + 1] + copy

    def drop(self, url: str) -> None:
        copy = self.made.pop()
        if connection.vendor == "sqlite":
            Path(copy).unlink(missing_ok=True)
            return
        import psycopg

        s = self.settings
        server = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"
        with psycopg.connect(server, autocommit=True, password=s.get("PASSWORD") or None) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def load(databases: Databases, n: int, pack: Path, repeat=False) -> dict[str, str]:
    url = databases.fresh(n)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(pack), *(["--repeat"] if repeat else [])],
            env={**os.environ, "DATABASE_URL": url, "BENCH_CHILD": "1"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        databases.drop(url)
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def main():
    call_command("migrate", verbosity=0)
    databases = Databases()
    with tempfile.TemporaryDirectory(prefix="yorisoi-pack-") as folder:
        large = ten_times(Path(DEFAULT_PACK), Path(folder) / "pack")
        times = {"default": [], "large": []}
        second = {}
        for n in range(LOAD_RUNS):
            times["default"].append(float(load(databases, 2 * n, Path(DEFAULT_PACK))["first"]))
            ran = load(databases, 2 * n + 1, large, repeat=n == 0)
            times["large"].append(float(ran["first"]))
            second = second or ran
    scratch.note(
        f"bench/load_content.py: load_content into a fresh database, median of {LOAD_RUNS} "
        f"alternating runs; baseline: the default pack; the large pack is {COPIES} copies of it"
    )
    default = scratch.median(times["default"])
    scratch.figure("load_content_default_pack_time", default, "s")
    large_time = scratch.median(times["large"])
    scratch.figure("load_content_10x_pack_time", large_time, "s", (default, "s"))
    scratch.figure(
        "load_content_10x_pack_second_load_time", float(second["second"]), "s", (default, "s")
    )
    created, updated, unchanged = map(int, REPORT.search(second["report"]).groups())
    scratch.note(f"second load of the large pack: {created} created, {updated} updated")
    scratch.figure("load_content_10x_pack_second_load_changes", created + updated, "objects")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1], "--repeat" in sys.argv)
    else:
        main()
