# One place for every developer command. The README's two commands are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := -q -c constraints.txt --config-settings editable_mode=strict
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck layers pytest dev clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev]'
	touch $(STAMP)

# Re-link the editable install (strict mode links files, so new modules need this).
dev: $(STAMP)
	$(BIN)/pip install $(PIP_FLAGS) --no-deps -e .

demo: dev
	$(BIN)/insightbank demo

# The whole test suite, on SQLite and on a throwaway PostgreSQL on loopback.
test: dev
	scripts/pg-test-server start >/dev/null
	INSIGHTBANK_TEST_PG_URL=$$(cat .pg/url) INSIGHTBANK_REQUIRE_PG=1 $(BIN)/pytest; \
	  status=$$?; scripts/pg-test-server stop; exit $$status

lint: dev
	$(BIN)/ruff check insightbank tui analysis fixtures tests benchmarks

typecheck: dev
	cd /tmp && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p insightbank

layers: dev
	cd /tmp && $(CURDIR)/$(BIN)/lint-imports --config $(CURDIR)/pyproject.toml

pytest: dev
	$(BIN)/pytest

# ruff, mypy, the import contract and the tests.
check: lint typecheck layers test

clean:
	rm -rf $(VENV) build *.egg-info .pg
