# Two commands for a newcomer: `make run` starts everything locally, `make test` runs every check.
# Each creates .venv and installs what is missing by itself. `make test-fast` is the developer's loop:
# lint, unit and integration tests in parallel, without the CDK synth (tests/infra) and the workflows.
SHELL := /bin/bash
# Python 3.12, as on Lambda (ADR 0033): python3.12 on PATH (one that runs: a pyenv shim of a version
# not selected does not), else pyenv's versions folder; otherwise python3, with a warning.
PYTHON ?= $(or $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null),$(lastword $(sort $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python3.12))))
ifeq ($(strip $(PYTHON)),)
PYTHON := $(shell command -v python3)
$(warning *** python3.12 not found on PATH nor in ~/.pyenv/versions: falling back to $(PYTHON) ($(shell $(PYTHON) --version 2>&1)). Lambda runs 3.12 and the lock files are resolved for 3.12: install python3.12. ***)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-fast token lint unit bench demo clean-state layer vendor report report-rebuild lock synth deploy

# Installs exactly the lock (hashes checked), then the project itself without its dependencies; again
# whenever a lock changes. A venv of another Python than $(PYTHON) (say an old 3.11 one) is rebuilt.
$(INSTALLED): pyproject.toml requirements.lock requirements-dev.lock
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')".split("."))))' 2>/dev/null \
		|| { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install --quiet --upgrade 'pip<26.3'  # chalice packages with pip and caps it
	@$(PY) -m pip install --quiet --require-hashes --requirement requirements-dev.lock
	@$(PY) -m pip install --quiet --no-deps --editable .
	@touch $(INSTALLED)

# The lock files (ADR 0033), resolved for Python 3.12 on Linux: after changing a dependency in
# pyproject.toml, run `make lock` and commit both files. The runtime lock (what the layer installs)
# first; the development lock is constrained by it, so the tests run the versions deployed.
PIP_COMPILE := $(PY) -m piptools compile --quiet --strip-extras --allow-unsafe --generate-hashes --no-emit-index-url --no-emit-find-links
lock: $(PY)
	@$(PY) -m pip install --quiet 'pip-tools>=7.4,<8'
	@$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	@$(PIP_COMPILE) --extra dev --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml

$(PY):
	@$(PYTHON) -m venv $(VENV)

run: $(INSTALLED)
	@$(PY) -m infra.local

# pytest-xdist workers: one per core by default. Tests are safe side by side (moto in process per
# worker, free ports and temporary folders for the real local stack); a test file stays on one
# worker (--dist loadfile: each worker synthesises the CDK stack at most once). The browser tests
# run after them, alone: one local stack and one Chromium at a time, not beside a busy suite.
# (xdist's loadgroup would have grouped them, but it does not with pytest 9: its group suffix is
# set on a node attribute pytest 9 no longer reads, so the groups were silently ignored.)
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist loadfile

test: $(INSTALLED) lint
	@$(VENV)/bin/pytest $(XDIST) --ignore=tests/browser
	@$(VENV)/bin/pytest -p no:xdist tests/browser

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

layer: $(INSTALLED)  # the AWS dependency layer (layers/python) from requirements.lock, before `cdk deploy`
	@$(PY) layers/build.py

# Rebuilt when the runtime lock changes (the build swaps the new layer in only once complete).
layers/python: requirements.lock
	@$(MAKE) --no-print-directory layer

# Deploying (README "Deploy to AWS"). `make synth`: the CloudFormation template into cdk.out/, offline
# (no AWS account; the layer's build needs the package index). `make deploy`: the CDK CLI (npx) with
# the account and region of the AWS CLI profile in use, after `cdk bootstrap` once per account/region.
STAGE ?= dev
CDK ?= npx --yes aws-cdk@2
CDK_APP := --app "$(abspath $(PY)) -m infra.cdk.app" --context stage=$(STAGE)
# Optional parameters: alarm e-mail / HTTPS endpoint, the edge's domain and certificate (empty: not passed).
DEPLOY_PARAMETERS = --parameters PublicBaseUrl=$(PUBLIC_BASE_URL) --parameters WechatToken=$(WECHAT_TOKEN) \
	--parameters WechatAppId=$(WECHAT_APP_ID) --parameters WechatEncodingAesKey=$(WECHAT_ENCODING_AES_KEY) \
	$(if $(ALARM_EMAIL),--parameters AlarmEmail=$(ALARM_EMAIL)) \
	$(if $(ALARM_HTTPS_ENDPOINT),--parameters AlarmHttpsEndpoint=$(ALARM_HTTPS_ENDPOINT)) \
	$(if $(DOMAIN_NAME),--parameters DomainName=$(DOMAIN_NAME)) \
	$(if $(CERTIFICATE_ARN),--parameters CertificateArn=$(CERTIFICATE_ARN))
# WeChat's domain verification code (outside China), and REGION: `-c region=` pins the stack to
# that region and its partition (ADR 0031; a China region's stack has no CloudFront or Cognito).
DEPLOY_PARAMETERS += $(if $(WECHAT_VERIFICATION_CODE),--parameters WechatVerificationCode=$(WECHAT_VERIFICATION_CODE)) \
	$(if $(REGION),--context region=$(REGION))

synth: $(INSTALLED) layers/python
	@$(PY) -m infra.cdk.app
	@echo "cdk.out/Yunchetong-$(STAGE).template.json"

deploy: $(INSTALLED) layers/python
	$(foreach v,PUBLIC_BASE_URL WECHAT_TOKEN WECHAT_APP_ID WECHAT_ENCODING_AES_KEY,$(if $($(v)),,$(error make deploy: set $(v) (README, Deploy to AWS))))
	$(CDK) deploy $(CDK_APP) --context publishTag=$(shell date -u +%Y%m%dT%H%M%SZ) --require-approval broadening --outputs-file cdk.out/outputs-$(STAGE).json $(DEPLOY_PARAMETERS)

clean-state:
	rm -rf .local

vendor: $(INSTALLED)  # the pages' npm libraries, locked in web/package-lock.json, copied into web/vendor/ (ADR 0030)
	@$(PY) -m infra.web_vendor

# Run the daily (DATE=YYYY-MM-DD) or monthly (MONTH=YYYY-MM) report now against the running local stack.
report: $(INSTALLED)
	@$(PY) -m infra.local.report $(if $(DATE),--date $(DATE)) $(if $(MONTH),--month $(MONTH))

report-rebuild: $(INSTALLED)  # FROM=YYYY-MM-DD TO=YYYY-MM-DD [UNIT=320900]: against the running local stack
	@$(PY) -m infra.local.report_rebuild $(FROM) $(TO) $(if $(UNIT),--unit $(UNIT))
