# PGB-portaal: two commands on a fresh clone of a fresh Debian 12 machine.
#
#   make run    install what is missing, create the database, load the demo, serve on 127.0.0.1:5000
#   make test   the same setup, then mypy and the tests: SQLite, PostgreSQL (when reachable),
#               browser (e2e)
#
# Every step is re-runnable and fast the second time: Debian packages are checked one by one
# (installed only when missing), the Python packages are installed again only when
# requirements*.txt or pyproject.toml changed (a stamp file in .venv/).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV    := .venv
PY      := $(VENV)/bin/python
UV      := $(VENV)/bin/uv
PORTAL  := $(VENV)/bin/portal
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 5000
# The development OpenID Connect test provider ("Test-DigiD - geen echte inlog"), `make run` only.
OIDC_PORT ?= 5010

# What a fresh Debian 12 needs (see TOOLCHAIN notes): Python, WeasyPrint's pango and a font,
# Chromium for the browser tests, poppler to look at PDFs, wrk for `make bench-scale`.
DEB_PACKAGES := ca-certificates python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 \
                libharfbuzz-subset0 fonts-dejavu-core chromium poppler-utils wrk

# PostgreSQL leg: where the server is (trust authentication); a fresh database per run.
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_USER ?= postgres
PG_ADMIN := host=$(PG_HOST) port=$(PG_PORT) user=$(PG_USER) dbname=postgres connect_timeout=3

# Test workers (pytest-xdist) for the SQLite, PostgreSQL and browser legs: 2 pays on 2 cores;
# TEST_WORKERS=0 runs in one process. --dist loadfile keeps a test file on one worker (its
# module fixtures are made once; the Redis test removes only keys its own file made).
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export UV_PYTHON_DOWNLOADS := never
export DEBIAN_FRONTEND := noninteractive

.PHONY: help run setup system-packages db test test-typecheck test-sqlite test-postgres test-e2e \
        lint typecheck clean

help:
	@echo "make run    zet alles klaar en start het portaal op http://$(HOST):$(PORT)"
	@echo "make test   zet alles klaar, controleert de types (mypy) en draait alle tests (SQLite, PostgreSQL, browser)"
	@echo "make lint   ruff over portal/, tests/ en e2e/, en mypy over portal/"
	@echo "make pdf-samples  één van elk papieren document (uit de demo) in pdf-samples/, om te bekijken"
	@echo "make screenshots  schermafdrukken van elke pagina per demo-persoon (1280 en 320 px) in screenshots/"
	@echo "make bench-scale  meet het portaal op landelijke schaal (PostgreSQL; HOUSEHOLDS=150000)"
	@echo "make clean  verwijdert .venv en caches (de database in instance/ blijft staan)"

# --- setup -------------------------------------------------------------------------------

system-packages:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "Geen Debian/Ubuntu (dpkg-query ontbreekt): installeer zelf $(DEB_PACKAGES)"; exit 0; fi; \
	missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Debian-pakketten installeren:$$missing"; \
	  $(SUDO) apt-get update -q; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(PY): | system-packages
	python3 -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip
	$(PY) -m pip install -q --disable-pip-version-check uv

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(UV)
	$(UV) pip install -q --python $(PY) -r requirements.txt -r requirements-dev.txt
	$(UV) pip install -q --python $(PY) -e . --no-deps
	@touch $@

setup: system-packages $(STAMP)

db: setup
	$(PORTAL) init-db
	$(PORTAL) seed-demo

# --- run ---------------------------------------------------------------------------------

run: db
	@if ! $(PY) -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$(HOST)', $(PORT)))" 2>/dev/null; then \
	  echo "Poort $(PORT) op $(HOST) is al in gebruik (draait het portaal al?). Stop dat programma," \
	       "of kies een andere poort: make run PORT=5001" >&2; exit 1; fi
	@if ! $(PY) -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $(OIDC_PORT)))" 2>/dev/null; then \
	  echo "Poort $(OIDC_PORT) (Test-DigiD) is al in gebruik. Kies een andere poort:" \
	       "make run OIDC_PORT=5011" >&2; exit 1; fi
	@echo "Het portaal draait op http://$(HOST):$(PORT)  (stoppen: Ctrl+C)"
	@$(PY) -m portal.identity.testprovider --port $(OIDC_PORT) & provider=$$!; \
	  trap 'kill $$provider 2>/dev/null' EXIT; \
	  PORTAL_OIDC_TEST_PROVIDER=http://127.0.0.1:$(OIDC_PORT) $(PORTAL) run --host $(HOST) --port $(PORT)

