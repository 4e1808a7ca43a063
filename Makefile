# thidua — two commands: `make run` (set up, demo data, serve) and `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PG_URL  ?= postgres://postgres@127.0.0.1:5432/thidua
PYTEST_ARGS ?=
# Parallel test workers (pytest-xdist): one per core by default.
JOBS    ?= auto

.PHONY: run test test-audit test-sqlite test-postgres setup lint bench clean lock

run: setup
	sh scripts/system-deps run
	$(BIN)/thidua migrate --noinput -v 0
	$(BIN)/thidua demo
	$(BIN)/thidua serve

setup: $(STAMP)

$(BIN)/python:
	@py=$$(sh scripts/find-python) && echo "Python: $$py" && "$$py" -m venv $(VENV)

$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	sh scripts/system-deps build
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

# Lint first (seconds), then the dependency audit and the whole suite on SQLite (browser
# tests included) and on PostgreSQL, the three at once: each suite waits part of the time
# (on its database server, the browser, LibreOffice, the audit on the network), so running
# them side by side keeps both cores busy. Each one's output is printed whole when it ends
# (--output-sync); any of them failing fails `make test`.
test: setup
	sh scripts/system-deps test
	$(BIN)/ruff check src tests bench
	$(MAKE) -j3 --output-sync=target test-audit test-sqlite test-postgres

test-audit: setup
	$(BIN)/python scripts/pip-audit

# Not: the tests rely on `--dist load` handing them out in collection
# order (tests/conftest.py runs the transactional ones, which empty the database, last in
# each worker); a stolen transactional test ran early and took the kept world with it.
test-sqlite: setup
	$(BIN)/pytest -n $(JOBS) $(PYTEST_ARGS)

test-postgres: setup
	@if $(BIN)/python scripts/pg-ready "$(PG_URL)"; then \
	  THIDUA_DATABASE_URL="$(PG_URL)" $(BIN)/pytest -n $(JOBS) -m "not browser" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL không sẵn sàng tại $(PG_URL) — CI bắt buộc chạy bộ kiểm thử PostgreSQL." >&2; \
	  exit 1; \
	else \
	  echo "SKIPPED: bộ kiểm thử PostgreSQL — không kết nối được $(PG_URL) (đặt PG_URL=…)."; \
	fi

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/voting.py
	nice -n 10 $(BIN)/python bench/documents.py

clean:
	rm -rf $(VENV) var .pytest_cache

# Pin what runs: the versions installed in .venv become the constraints `make` installs from.
lock: setup
	{ sed -n '1,3p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^thidua=='; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
