# partnercenter — the two commands first: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, or bootstrapped into .tools/ with nothing but Python.
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen
PORT ?= 8000
FULL_PORT ?= 8001

.PHONY: help
help:
	@echo "make run        embedded default: SQLite, Celery worker + beat on a filesystem broker, local mailbox"
	@echo "make soak       the embedded default for SOAK_MINUTES (30) under scripted users, then a report"
	@echo "make test       the whole test suite (PostgreSQL/Redis when reachable)"
	@echo "make run-full   gunicorn + Celery worker + beat on local PostgreSQL and Redis, SMTP sink"
	@echo "make lint       ruff"
	@echo "make layers     import-linter: the layering contracts in pyproject.toml (also run by make test)"
	@echo "make typecheck  mypy (django-stubs, djangorestframework-stubs) over the apps and the project package"
	@echo "make bench-tenants  big tenants: an indirect provider's pages at 1,000 vs 100,000 customers"
	@echo "make bench-audit  audit log: activity page + CSV export at 10 thousand vs 10 million events"
	@echo "make bench      benchmarks: reference rungs R0-R5, P1-P8, the 10,000-row bulk batch (S1), big tenants (S2) and the audit log at 10 million events (S3)"
	@echo "make lighthouse Lighthouse (mobile) on sign-in, Customers, Invitations, acceptance, admin center vs the targets"
	@echo "make drills     fault drills: Redis, worker, SMTP and PostgreSQL faults while invitations are created"
	@echo "make drills-rabbitmq  the broker-independent fault drills on RabbitMQ (DRILL_BROKER=amqp://...)"

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.PHONY: sync
sync: $(UV)
	$(UV) sync --frozen

.PHONY: run
run: sync
	@mkdir -p var
	@rm -rf var/broker   # stale broker messages and pidbox files (queued emails are re-sent by the outbox sweep)
	$(RUN) python manage.py migrate --noinput
	@SITE_BASE_URL=http://127.0.0.1:$(PORT) $(RUN) python manage.py demo_data
	SITE_BASE_URL=http://127.0.0.1:$(PORT) PORT=$(PORT) $(RUN) python deploy/supervise.py -f Procfile.embedded

# The embedded default under deploy/supervise.py for SOAK_MINUTES, driven over HTTP, then a report
# (var/soak/report.json). Not part of `make test`. Its own var folder (var/soak/) and port.
SOAK_MINUTES ?= 30
SOAK_PORT ?= $(if $(filter command line environment,$(origin PORT)),$(PORT),7600)
.PHONY: soak
soak: sync
	SOAK_MINUTES=$(SOAK_MINUTES) PORT=$(SOAK_PORT) $(RUN) python deploy/soak.py

