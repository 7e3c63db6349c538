# Yorisoi: `make run` brings up a demo site, `make test` runs the whole suite.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
# These targets are for a developer's machine: debug on unless the caller says otherwise
# (the settings default to DEBUG off, so a real server must be configured on purpose).
export DEBUG ?= true

.PHONY: run test lint check security audit messages demo bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_content
	$(PY) manage.py seed_demo

run: demo
	@echo "Demo users sign in with the password 'yorisoi-demo' set by seed_demo: it is for this"
	@echo "local demo only. Never run seed_demo on a real site; give real users invitations."
	$(PY) manage.py runserver $(HOST)

test: $(STAMP)
	$(PY) -m pytest -q

# Benchmarks, not tests: one line per figure, `NAME: VALUE UNIT | baseline: VALUE UNIT | ratio: R`,
# each baseline measured in the same run. On SQLite, then on PostgreSQL when DATABASE_URL names
# one (each script makes its own scratch database beside it and drops it: bench/scratch.py).
BENCHMARKS := pages dashboard roleplay load_content
bench: $(STAMP)
	@for b in $(BENCHMARKS); do env -u DATABASE_URL $(PY) bench/$$b.py || exit 1; done
	@if [ -n "$$DATABASE_URL" ]; then for b in $(BENCHMARKS); do $(PY) bench/$$b.py || exit 1; done; \
	else echo "# PostgreSQL: skipped (DATABASE_URL=postgres://... make bench runs it too)"; fi
	@$(PY) bench/server.py
	@env -u DATABASE_URL $(PY) bench/judge.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=ci-only-$$(date +%s)-a-long-random-enough-secret-for-the-check-only \
		ALLOWED_HOSTS=yorisoi.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Static security analysis of our own code: no medium or high findings. A line that is safe
# on purpose carries a `# nosec BXXX — reason` comment instead of a list of skipped tests.
security: $(STAMP)
	$(VENV)/bin/bandit -r yorisoi courses roleplay assessments content privacy -ll -q

# Known vulnerabilities in the installed packages. For operators before and after an upgrade;
# not in CI, because it asks an online vulnerability database.
audit: $(STAMP)
	$(VENV)/bin/pip-audit --skip-editable

# Regenerate the translation catalogues after changing UI strings, then translate and compile.
messages: $(STAMP)
	$(PY) manage.py makemessages --locale ja --no-location --ignore '.venv/*' --ignore 'static/*'
	$(PY) manage.py compilemessages --locale ja --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 media static
