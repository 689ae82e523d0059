# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck imports pytest bench format system-deps pg-deps

$(STAMP): pyproject.toml
	bash tools/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps:
	bash tools/system-deps.sh

# The tests start their own PostgreSQL on loopback (tests/pg.py); this installs the server
# binaries when they are missing.
pg-deps:
	bash tools/ensure-postgres.sh

run: $(STAMP)
	$(VENV)/bin/opdesk-desk

lint: $(STAMP)
	$(VENV)/bin/ruff check opdesk tests bench
	$(VENV)/bin/ruff format --check opdesk tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

imports: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP) pg-deps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test: lint typecheck imports pytest

bench: $(STAMP)
	$(PY) bench/bench_sla.py
	$(PY) bench/bench_queue.py
	$(PY) bench/bench_ui_queue.py

format: $(STAMP)
	$(VENV)/bin/ruff format opdesk tests bench
	$(VENV)/bin/ruff check --fix opdesk tests bench