# The W3C Nu HTML checker (vnu.jar from npm, pinned in tools/vnu) for the every-page browser sweep; it runs
# on Java. Without npm the sweep's Nu part is skipped (a failure under REQUIRE_SERVICES=1, as on CI).
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
.PHONY: nu-checker
nu-checker:
	@if [ ! -f $(VNU_JAR) ] || [ tools/vnu/package-lock.json -nt tools/vnu/node_modules/.package-lock.json ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --prefix tools/vnu --ignore-scripts --no-audit --no-fund --loglevel=error; \
	  else echo "npm not found: the Nu HTML checker is not installed (tests/browser/test_every_page.py skips it)" >&2; fi; \
	fi

# Where PYTHONDONTWRITEBYTECODE is set (some CI images and containers set it), no process of the run writes
# bytecode: the xdist controller and both workers, the drills' pytest and each Celery worker it starts, and every
# Python subprocess of tests/ops would each compile every module they import from source again (about 13 s of CPU
# per process on this project's dependencies). `make test` lets them write it (into __pycache__/, git-ignored).
.PHONY: test
test: export PYTHONDONTWRITEBYTECODE :=
test: sync nu-checker
	$(RUN) ruff check .
	$(RUN) lint-imports --no-cache
	$(MAKE) --no-print-directory typecheck
	$(RUN) pytest -n 2 --dist loadgroup -m "not drill"
	# The fault drills bind fixed ports and start their own services: one at a time, after the rest.
	$(RUN) pytest -n 0 -p no:randomly -m drill tests/drills

# Lighthouse (mobile) on five key pages of the embedded default, against issue 22's bar (tools/lighthouse/run.py).
# Not part of make test. LIGHTHOUSE_PORT (7650) for the app it starts; CHROME_PATH (/usr/bin/chromium).
LIGHTHOUSE_PORT ?= 7650
.PHONY: lighthouse
lighthouse: sync
	@[ -f tools/lighthouse/node_modules/.bin/lighthouse ] && [ tools/lighthouse/node_modules/.package-lock.json -nt tools/lighthouse/package-lock.json ] \
	  || npm ci --prefix tools/lighthouse --ignore-scripts --no-audit --no-fund --loglevel=error
	LIGHTHOUSE_PORT=$(LIGHTHOUSE_PORT) $(RUN) python tools/lighthouse/run.py

.PHONY: lint
lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .

# The domain and its interfaces, typed: 0 errors, every `# type: ignore` names its code and is needed
# (pyproject.toml [tool.mypy]; the django-stubs plugin imports partnercenter.settings.test).
TYPED_PACKAGES := accounts audit customers directory invitation_batches invitations notifications partners ratelimits \
	relationships servicerequests subscriptions workflows console admincenter staff api graphcompat partnercenter
.PHONY: layers
layers: sync
	$(RUN) lint-imports --no-cache

.PHONY: typecheck
typecheck: sync
	$(RUN) mypy $(TYPED_PACKAGES)

# Full stack without Docker, on this machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
# Two PostgreSQL roles (docs/database-roles.md): migrations as the owner role, processes as the app role.
# FULL_LOCAL_ENV (optional) is read last: other names or ports for a second stack on the same machine.
FULL_LOCAL_ENV ?= var/full-local.env
FULL_ENV = set -a; [ -f var/full-secrets.env ] && source var/full-secrets.env; source deploy/full.env; [ -f $(FULL_LOCAL_ENV) ] && source $(FULL_LOCAL_ENV); set +a;
.PHONY: run-full
run-full: sync
	@mkdir -p var
	@[ -s var/full-secrets.env ] || (umask 077; $(RUN) python -c "import secrets; print(f'DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\nTOKEN_PEPPER={secrets.token_urlsafe(32)}\nOUTBOX_SEALING_KEY={secrets.token_urlsafe(32)}')" > var/full-secrets.env)
	@grep -q '^DATABASE_APP_PASSWORD=' var/full-secrets.env || (umask 077; $(RUN) python -c "import secrets; print(f'DATABASE_OWNER_PASSWORD={secrets.token_urlsafe(24)}\nDATABASE_APP_PASSWORD={secrets.token_urlsafe(24)}')" >> var/full-secrets.env)
	@rm -rf var/prometheus && mkdir -p var/prometheus   # multiprocess metrics start empty
	$(FULL_ENV) $(RUN) python deploy/check_broker.py
	$(FULL_ENV) $(RUN) sh deploy/migrate.sh   # roles and database, migrate as the owner, grants to the app role
	$(FULL_ENV) $(RUN) python manage.py collectstatic --noinput -v 0
	$(FULL_ENV) SITE_BASE_URL=http://127.0.0.1:$(FULL_PORT) $(RUN) python manage.py demo_data
	$(FULL_ENV) SITE_BASE_URL=http://127.0.0.1:$(FULL_PORT) PORT=$(FULL_PORT) $(RUN) python deploy/supervise.py -f Procfile.full

# Audit log at 10 million events (PostgreSQL on 127.0.0.1:5432; drops and recreates pc_auditbench).
AUDITBENCH_URL ?= postgres://postgres@127.0.0.1:5432/pc_auditbench
.PHONY: bench-audit
bench-audit: sync
	DATABASE_URL=$(AUDITBENCH_URL) $(RUN) python bench/audit_scale.py

# Two gunicorn processes behind a round-robin proxy and two Celery workers on PostgreSQL (pc_scalecheck)
# and a redis-server of its own (ports 7400-7499): 500 invitations through the API, every email exactly
# once, accept races, one /metrics scrape over all processes. BROKER=amqp://... runs it on RabbitMQ.
.PHONY: scale-check
scale-check: sync
	$(RUN) python deploy/scale_check.py $(if $(BROKER),--broker $(BROKER))

# Benchmarks (issue 9): production settings + bench URLs, gunicorn, the database pc_bench (dropped and
# seeded), a redis-server of its own on :7510, wrk as the load generator (installed when missing).
# Then S2 (bench/tenants_scale.py, database pc_scale_bench_tenants) and S3 (bench/audit_scale.py, pc_scale_bench_audit)
# at full size: 100,000 customers and 10 million events (BENCH_ARGS="--skip-scale", "--only S2,S3",
# "--tenants-customers 20000", "--audit-events 1000000").
# Results: a table in the terminal and bench/results/latest.json. Options: make bench BENCH_ARGS="--reps 5".
BENCH_ARGS ?=
.PHONY: bench
bench: sync
	@command -v wrk >/dev/null 2>&1 || (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	@command -v redis-server >/dev/null 2>&1 || (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)
	$(RUN) python -m bench.run $(BENCH_ARGS)

# Fault drills (issue 9): also part of `make test`; here alone, in one process (fixed ports 7540/7545).
.PHONY: drills
drills: sync
	$(RUN) pytest -p no:randomly -n 0 -m drill tests/drills

# The broker-independent fault drills (worker kills, SMTP 4xx/5xx, PostgreSQL drop, graceful restart) on
# RabbitMQ, each on a queue of its own (deleted afterwards); the Redis fault drills are skipped.
DRILL_BROKER ?= amqp://guest:guest@127.0.0.1:5672//
.PHONY: drills-rabbitmq
drills-rabbitmq: sync
	DRILL_BROKER=$(DRILL_BROKER) $(RUN) pytest -p no:randomly -n 0 -m drill tests/drills -v -s --durations=0

# Big tenants (issue 25): an indirect provider with 1,000 vs 100,000 customers (drops and recreates
# pc_scale_bench_tenants): query counts and page times. Options: make bench-tenants TENANTS_ARGS="--rounds 25".
TENANTSBENCH_URL ?= postgres://postgres@127.0.0.1:5432/pc_scale_bench_tenants
.PHONY: bench-tenants
bench-tenants: sync
	DATABASE_URL=$(TENANTSBENCH_URL) $(RUN) python bench/tenants_scale.py $(TENANTS_ARGS)
