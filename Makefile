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

# Benchmarks, not tests: each prints its figures next to a baseline measured in the same run.
bench: $(STAMP)
	$(PY) bench/dashboard.py
	$(PY) bench/roleplay.py
	$(PY) bench/judge.py

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
	$(VENV)/bin/bandit -r yorisoi courses roleplay assessments content -ll -q

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
