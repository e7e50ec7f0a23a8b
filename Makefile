# One place for every developer command. The README's two commands are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := -q -c constraints.txt
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck layers pytest dev tree clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev]'
	touch $(STAMP)

# The editable install finds new modules by itself; this re-runs it after pyproject changes.
dev: $(STAMP)
	$(BIN)/pip install $(PIP_FLAGS) --no-deps -e .

# mypy and import-linter cannot follow the editable install's import hook (tui/ and analysis/
# are mapped into insightbank.*), so they check a plain install of the tree in build/typecheck.
TREE := build/typecheck
tree: dev
	rm -rf $(TREE) build/lib build/bdist.* && $(BIN)/pip install -q --no-deps --no-compile --target $(TREE) . >/dev/null

demo: dev
	$(BIN)/insightbank demo

# The whole test suite, on SQLite and on a throwaway PostgreSQL on loopback.
test: dev
	scripts/pg-test-server start >/dev/null
	scripts/browser-for-tests >/dev/null
	INSIGHTBANK_TEST_PG_URL=$$(cat .pg/url) INSIGHTBANK_REQUIRE_PG=1 INSIGHTBANK_REQUIRE_BROWSER=1 $(BIN)/pytest; \
	  status=$$?; scripts/pg-test-server stop; exit $$status

lint: dev
	$(BIN)/ruff check insightbank tui analysis fixtures tests benchmarks
	$(BIN)/ruff format --check insightbank tui analysis fixtures tests benchmarks

typecheck: tree
	cd $(TREE) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p insightbank

layers: tree
	cd $(TREE) && PYTHONPATH=. $(CURDIR)/$(BIN)/lint-imports --config $(CURDIR)/pyproject.toml

pytest: dev
	$(BIN)/pytest

# ruff (lint and format), mypy, the import contracts and the tests.
check: lint typecheck layers test

clean:
	rm -rf $(VENV) build *.egg-info .pg
