# Leerkansen: `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: install install-test run test test-fast bench loadtest lint format messages check-system check-test-system check-chromium clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes (stamp files make install idempotent).
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed messages

install-test: $(VENV)/.installed-test messages check-chromium check-test-system

# System packages: gettext compiles the translations, fonts make the PDF readable.
check-system:
	@command -v msgfmt >/dev/null && fc-list 2>/dev/null | grep -qi dejavu || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext fonts-dejavu-core >/dev/null; \
	  else echo "Installeer eerst: sudo apt-get install gettext fonts-dejavu-core"; exit 1; fi; }

# The tests render every PDF with poppler's pdftoppm, a renderer independent of WeasyPrint.
check-test-system:
	@command -v pdftoppm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "The tests need pdftoppm: sudo apt-get install poppler-utils"; exit 1; fi; }

# Translations are compiled by the build, never committed.
messages: check-system $(VENV)/.installed
	@$(PY) manage.py compilemessages --ignore=.venv -v 0

check-chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium (or set CHROMIUM=/path)"; exit 1; fi; }

run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo --login --base-url http://127.0.0.1:$(PORT)
	@echo ""
	@echo "  Leerkansen draait op http://127.0.0.1:$(PORT)/  (stoppen: Ctrl+C)"
	@echo "  met een taakverwerker voor e-mails en ander werk op de achtergrond"
	@echo ""
	$(PY) manage.py db_worker --queue-name default,jobs --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-test
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest

# Everything but the browser tests, for a quick loop.
test-fast: install-test
	$(PY) -m pytest -m "not browser"

# Measured through gunicorn under load from wrk (Debian's package).
bench: install
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(PY) tools/bench.py
	$(PY) tools/top3_coverage.py

# The campaign's busiest hour at 1x, 2x and 4x (then up to saturation), through gunicorn with a
# task worker, on a PostgreSQL database it creates and drops (LOADTEST_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/leerkansen_loadtest; "sqlite" for a throw-away file).
loadtest: $(VENV)/.installed-test messages
	$(PY) tools/loadtest/run.py

# lint-imports checks the layer contract in pyproject.toml ([tool.importlinter]).
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/static
