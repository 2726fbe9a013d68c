# Critical Friend. `make help` lists the targets.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv

.PHONY: help install test lint

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --all-packages --frozen 2>/dev/null || $(UV) sync --all-packages
	@touch $@

install: $(VENV)/.installed ## install uv (if needed) and every package into .venv

test: install ## the whole suite (SQLite, and PostgreSQL where reachable)
	$(VENV)/bin/pytest

lint: install ## ruff, mypy and the import contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy libs/common/src libs/contracts/src services/scheduling/src services/reviews/src services/knowledge/src
	$(VENV)/bin/lint-imports
