# Console: the two commands are `make run` and `make test`; everything else
# is what they are made of.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv is run as a module of the pyenv-selected Python (.python-version), so a
# freshly pip-installed uv works before any shim exists.
PYTHON ?= python3
UV := $(PYTHON) -m uv
MANAGE := $(UV) run --frozen python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help uv install run serve test lint typecheck imports pytest browser bench bench-api load mutate screenshots clean

help:
	@echo "make run    install, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install, then ruff, mypy, import-linter and every test (browser included)"
	@echo "make bench  the console against Django's admin at 100,000 orders, query counts as rows grow, the API's budgets (docs/performance.md)"
	@echo "make screenshots  every page type, desktop and phone, light and dark, to docs/screenshots/"
	@echo "make load   load test: gunicorn + PostgreSQL + Redis, 100,000 orders, locust (docs/performance.md)"
	@echo "make mutate mutation testing of the core modules (slow; not part of make test)"

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

install: uv
	$(UV) sync --frozen

# Quiet on purpose: the last lines on the screen say where to sign in and as whom.
run: install
	@$(MANAGE) migrate --noinput -v0
	@$(MANAGE) seed_demo --url http://$(HOST):$(PORT)/
	@$(MANAGE) serve $(HOST):$(PORT)

# Chromium for the browser tests: found, or installed (bin/ensure-chromium says how).
browser: install
	@bin/ensure-chromium $(UV)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: install
	$(UV) run --frozen mypy .

imports: install
	$(UV) run --frozen lint-imports

pytest: install browser
	$(UV) run --frozen pytest

test: lint typecheck imports pytest

# The console against Django's admin on a seeded data set, then query counts
# at growing row counts (docs/performance.md). Not part of make test.
# DATABASE_URL picks SQLite (unset) or PostgreSQL; the data set is seeded
# once into BENCH_DB (default /tmp/console-bench-100000.sqlite3, or the
# PostgreSQL database console_bench_100000) and reused by later runs.
# BENCH_ARGS passes options: "admin", "growth" or "api" for one part, --orders N,
# --repeats R, --no-write (leave docs/ alone), --no-profile.
bench: install
	$(UV) run --frozen python -m benchmarks $(BENCH_ARGS)

# Only the API's query budgets at 1,000 and 100,000 orders (BENCH_API_ORDERS=1000,100000).
bench-api: install
	$(UV) run --frozen python -m benchmarks api

# Load test (docs/performance.md): gunicorn with the production settings on
# PostgreSQL and Redis on the loopback, 1 then 2 instances; not part of make
# test. DATABASE_URL / REDIS_URL choose the database and Redis db (defaults
# in loadtest/__main__.py); LOAD_ARGS passes options, e.g. LOAD_ARGS="--nodes 2 --time 60".
load: install
	$(UV) run --frozen python -m loadtest $(LOAD_ARGS)

# Mutation testing of the core modules with cosmic-ray (docs/testing.md).
# Slow: each mutant runs the module's unit tests. Resumes where it stopped;
# MODULE=apps/orders/models.py limits it to one module, MUTATE_ARGS=--report
# prints the last result without running anything. Always on SQLite.
mutate: install
	env -u DATABASE_URL -u REDIS_URL $(UV) run --frozen python -m tools.mutate \
	  $(if $(MODULE),--module $(MODULE)) $(MUTATE_ARGS)

# Every page type over fresh demo data (a throwaway SQLite database), desktop
# and phone, light and dark: docs/screenshots/{page}-{desktop|phone}-{light|dark}.png.
screenshots: install browser
	env -u DATABASE_URL -u REDIS_URL $(UV) run --frozen python -m tools.screenshots

clean:
	rm -rf .venv staticfiles test-results .pytest_cache .mypy_cache .ruff_cache db.sqlite3*
