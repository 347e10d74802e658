# sladesk: `make run` serves the desk with demo data; `make test` runs every test.
# Needs only Python >= 3.11, make and a C compiler.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
MAIL_PORT ?= 2525
BIN := $(VENV)/bin
SLADESK := $(BIN)/sladesk
export PORT

.PHONY: run test install install-test lint format typecheck check-python clean help

help:
	@echo "make run      create .venv, install, migrate SQLite under var/, seed the demo, serve on http://127.0.0.1:$(PORT)"
	@echo "              (with a worker and the SMTP server on 127.0.0.1:$(MAIL_PORT) in the background)"
	@echo "make test     install the test dependencies and run every test"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make typecheck  mypy"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sladesk needs Python >= 3.11 (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-dev

run: export SLADESK_PORTAL_URL = http://127.0.0.1:$(PORT)/portal/
run: export SLADESK_BASE_URL = http://127.0.0.1:$(PORT)/
run: install
	@mkdir -p var
	$(SLADESK) migrate --noinput
	$(SLADESK) policy check
	$(SLADESK) demo --url http://127.0.0.1:$(PORT)/
	@echo "Background: sladesk worker (SLA sweep, outbox) -> var/worker.log;" \
	      "sladesk mail serve on 127.0.0.1:$(MAIL_PORT) for support@sladesk.localhost -> var/mail.log"
	@$(SLADESK) worker > var/worker.log 2>&1 & worker=$$!; \
	 $(SLADESK) mail serve --port $(MAIL_PORT) > var/mail.log 2>&1 & mail=$$!; \
	 trap 'kill $$worker $$mail 2>/dev/null' EXIT INT TERM; \
	 $(SLADESK) serve --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install-test
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
