# syntax=docker/dockerfile:1
# partnercenter: one image for every role of the full stack (docker-compose.yml).
#   default command: gunicorn on :8000
#   worker:          celery -A partnercenter worker
#   beat:            celery -A partnercenter beat        (exactly one)
#   one-shot:        sh deploy/migrate.sh | python manage.py demo_data | createsuperuser
#                    (migrate.sh: with MIGRATE_DATABASE_URL and DATABASE_ADMIN_URL set, it creates the
#                    owner and app roles, migrates as the owner and grants the app role; web,
#                    worker and beat then connect as the app role in DATABASE_URL —
#                    docs/database-roles.md)
# Production settings. No secret is baked in: they come from the environment, or are generated
# once into /app/var/secrets by deploy/docker-entrypoint.sh (see there).

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: dependencies from uv.lock, compiled translations, collected static files ----------
FROM ${PYTHON_IMAGE} AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# gettext: msgfmt for compilemessages (build stage only; the .mo files are copied, not the tool).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
# Dependencies first: this layer is reused until pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev --no-editable
ENV PATH="/app/.venv/bin:$PATH"

# Settings need these to import; nothing here opens a database or broker connection and the
# dummy key never leaves this stage (the runtime image is built from a clean base).
RUN DJANGO_SETTINGS_MODULE=partnercenter.settings.production \
    DJANGO_SECRET_KEY=build-only-dummy-secret-key \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    sh -c 'python manage.py compilemessages --ignore=.venv -v 0 \
        && python manage.py collectstatic --noinput -v 0' \
 && rm -f /tmp/build.sqlite3 \
 && chmod 0755 deploy/docker-entrypoint.sh deploy/migrate.sh

# --- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=partnercenter.settings.production \
    WEB_CONCURRENCY=3

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app
# Code, virtual environment and static files stay root-owned (read-only for the app user).
COPY --from=build /app /app
# Writable by the app: var/ (celery beat schedule) and var/secrets (generated secrets, a volume
# in docker-compose.yml). /app/.env -> the generated secrets: settings/base.py reads .env with
# the environment taking precedence, so `docker compose exec` and healthchecks see them too.
RUN mkdir -p /app/var/secrets \
 && chown app:app /app/var /app/var/secrets \
 && chmod 0700 /app/var/secrets \
 && ln -s var/secrets/secrets.env /app/.env

USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
# Workers: $WEB_CONCURRENCY (gunicorn reads it). The control socket would live in $HOME (/app,
# read-only) and is not needed. Behind a reverse proxy on another host/container, set
# FORWARDED_ALLOW_IPS to its address so X-Forwarded-* headers are trusted. No access log: raw paths
# carry invitation tokens; deploy/gunicorn.conf.py redacts gunicorn's own lines and our request
# line (route, status, duration) replaces the access log.
CMD ["gunicorn", "partnercenter.wsgi:application", "-c", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--no-control-socket"]
