# The two commands: `make run` (embedded demo) and `make test` (the full suite on real services).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test lint format messages bench clean

$(VENV)/.run-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[demo]"
	touch $@

$(VENV)/.dev-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	VENV=$(VENV) bash scripts/run.sh

test: $(VENV)/.dev-installed
	VENV=$(VENV) bash scripts/test.sh

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

messages:
	cd . && $(PY) manage.py makemessages -l fr -i ".venv/*" -i "bench/*" -i "tests/*" && $(PY) manage.py compilemessages -i .venv

clean:
	rm -rf var db.sqlite3 staticfiles
