# Two commands for a newcomer: `make run` starts everything locally, `make test` runs every check.
# Each creates .venv and installs what is missing by itself. `make test-fast` is the developer's loop:
# lint, unit and integration tests in parallel, without the CDK synth (tests/infra) and the workflows.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-fast token lint unit bench demo clean-state layer

$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade 'pip<26.3'  # chalice packages with pip and caps it
	@$(PY) -m pip install --quiet --editable '.[dev]'
	@touch $(INSTALLED)

run: $(INSTALLED)
	@$(PY) -m infra.local

# pytest-xdist workers: one per core by default. Tests are safe side by side (moto in process per
# worker, free ports and temporary folders for the real local stack); the CDK synth tests share one
# worker (--dist loadgroup) so the stack is synthesised once.
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist loadgroup

test: $(INSTALLED) lint
	@$(VENV)/bin/pytest $(XDIST)

test-fast: $(INSTALLED) lint
	@$(VENV)/bin/pytest $(XDIST) tests/unit tests/integration

lint: $(INSTALLED)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy

token: $(INSTALLED)
	@$(PY) -m infra.local.token $(ROLE) $(ORG)

demo: $(INSTALLED)
	@$(PY) -m infra.local.demo $(STORY)

bench: $(INSTALLED)
	@$(PY) -m bench

layer: $(INSTALLED)  # the AWS dependency layer (layers/python), before `cdk deploy`
	@$(PY) layers/build.py

clean-state:
	rm -rf .local

report-rebuild: $(INSTALLED)  # FROM=YYYY-MM-DD TO=YYYY-MM-DD [UNIT=320900]: against the running local stack
	@$(PY) -m infra.local.report_rebuild $(FROM) $(TO) $(if $(UNIT),--unit $(UNIT))
.PHONY: report-rebuild