# --- tests -------------------------------------------------------------------------------

# Each leg runs even when an earlier one failed; the exit status says whether all passed.
# The first leg is the type check (mypy over portal/): a type error fails the run too.
test: setup
	@status=0; results=""; \
	for leg in typecheck sqlite postgres e2e; do \
	  if $(MAKE) --no-print-directory test-$$leg; then results="$$results\n  $$leg: geslaagd"; \
	  else status=1; results="$$results\n  $$leg: MISLUKT"; fi; \
	done; \
	echo; echo -e "Testonderdelen:$$results"; \
	exit $$status

test-typecheck: setup
	@echo "=== Types of portal/ (mypy; settings in pyproject.toml) ==="
	$(VENV)/bin/mypy

test-sqlite: setup
	@echo "=== Unit and integration tests on SQLite ==="
	env -u PORTAL_TEST_DATABASE_URL $(PY) -m pytest -q -p no:cacheprovider $(XDIST) tests

test-postgres: setup
	@echo "=== The same suite on PostgreSQL ==="
	@if ! reason=$$($(PY) -c "import psycopg; psycopg.connect('$(PG_ADMIN)').close()" 2>&1); then \
	  echo "PostgreSQL leg skipped: PostgreSQL is not reachable ($(PG_ADMIN)): $$(echo "$$reason" | grep -m1 'Error' | sed 's/^[^:]*Error: //')"; \
	  exit 0; fi; \
	name="pgb_test_$$(date +%s)_$$RANDOM"; \
	sql() { $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_ADMIN)', autocommit=True).execute(sys.argv[1])" "$$1"; }; \
	sql "CREATE DATABASE $$name"; \
	trap 'sql "DROP DATABASE IF EXISTS $$name WITH (FORCE)"' EXIT; \
	echo "Database $$name (wordt na afloop verwijderd; elke testwerker, de demo en papier" \
	     "krijgen er een naast, met _gw0, _demo, _paper achter de naam)"; \
	PORTAL_TEST_DATABASE_URL="postgresql+psycopg://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$$name" \
	  $(PY) -m pytest -q -p no:cacheprovider $(XDIST) tests

test-e2e: setup
	@echo "=== Browser journeys (Playwright in Chromium) ==="
	$(PY) -m pytest -q -p no:cacheprovider $(XDIST) e2e

# --- other -------------------------------------------------------------------------------

lint: setup
	$(VENV)/bin/ruff check portal tests e2e
	$(VENV)/bin/mypy

# mypy alone (also part of `make lint` and the first leg of `make test`); what it checks, and the
# stricter rules for the pure rules modules, is in pyproject.toml [tool.mypy].
typecheck: setup
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# --- paper -------------------------------------------------------------------------------

.PHONY: bench-scale
HOUSEHOLDS ?= 15000
# National scale (issue 14) on PostgreSQL: generated data, pages under gunicorn + wrk, the
# payment run; writes its section of tests/benchmarks/RESULTS.md. HOUSEHOLDS=150000 for the
# national figure (hours, ~3 million sheets).
bench-scale: setup
	$(PY) tests/benchmarks/bench_scale.py --households $(HOUSEHOLDS) --write

.PHONY: pdf-samples
# One of each paper document from the demo data (a temporary database, removed afterwards), to look at.
pdf-samples: setup
	$(PY) -m portal.demo.samples pdf-samples

.PHONY: screenshots vendor-nlds
# Full-page screenshots of every page of each demo role, 1280 and 320 px wide, into screenshots/
# (a temporary demo database, removed afterwards). ONLY=anna for one person.
screenshots: setup
	$(PY) -m e2e.screenshots screenshots $(if $(ONLY),--only $(ONLY),)

# Fetch the NL Design System CSS again (versions in scripts/vendor-nlds.sh) into static/vendor/nlds/.
# Needs npm; `make run` does not (the files are committed).
vendor-nlds:
	scripts/vendor-nlds.sh
