# The two commands of the README: `make run` and `make test`. Each sets itself up first.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: setup run test lint check messages

setup:
	@bin/setup

## Run the app with demo data on SQLite and a background worker: http://127.0.0.1:8000
## (the worker's broker is a folder, data/broker/: nothing else to install; Ctrl-C stops both)
run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	VENV=$(VENV) HOST=$(HOST) bin/run

## Run the whole test suite (SQLite by default; DATABASE_URL and CELERY_BROKER_URL if set).
test:
	@bin/setup --test
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## Refresh the translation catalogues after changing user-facing strings.
messages: setup
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=node_modules
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules
