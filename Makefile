# Horizon ESS — the only entry points: make run, make test, make quality, make bench.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/horizon
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test quality bench setup assets data demo system-deps test-sqlite test-postgres clean

## make run: set everything up, then serve http://127.0.0.1:8000 on SQLite with the demo accounts.
run: setup data demo
	@$(MANAGE) demo_accounts
	$(MANAGE) runserver 127.0.0.1:8000

## make test: the whole suite on SQLite, then on PostgreSQL when reachable (mandatory with CI=true).
test: setup system-deps test-sqlite test-postgres

test-sqlite:
	@echo "==> Tests sur SQLite"
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL= $(BIN)/pytest

test-postgres:
	@if $(BIN)/python scripts/pg_reachable.py "$(PG_URL)"; then \
		echo "==> Tests sur PostgreSQL ($(PG_URL))"; \
		DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL="$(PG_URL)" $(BIN)/pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "ERREUR : PostgreSQL est injoignable ($(PG_URL)) alors que CI=true l'exige."; exit 1; \
	else \
		echo "==> PostgreSQL injoignable ($(PG_URL)) : tests PostgreSQL SAUTÉS (seul SQLite a été testé)."; \
	fi

## make quality: lint, format check, migrations in sync with the models.
quality: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check_questionnaires

## make bench: generate data at real size and print figures (see bench/README.md).
bench: setup system-deps
	$(BIN)/python -m bench.run

setup: $(VENV)/.installed assets

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

assets: horizon/static/vendor/.installed

horizon/static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p horizon/static/vendor/bootstrap
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   horizon/static/vendor/bootstrap/
	touch $@

## Reference data (territories, référentiels): idempotent, skipped when the files have not changed.
data: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) publish_questionnaires
	$(MANAGE) load_territories
	$(MANAGE) load_referentials

demo: data
	$(MANAGE) load_demo

## Browsers for the end-to-end tests: Debian's Chromium (Playwright drives it, never downloads its own);
## Pango for WeasyPrint (PDF); poppler-utils to read PDFs back in tests.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null \
		|| ! dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "==> Installation de chromium, chromium-driver, poppler-utils et Pango (paquets Debian)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
		else \
			echo "Paquets manquants : installez les paquets Debian chromium chromium-driver poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core (sudo apt-get install …)."; \
		fi; \
	fi

clean:
	rm -rf $(VENV) node_modules horizon/static/vendor staticfiles db.sqlite3*
