# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install native lint typecheck importlint pytest bench clean

# pip also compiles the hot matching modules with mypyc (setup.py; pure Python if it cannot).
$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Recompile the matching modules after editing them (until then the pure ones run).
native: $(STAMP)
	$(BIN)/pip install --quiet --no-deps -e .

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

# Everything, with the compiled matching modules if built; then the matching tests again on
# the pure-Python modules, which must behave the same.
pytest: $(STAMP)
	$(BIN)/pytest
	SCREENING_PURE_PYTHON=1 $(BIN)/pytest -q tests/core/matching tests/test_docs.py

# Every check CI runs: lint, types, import rules, and all tests on SQLite and PostgreSQL.
test: lint typecheck importlint pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build screening/core/matching/_native.json
	find screening -name '*.so' -delete
