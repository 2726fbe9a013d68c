# Critical Friend. `make help` lists the targets; every target carries a `## description`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# The build never downloads a Python interpreter: it uses the system python3 (3.11 or later).
export UV_PYTHON_DOWNLOADS := never

PYTHON3 ?= python3
VENV := .venv
TOOLS := .tools
# uv from PATH, else the copy bootstrapped into .tools/ (see the .tools/bin/uv rule below).
UV ?= $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
PYTEST := $(VENV)/bin/pytest
PARALLEL := -n auto --dist loadfile
SCOPE ?= directory:read directory:write schedule:read schedule:write reviews:read reviews:write knowledge:read
TOKEN_ARGS ?=
# e.g. DEMO_ARGS="--seed 3" or "--partnerships 4 --schools 0" (cf-demo --help)
DEMO_ARGS ?=
# JSON (valid YAML): contracts keeps to the standard library.
ASYNCAPI_DOC := docs/asyncapi.json
MYPY_PATHS := libs/common/src libs/contracts/src libs/readmodel/src services/scheduling/src services/reviews/src services/knowledge/src libs/demo/src examples

.PHONY: help install run migrate token asyncapi openapi bench demo test test-serial test-postgres lint fmt \
	clean distclean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# Bootstrap uv on a machine that has only python3 and make: a private venv under .tools/, or,
# where `python3 -m venv` is unavailable (no ensurepip), `pip install --target .tools/pylib`.
$(TOOLS)/bin/uv:
	@echo "uv not found on PATH: bootstrapping it into $(TOOLS)/"
	@rm -rf $(TOOLS)
	@if $(PYTHON3) -m venv $(TOOLS) >/dev/null 2>&1 && $(TOOLS)/bin/python -m pip --version >/dev/null 2>&1; then \
		$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv; \
	else \
		echo "python3 -m venv is unavailable: installing uv with pip --target $(TOOLS)/pylib"; \
		rm -rf $(TOOLS) && \
		$(PYTHON3) -m pip install --quiet --disable-pip-version-check --target $(TOOLS)/pylib uv && \
		mkdir -p $(TOOLS)/bin && \
		printf '%s\n' '#!/bin/sh' \
			'here="$$(cd "$$(dirname "$$0")/.." && pwd)"' \
			'[ -x "$$here/pylib/bin/uv" ] && exec "$$here/pylib/bin/uv" "$$@"' \
			'PYTHONPATH="$$here/pylib$${PYTHONPATH:+:$$PYTHONPATH}" exec $(PYTHON3) -m uv "$$@"' \
			> $(TOOLS)/bin/uv && \
		chmod +x $(TOOLS)/bin/uv; \
	fi
	@$(TOOLS)/bin/uv --version

# Exactly the lockfile when it matches the pyproject files; otherwise re-lock and sync.
$(VENV)/.installed: pyproject.toml uv.lock libs/*/pyproject.toml services/*/pyproject.toml | $(if $(findstring $(TOOLS)/,$(UV)),$(TOOLS)/bin/uv)
	@$(UV) sync --all-packages --locked || { echo "uv.lock is out of date: re-locking"; $(UV) sync --all-packages; }
	@touch $@

install: $(VENV)/.installed ## install uv (if needed) and every package into .venv

run: install ## NATS (unless NATS_URL answers), migrations, dev key, the three services on :8001-8003
	@$(VENV)/bin/python deploy/devrun.py

migrate: install ## migrate every service database (.data/*.db, or the *_DATABASE_URLs)
	@$(VENV)/bin/python deploy/devrun.py --migrate-only

token: install ## print a dev bearer token: make -s token SCOPE="reviews:read" TOKEN_ARGS="--la 881"
	@$(VENV)/bin/cf keygen >&2
	@$(VENV)/bin/cf token --scope "$(SCOPE)" $(TOKEN_ARGS)

asyncapi: install ## regenerate the AsyncAPI 3 document of the events (docs/asyncapi.json)
	$(VENV)/bin/python -m contracts.asyncapi --write $(ASYNCAPI_DOC)

openapi: install ## regenerate the OpenAPI documents of the services (docs/openapi/*.json)
	$(VENV)/bin/python deploy/openapi_docs.py

bench: install ## run the benchmarks under bench/
	@if [ -f bench/__main__.py ]; then $(VENV)/bin/python -m bench; else echo "no benchmarks yet (bench/__main__.py is missing)"; fi

demo: install ## load the demo county (Essex: 36 partnerships, ~400 schools) into `make run`; safe to repeat
	@$(VENV)/bin/cf-demo $(DEMO_ARGS)

test: install ## the whole suite in parallel (SQLite, and PostgreSQL where reachable)
	$(PYTEST) $(PARALLEL)

test-serial: install ## the whole suite in one process (easier to read and debug)
	$(PYTEST) -n 0

test-postgres: install ## the whole suite; PostgreSQL must be reachable (CF_REQUIRE_POSTGRES=1)
	CF_REQUIRE_POSTGRES=1 $(PYTEST) $(PARALLEL)

lint: install ## ruff check, ruff format --check, mypy --strict and the import contracts
	$(VENV)/bin/ruff check --extend-exclude $(TOOLS) .
	$(VENV)/bin/ruff format --check --extend-exclude $(TOOLS) .
	$(VENV)/bin/mypy $(MYPY_PATHS)
	MYPYPATH=deploy $(VENV)/bin/mypy deploy/devrun.py deploy/dev_nats.py deploy/openapi_docs.py
	$(VENV)/bin/lint-imports

fmt: install ## format the code and apply ruff's safe fixes
	$(VENV)/bin/ruff format --extend-exclude $(TOOLS) .
	$(VENV)/bin/ruff check --fix --extend-exclude $(TOOLS) .

clean: ## remove the local data (.data: SQLite files, NATS store, dev signing key)
	rm -rf .data

distclean: clean ## also remove .venv and the bootstrapped uv in .tools
	rm -rf $(VENV) $(TOOLS)
