# The verbs people type. `make run` and `make test` each install what they need first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Under Debian's faketime (the suite's moved-clock runs) only the wall clock moves: with the
# monotonic clock faked too, Python's timed waits (threads, queues, conditions) never return.
# libfaketime's "monotonic fix" of pthread_cond_timedwait makes every threaded Python process
# (moto, the local cloud) about four times slower, so it is off too.
export FAKETIME_DONT_FAKE_MONOTONIC := 1
export FAKETIME_FORCE_MONOTONIC_FIX := 0

.PHONY: run test test-any-day unit integration lint typecheck fmt bench deps clean console

$(STAMP): pyproject.toml layers/nguon/requirements.txt infra/bootstrap/venv.sh infra/bootstrap/faketime_sleep.py
	@infra/bootstrap/venv.sh
	@touch $@

deps: $(STAMP)
	@infra/bootstrap/system-packages.sh

## The web console (console/, issue 13): `npm ci` when package-lock.json changed (its stamp
## lives in console/node_modules, so a fresh checkout installs), `npm run build` into
## console/dist when a source changed (dist/index.html is the stamp: Vite rewrites it on
## every build, and a deleted dist builds again). Without console/package.json: nothing to do.
NPM ?= npm
CONSOLE_INPUTS := $(shell find console/src console/public -type f 2>/dev/null) \
  $(wildcard console/index.html console/package.json console/package-lock.json \
    console/vite.config.* console/tsconfig*.json)
CONSOLE_INSTALLED := console/node_modules/.nguon-npm-ci

$(CONSOLE_INSTALLED): console/package-lock.json
	@cd console && $(NPM) ci --no-audit --no-fund
	@mkdir -p $(@D) && touch $@

console/dist/index.html: $(CONSOLE_INPUTS) $(CONSOLE_INSTALLED)
	@cd console && $(NPM) run build
	@touch $@

console:
ifneq ($(wildcard console/package.json),)
	@infra/bootstrap/system-packages.sh
	@$(MAKE) --no-print-directory console/dist/index.html
else
	@echo "Không có console/package.json: bỏ qua / no console/package.json: skipped"
endif

## The whole system on the local cloud, seeded with Bình Định, until Ctrl-C.
run: deps console
	@$(PY) -m infra.localcloud

## The whole test suite (unit, integration through the local cloud, e2e).
## Two runs: unit tests use moto's in-process mocks, which must not share a process with a
## running local cloud (its functions read the same environment, from other threads).
## The browser tests need the console built and a Chromium (Debian's, where missing).
test: deps console
	@infra/bootstrap/system-packages.sh chromium
	@$(PY) -m pytest -n 2 --dist loadfile tests/unit
	@$(PY) -m pytest -n 2 --dist loadfile tests/integration tests/e2e

## The unit suite with the clock moved 400 days and 1,900 days ahead (Debian's faketime): proof
## that no test names a day that can pass. The whole suite passes the same way:
## `faketime -f '+400d' make test`.
test-any-day: deps
	@for shift in +400d +1900d; do \
	  echo "clock moved $$shift"; \
	  faketime -f "$$shift" $(PY) -m pytest -q -n 2 --dist loadfile tests/unit || exit 1; \
	done

unit: deps
	@$(PY) -m pytest tests/unit

integration: deps
	@$(PY) -m pytest tests/integration tests/e2e

lint: $(STAMP)
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(MAKE) --no-print-directory typecheck

## mypy (settings in pyproject.toml): the layer, the device SDK and infra in one run, then each
## Lambda function from its own directory, as Lambda imports it (every function has its own
## `app`). What a function imports from the layer was checked by the first run: silent there.
## Every run reports, then the target fails if any found an error.
typecheck: $(STAMP)
	@status=0; \
	$(PY) -m mypy --cache-dir .mypy_cache/shared layers/nguon/nguon device_sdk/nguon_device infra \
	  || status=1; \
	for fn in functions/*/; do \
	  MYPYPATH=$$fn $(PY) -m mypy --cache-dir .mypy_cache/$$(basename $$fn) \
	    --no-warn-unused-configs --follow-imports=silent $$fn || status=1; \
	done; \
	exit $$status

fmt: $(STAMP)
	@$(PY) -m ruff format .
	@$(PY) -m ruff check --fix .

## Benchmarks (cold start, start-up time); figures go to the README by hand.
bench: deps
	@$(PY) -m tests.bench

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache .mypy_cache
