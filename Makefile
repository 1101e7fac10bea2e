# The two commands of the README: `make demo` and `make test`. Both work from a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per extra and version of pyproject.toml: `make demo` installs the demo extra, the others the dev extra
# (which holds the demo's too).
CKSUM := $(shell cksum pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-dev-$(CKSUM)
DEMO_STAMP := $(VENV)/.installed-demo-$(CKSUM)
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test bench lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-%-$(CKSUM): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	rm -f $(VENV)/.installed-$*-* && touch $@

## demo: set up the SQLite demo and serve the platform (127.0.0.1:$(PORT)) and the demo webshop (localhost:$(PORT)+1)
demo: $(DEMO_STAMP)
	$(BIN)/ocilink demo --port $(PORT)

## test: the whole test suite (set DATABASE_URL to run it on PostgreSQL)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: the benchmarks under bench/, one JSON object per figure
bench: $(STAMP)
	@for script in bench/[!_]*.py; do $(BIN)/python $$script || exit 1; done

## lint: ruff (lint + format check), mypy, and the layers of the apps (lint-imports)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/mypy src/ocilink
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: refresh and compile the translations (needs GNU gettext)
messages: $(STAMP)
	cd src/ocilink && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=../.. ../../$(BIN)/ocilink makemessages \
		--locale nl --no-location --ignore 'protocols/*' --ignore 'demo_webshop/inbox/*' --ignore '*/tests/*'
	cd src/ocilink && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=../.. ../../$(BIN)/ocilink compilemessages --locale nl

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
