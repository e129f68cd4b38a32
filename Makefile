# speeddate — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
WORKERS ?= 4
BIND   ?= 127.0.0.1:$(PORT)
export FLASK_APP := wsgi.py
# Links in mails come from this setting only; production must set it (the service refuses to start without it).
run: export SPEEDDATE_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run serve test lint translations messages system-deps install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d speeddate/translations

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	$(BIN)/flask run --port $(PORT)

serve: install translations
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(BIND) wsgi:app

system-deps:
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "installing postgresql"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@command -v pdftotext >/dev/null 2>&1 || { echo "installing poppler-utils (pdftotext, for the PDF tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }
	@command -v java >/dev/null 2>&1 || { echo "installing java (for the Nu Html Checker)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "installing nginx (for the deployment test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	@command -v systemd-analyze >/dev/null 2>&1 || { echo "installing systemd (systemd-analyze, for the deployment test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# The privacy and security promises hold on both databases: these tests run a second time on PostgreSQL.
PRIVACY_TESTS := tests/partners tests/security tests/privacy tests/surveys tests/mail tests/auth tests/directory \
	tests/seating/test_after_the_day.py tests/reports/test_formulas.py

test: install-dev translations system-deps lint
	$(BIN)/pytest
	$(BIN)/pytest --database=postgresql -m "not browser and not postgres" $(PRIVACY_TESTS)

clean:
	rm -rf $(VENV) build *.egg-info

messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --omit-header -o speeddate/translations/messages.pot .
	$(BIN)/pybabel update -i speeddate/translations/messages.pot -d speeddate/translations --no-fuzzy-matching
