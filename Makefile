# Two commands set everything up on a fresh machine with Python 3.11+:
#   make run   -- create .venv, install, start the server on the embedded database
#   make test  -- create .venv, install, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Serving installs what serving needs; the test tooling (pytest, playwright, langmem...) only
# comes with `make test`.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

# Offline machines ship the embedding model next to the checkout; elsewhere fastembed
# downloads it by name. An explicit EMBEDDING_MODEL_PATH always wins.
SHARED_MODEL := $(wildcard ../shared/models/all-MiniLM-L6-v2)
ifneq ($(SHARED_MODEL),)
export EMBEDDING_MODEL_PATH ?= $(abspath $(SHARED_MODEL))
endif

.PHONY: run cli test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/memory-service serve

# The command line, e.g. make cli ARGS="keys list"; it is .venv/bin/memory-service.
cli: $(RUN_STAMP)
	$(BIN)/memory-service $(ARGS)

# Two workers (three once failed tests/outage/test_slow_clients.py in CI, its server gone
# mid-file; live servers now take ports from a block per worker, and since then three took
# 520 s against 528-544 with two: too little to switch), one test file each at a time
# (module fixtures stay in one process), the
# longest files first; the slowest tests and files are listed at the end
# (tests/file_durations.py), to keep the suite's time in view. Bytecode is cached even
# where the environment turns that off: every process (the two workers, each server a
# test starts) would compile the app and pytest rewrite its plugins again, 2-3 s of CPU each.
test: $(DEV_STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=15

# ruff; mypy on app/ ([tool.mypy]); the layers of docs/architecture.md (.importlinter)
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Benchmarks: prepares its own data, writes bench/RESULTS.md and PNG plots.
bench: $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.replicas   # 1, 2, 3 servers on one database (docs/scaling.md)
	$(BIN)/python -m bench.read_replica   # search p50 on the primary vs a streaming replica

clean:
	rm -rf $(VENV) .pytest_cache
