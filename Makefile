# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck imports pytest bench format system-deps pg-deps \
	translations i18n-update screenshots

# The interface is Russian in the code; other languages are Qt Linguist catalogues. The .ts
# files are kept in git (translators edit them in Qt Linguist or by hand), the .qm files the
# application loads are built from them by lrelease, which comes with the PySide6 wheels: no
# Qt SDK and no network needed.
I18N_LANGS := en
TS_FILES := $(I18N_LANGS:%=resources/i18n/opdesk_%.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
LRELEASE := $(VENV)/bin/pyside6-lrelease
LUPDATE  := $(VENV)/bin/pyside6-lupdate

$(STAMP): pyproject.toml
	bash tools/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	for ts in $(TS_FILES); do $(LRELEASE) -silent $$ts -qm $${ts%.ts}.qm || exit 1; done
	touch $(STAMP)

system-deps:
	bash tools/system-deps.sh

# The tests start their own PostgreSQL on loopback (tests/pg.py); this installs the server
# binaries when they are missing.
pg-deps:
	bash tools/ensure-postgres.sh

# The compiled catalogues, rebuilt when their .ts changes (the install builds them too).
translations: $(QM_FILES)

resources/i18n/%.qm: resources/i18n/%.ts | $(STAMP)
	$(LRELEASE) -silent $< -qm $@

# After changing texts in opdesk/ui: collect them into the .ts files (new ones arrive
# unfinished; translate them, then `make translations`). Texts no longer in the code go.
i18n-update: $(STAMP)
	for lang in $(I18N_LANGS); do \
		$(LUPDATE) -silent -no-obsolete -locations none -source-language ru_RU \
			-target-language $$lang opdesk/ui/*.py -ts resources/i18n/opdesk_$$lang.ts \
			|| exit 1; \
	done

run: $(STAMP) translations
	$(VENV)/bin/opdesk-desk

lint: $(STAMP)
	$(VENV)/bin/ruff check opdesk tests bench tools
	$(VENV)/bin/ruff format --check opdesk tests bench tools

typecheck: $(STAMP)
	$(VENV)/bin/mypy

imports: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP) pg-deps translations
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test: lint typecheck imports pytest

bench: $(STAMP)
	$(PY) bench/bench_sla.py
	$(PY) bench/bench_queue.py
	$(PY) bench/bench_ui_queue.py

# Pictures of the window for review, into screenshots/ (ignored by git): the demo desk at a
# fixed moment, rendered through xcb on a private Xvfb when DISPLAY is not set.
screenshots: $(STAMP) translations
	$(PY) tools/screenshots.py

format: $(STAMP)
	$(VENV)/bin/ruff format opdesk tests bench tools
	$(VENV)/bin/ruff check --fix opdesk tests bench tools
