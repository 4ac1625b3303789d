# Tandem — everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run serve migrate seed test lint format worker beat check-deploy bench loadtest backup restore clean

help:
	@echo "make run      install, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test     ruff + the whole pytest suite (uses DATABASE_URL / REDIS_URL when set)"
	@echo "make worker   a Celery worker (needs REDIS_URL)"
	@echo "make beat     Celery beat, the periodic scheduler (needs REDIS_URL)"
	@echo "make lint     ruff check and format check;  make format  fix formatting"
	@echo "make backup   database + uploaded files into backups/ (BACKUP_DIR)"
	@echo "make restore BACKUP=backups/tandem-…  replace database and files with a backup"
	@echo "make loadtest gunicorn + locust on generated data in a scratch PostgreSQL database (LOADTEST=…)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

worker: install
	$(BIN)/celery -A partnerships worker --loglevel=INFO

beat: install
	$(BIN)/celery -A partnerships beat --loglevel=INFO

check-deploy: install
	DEBUG=False SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(64))") \
		ALLOWED_HOSTS=tandem.example $(BIN)/python manage.py check --deploy --fail-level WARNING

backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=backups/tandem-YYYYMMDDTHHMMSSZ" && exit 2)
	$(BIN)/python manage.py restore "$(BACKUP)"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Sizes for bench/matching.py, e.g. BENCH_MATCHING="--students 2000 --placements 200" for a smoke run.
BENCH_MATCHING ?=

bench: install
	@test -n "$(DATABASE_URL)" || (echo "set DATABASE_URL to a scratch PostgreSQL database" && exit 2)
	$(BIN)/python bench/opportunity_search.py 20000
	$(BIN)/python bench/matching.py $(BENCH_MATCHING)

# Options for bench/loadtest.py, e.g. LOADTEST="--students 2000 --placements 200 --organisations 40
# --events 100 --run-time 5" for a smoke run, or "--keep" / "--reuse" to keep and serve the data again.
# DATABASE_URL, when set, names the scratch database (dropped and made anew; default loadtest_scratch).
LOADTEST ?=

loadtest: install
	$(BIN)/python bench/loadtest.py $(LOADTEST)
