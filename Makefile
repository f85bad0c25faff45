# Close Reader. `make run` serves the reader; `make test` runs every test.
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-sqlite test-postgres setup chromium screenshots lint bench mutation clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_seeds --with-reading
	$(PY) manage.py ensure_admin

run: setup
	@echo
	@echo "  Close Reader: http://127.0.0.1:$(PORT)/"
	@echo "  Log in as 'admin' with the password in .local/admin-password"
	@echo "  (cat .local/admin-password); Ctrl-C stops the server."
	@echo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium for the browser tests: installed when missing and we are root.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (browser tests will skip)"; fi; }

# The whole suite twice: on SQLite with each worker's own cache (the default, one machine), and
# on PostgreSQL with Redis as the shared cache (both installed from Debian and started when
# missing, as root), as several machines run it; only there the two-node test runs. Both must pass.
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.dev chromium
	@echo "== The test suite on SQLite =="
	env -u DATABASE_URL -u REDIS_URL -u CACHE_URL $(VENV)/bin/pytest

test-postgres: $(VENV)/.dev chromium
	@echo "== The test suite on PostgreSQL and Redis =="
	url=$$(scripts/postgres.sh) && redis=$$(scripts/redis.sh) && \
	  DATABASE_URL=$$url REDIS_URL=$$redis $(VENV)/bin/pytest

# The benchmark against gunicorn on loopback: prints a table, writes bench/results.json.
# BENCH_DB=postgres measures on PostgreSQL instead of SQLite.
BENCH_DB ?= sqlite
bench: $(VENV)/.dev chromium
	$(PY) -m bench.run --db $(BENCH_DB)

# Mutation testing of the pure core (mutmut; not part of `make test`: hours on two cores).
# MODULES="text agreement" for some; SAMPLE=200 runs a seeded random sample of each.
MODULES ?=
SAMPLE ?= 0
mutation: $(VENV)/.dev
	$(PY) scripts/mutation.py $(MODULES) --sample $(SAMPLE)

screenshots: $(VENV)/.dev chromium
	$(PY) scripts/screenshots.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* test-results
