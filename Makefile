# OpenCommons: one entry point for setup, tests, the demo and the benchmarks.
#   make demo   the main job: a local Ganache, the suite deployed, the mission story run
#   make test   the whole test suite (contracts on Anvil, a Ganache run, the Python library)
#   make bench  benchmarks that print figures
SHELL := /bin/bash
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
STAMPS := $(ROOT)/.stamps
PYTHON ?= python3

export PATH := $(VENV)/bin:$(ROOT)/node_modules/.bin:$(PATH)
export SOLCX_BINARY_PATH := $(ROOT)/.solcx
export BROWNIE_NOCOMPILE := 1
export PYTHONDONTWRITEBYTECODE := 1

PYTEST_PY := $(VENV)/bin/python -m pytest -p no:pytest-brownie -p no:cacheprovider

# every contract again from scratch (setup compiles what changed, offline, and exports the artifacts)
compile: setup
	if unshare -n true 2>/dev/null; then unshare -n -- brownie compile --all; else brownie compile --all; fi

.PHONY: setup compile slither fuzz load dapp docs test-dapp test-dapp-explorer test-dapp-others test installs checks test-types test-contracts test-ganache test-python demo bench clean

setup: $(STAMPS)/npm $(STAMPS)/venv $(STAMPS)/solc $(STAMPS)/artifacts

$(STAMPS)/npm: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund
	@touch $@

$(STAMPS)/venv: requirements.txt pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --no-binary eth-brownie -r requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(STAMPS)/solc: $(STAMPS)/npm tools/solc-shim.js tools/install-solc-shim.sh
	tools/install-solc-shim.sh
	@touch $@

# the library (web3.py) reads ABIs and bytecode from opencommons/data/contracts
$(STAMPS)/artifacts: $(STAMPS)/solc $(STAMPS)/venv tools/export_artifacts.py $(wildcard contracts/*.sol contracts/*/*.sol interfaces/*.sol) brownie-config.yaml
	# offline proof: no network namespace access at all while the project compiles (from a clean
	# clone: every contract, once)
	if unshare -n true 2>/dev/null; then unshare -n -- brownie compile; else brownie compile; fi
	$(VENV)/bin/python tools/export_artifacts.py
	@touch $@

# the installs that do not depend on one another run side by side (npm, the venv, slither's venv,
# Debian's packages: mostly unpacking); then the stages two at a time on the two cores: the Python
# tests (two workers of their own, ~500 s beside the others in CI) in one place, the explorer's
# browser tests (~210 s) then the contract tests (~355-400 s) in the other; the other browser tests
# (~75 s), the Ganache run and mypy beside slither where the Python tests end. Each stage's output
# is printed when it ends.
test: installs setup dapp/dist/index.html
	$(MAKE) --no-print-directory -j2 --output-sync=target test-python test-dapp-explorer test-contracts \
	  test-dapp-others test-ganache checks

installs:
	$(MAKE) --no-print-directory -j4 --output-sync=target $(STAMPS)/npm $(STAMPS)/venv $(STAMPS)/slither \
	  $(STAMPS)/debian

# PostgreSQL and Chromium in one apt-get (two at once would wait on dpkg's lock)
$(STAMPS)/debian:
	@mkdir -p $(STAMPS)
	missing=""; command -v chromium >/dev/null || missing="chromium"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  if [ -n "$$missing" ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@touch $@ $(STAMPS)/chromium $(STAMPS)/postgresql

checks: setup
	$(MAKE) --no-print-directory -j2 --output-sync=target test-types slither

test-contracts: setup
	brownie test tests/contracts --network development --durations=15

test-ganache: setup
	brownie test tests/ganache --network ganache-cli

$(STAMPS)/slither: requirements-slither.txt
	@mkdir -p $(STAMPS)
	test -x $(ROOT)/.venv-slither/bin/python || $(PYTHON) -m venv $(ROOT)/.venv-slither
	$(ROOT)/.venv-slither/bin/pip install --quiet -r requirements-slither.txt
	@touch $@

# static analysis gate: zero High/Medium, every other finding justified in slither-triage.json
slither: setup $(STAMPS)/slither
	$(ROOT)/.venv-slither/bin/python tools/slither_check.py

# Debian's Chromium for the dApp's browser tests (a test tool's own browser download cannot work here)
$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@touch $@

# Debian's PostgreSQL: the index tests start and stop a real server of their own
$(STAMPS)/postgresql:
	@mkdir -p $(STAMPS)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
	@touch $@

# the bundle carries the locale files the server's dataset pages use too
dapp/dist/index.html: $(STAMPS)/npm dapp/index.html $(wildcard dapp/src/* dapp/src/*/* opencommons/data/locales/*.json)
	npm run --silent dapp:build

dapp: setup dapp/dist/index.html

test-dapp: setup $(STAMPS)/chromium dapp/dist/index.html
	node --test dapp/tests/

# the browser tests in two parts for `make test`: the explorer's pages, and every other test file
test-dapp-explorer: setup $(STAMPS)/chromium dapp/dist/index.html
	node --test dapp/tests/explorer.test.mjs

test-dapp-others: setup $(STAMPS)/chromium dapp/dist/index.html
	node --test $(filter-out dapp/tests/explorer.test.mjs,$(wildcard dapp/tests/*.test.mjs))

test-types: setup
	$(VENV)/bin/mypy opencommons

test-python: setup $(STAMPS)/postgresql
	$(PYTEST_PY) -n 2 --durations=25 tests/python

demo: setup
	$(VENV)/bin/commons demo

# long stateful runs: about 13-18 steps per example, so 600 examples = ~10,000 steps per machine
fuzz: setup
	OPENCOMMONS_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-600} OPENCOMMONS_FUZZ_STEPS=$${FUZZ_STEPS:-25} \
	  brownie test tests/contracts/test_royalty_stateful.py tests/contracts/test_dataset_stateful.py \
	    tests/contracts/test_generations_stateful.py -s

# 10,000 payments and 1,000 claims across 100 datasets, checked to the wei
load: setup
	$(VENV)/bin/python benchmarks/load.py

bench: setup $(STAMPS)/postgresql $(STAMPS)/chromium dapp/dist/index.html
	$(VENV)/bin/python benchmarks/gas.py --json
	$(VENV)/bin/python benchmarks/ipfs.py --json
	$(VENV)/bin/python benchmarks/publish.py --json
	$(VENV)/bin/python benchmarks/cli_help.py --json
	$(VENV)/bin/python benchmarks/index.py --json
	$(VENV)/bin/python benchmarks/dapp_routes.py --json
	$(VENV)/bin/python benchmarks/get.py --kubo --json
	$(VENV)/bin/python benchmarks/quality.py --json
	$(VENV)/bin/python benchmarks/private.py --json
	node benchmarks/dapp_pages.mjs --json

clean:
	rm -rf build reports .hypothesis $(STAMPS)

# the Python API reference, generated from the docstrings (pdoc): docs/api/index.html
docs: setup
	$(VENV)/bin/python tools/api_docs.py docs/api
