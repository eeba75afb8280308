# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck importlint pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Install, migrate, load lists (mirror folder or official URLs), serve on 127.0.0.1:8000.
run: $(STAMP)
	$(BIN)/screening check-settings >/dev/null
	$(BIN)/screening db upgrade
	$(BIN)/screening lists update || echo "warning: some lists could not be loaded; /readyz and 'screening lists status' say which"
	$(BIN)/gunicorn -c python:screening.web.gunicorn_conf wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

importlint: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest

# Every check CI runs: lint, types, import rules, and all tests on SQLite and PostgreSQL.
test: lint typecheck importlint pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
