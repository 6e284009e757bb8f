# Xietong — the two commands: `make demo` (start with demo data) and `make test` (run every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SCALE ?= 0.02
STAMP := $(VENV)/.installed

.PHONY: demo test setup serve lint clean

$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

setup: $(STAMP)
	$(PY) -m xietong.core.compile_messages
	mkdir -p var

## Start the platform with its demo data on http://127.0.0.1:$(PORT)
## (the second factor is off in the demo, and its sign-in page says so)
demo: export XIETONG_REQUIRE_2FA = 0
demo: setup
	$(VENV)/bin/xietong migrate --no-input
	$(VENV)/bin/xietong demo --scale $(SCALE)
	$(VENV)/bin/xietong demo_users
	@echo "Serving on http://127.0.0.1:$(PORT) with a background worker; Ctrl-C stops both."
	$(VENV)/bin/xietong db_worker --no-reload --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/xietong runserver --noreload 127.0.0.1:$(PORT)

## Run the whole test suite on SQLite and on PostgreSQL
test: setup
	bash scripts/ensure_browser.sh
	bash scripts/run_tests.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy xietong

clean:
	rm -rf $(VENV) node_modules var
