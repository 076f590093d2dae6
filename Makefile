# Atención virtual — `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install train model migrate run cluster test test-fast browser services nginx shell validate lint bench lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock
	@PY310=$$(scripts/find_python310.sh) && \
	  if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PY310"; $$PY310 -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip==24.2"
	$(PY) -m pip install --quiet --requirement requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv with the pinned packages (Python 3.10)

model: install ## train the model if data/, config.yml or domain.yml changed
	$(PY) -m bot train --if-stale

train: install ## train the model now (log in var/log/train.log)
	$(PY) -m bot train

migrate: install ## create or upgrade the case store
	$(PY) -m bot migrate

run: model migrate ## start everything; without TELEGRAM_TOKEN, a console chat
	exec $(PY) -m bot run

# Without DATABASE_URL / LOCK_STORE_URL (environment or .env), the private PostgreSQL and Redis of
# scripts/postgres.sh and scripts/redis.sh; `bot cluster` migrates the store it runs on.
cluster: model nginx ## 2 Rasa + 2 action servers behind nginx, on PostgreSQL and Redis (docs/scaling.md)
	exec $(PY) -m bot cluster --local-services $(CLUSTER_ARGS)

# Two processes, whole files each: most slow tests wait on servers, rate limits and leases.
test: model browser services ## the whole test suite, slow and browser tests included
	$(PY) -m pytest -n 2 --dist loadfile

browser: ## Debian's Chromium for the console's browser tests
	@scripts/install_chromium.sh

services: nginx ## the tests' private PostgreSQL and Redis (installed if missing, started if stopped), nginx
	@scripts/postgres.sh >/dev/null
	@scripts/redis.sh >/dev/null

nginx: ## Debian's nginx, the load balancer of make cluster (installed if missing; never started as a service)
	@scripts/nginx.sh

test-fast: install ## the tests that need no trained model
	$(PY) -m pytest -m "not slow"

shell: model migrate ## Rasa's debug shell (shows every prediction), with the action server
	exec $(PY) -m bot shell

validate: install ## check the training data and the domain
	$(PY) -m rasa data validate

lint: install ## ruff (check and format), and the layers of pyproject.toml (import-linter)
	$(VENV)/bin/ruff check bot actions tests benchmarks
	$(VENV)/bin/ruff format --check bot actions tests benchmarks
	$(VENV)/bin/lint-imports

bench: model migrate ## benchmarks (results in benchmarks/results.md; py-spy for the CPU profile)
	$(VENV)/bin/pip install --quiet py-spy==0.4.3
	$(PY) -m benchmarks.run

lock: ## re-pin requirements.lock from requirements.in in a scratch venv
	rm -rf .lock-venv && $$(scripts/find_python310.sh) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet "pip==24.2" && .lock-venv/bin/pip install --quiet -r requirements.in
	.lock-venv/bin/pip freeze --exclude-editable > requirements.lock && rm -rf .lock-venv

clean: ## remove the venv, models, databases and logs (the tests' servers stopped first)
	@scripts/postgres.sh stop; scripts/redis.sh stop
	rm -rf $(VENV) models var .rasa .pytest_cache
