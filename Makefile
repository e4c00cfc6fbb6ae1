# The two commands of the README: `make run` and `make test`. Both work on a machine with
# only Python 3.11: without DATABASE_URL / REDIS_URL they use embedded PostgreSQL and Redis.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint browser bench messages

# Re-install only when requirements.txt is newer than the last install.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m smartclinic.run

# Tests get their own throw-away data folder (embedded servers included) and real services;
# lint (ruff, bandit high) is part of the same command, so CI and developers run one thing.
test: $(STAMP) browser
	@d=$$(mktemp -d /tmp/smartclinic-test.XXXXXX); \
	SMARTCLINIC_DATA_DIR=$$d $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -ne 0 ] && [ -f $$d/pg/log ]; then \
	  echo "--- embedded PostgreSQL, what it said about connections and crashes:"; \
	  grep -E "FATAL|PANIC|terminat|shutting down|server process" $$d/pg/log | tail -40; fi; \
	rm -rf $$d; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; \
	[ $$rc -eq 0 ] || exit $$rc
	@$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r smartclinic clinics messaging privacy --severity-level high

# The browser tests drive Debian's chromium; install it when it is missing (root only).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install Debian's chromium package for the browser tests"; exit 1; fi; }

bench: $(STAMP)
	$(PY) bench/run.py

# Admin translations (needs gettext: xgettext, msgmerge, msgfmt). Refresh the .po from the code,
# translate the new entries in locale/zh_Hant/LC_MESSAGES/django.po, then run again to compile.
# Patient-facing WhatsApp texts are not gettext: they live in each app's texts.py.
# locale_thirdparty/ (Chinese for unfold and auditlog) is hand-kept: makemessages writes only to
# locale/ (the first of LOCALE_PATHS), and the compilemessages below compiles every LOCALE_PATHS
# folder, so it compiles locale_thirdparty/zh_Hant too (edit its .po by hand, then run this).
I18N_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=.data --ignore=staticfiles
messages: $(STAMP)
	@d=$$(mktemp -d /tmp/smartclinic-messages.XXXXXX); \
	SMARTCLINIC_DATA_DIR=$$d $(PY) manage.py makemessages -l zh_Hant $(I18N_IGNORE) && \
	SMARTCLINIC_DATA_DIR=$$d $(PY) manage.py compilemessages -l zh_Hant $(I18N_IGNORE); rc=$$?; \
	rm -rf $$d; exit $$rc
