# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint format messages bench bench-agents bench-import clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Web server and Celery worker (with embedded beat for the offline check) on SQLite and a
# file-system broker; Ctrl-C stops both.
run: export DJANGO_DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py bootstrap_admin
	@echo "Console: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@$(VENV)/bin/celery -A atera worker -B --loglevel=info --concurrency=2 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; on PostgreSQL when DATABASE_URL is set, else SQLite.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh and compile the translation catalogues (needs GNU gettext).
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l fr --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l fr --ignore '.venv/*'

bench: install
	$(PY) -m bench.customers

# 5,000 simulated agents against gunicorn on PostgreSQL (see bench/agents.py).
bench-agents: install
	$(PY) -m bench.agents $(BENCH_ARGS)

# Contact imports against parse+COPY and django-import-export (BENCH_ARGS=--million).
bench-import: install
	$(PY) -m bench.imports $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
