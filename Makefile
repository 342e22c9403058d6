# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
MAIL_PORT ?= 8025
STAMP := $(VENV)/.installed

.PHONY: run test install lint format messages bench bench-agents bench-import bench-mail bench-portal bench-api clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Web server, Celery worker (with embedded beat for the offline check) and the SMTP listener
# for support mail, on SQLite and a file-system broker; Ctrl-C stops all three.
run: export DJANGO_DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py bootstrap_admin
	@echo "Console: http://127.0.0.1:$(PORT)/  Support mail: SMTP 127.0.0.1:$(MAIL_PORT)"
	@$(VENV)/bin/celery -A atera worker -B --loglevel=info --concurrency=2 & worker=$$!; \
	$(PY) manage.py serve_mail --host 127.0.0.1 --port $(MAIL_PORT) & mail=$$!; \
	trap 'kill -TERM $$worker $$mail 2>/dev/null; wait $$worker $$mail' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; on PostgreSQL when DATABASE_URL is set, else SQLite.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=sqlite:///:memory: DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

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

# The portal ticket list with 100,000 tickets, signed-in contacts vs a bare view (bench/portal.py).
bench-portal: install
	$(PY) -m bench.portal $(BENCH_ARGS)

# 5,000 messages over real SMTP into serve_mail against stdlib parsing (see bench/mail.py).
bench-mail: install
	$(PY) -m bench.mail $(BENCH_ARGS)

# The v1 API's customers and contacts lists vs a bare values() JsonResponse (bench/api.py).
bench-api: install
	$(PY) -m bench.api $(BENCH_ARGS)

# Contact imports against parse+COPY and django-import-export (BENCH_ARGS=--million).
bench-import: install
	$(PY) -m bench.imports $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
