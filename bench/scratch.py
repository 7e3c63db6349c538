"""Importing this sets Django up for a benchmark: the project on sys.path, and a throwaway SQLite
database in a temp folder unless DATABASE_URL names one (it must be an empty scratch database).

Benchmarks import it before anything of the project, so their own imports stay plain.
"""

import os
import sys
import tempfile
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='yorisoi-bench-')}/bench.sqlite3"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yorisoi.settings")
# A benchmark is a developer's run on this machine, like `make run`: debug settings.
os.environ.setdefault("DEBUG", "true")
django.setup()
