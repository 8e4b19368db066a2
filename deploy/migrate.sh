#!/bin/sh
# Schema migrations, run before the app serves (make run-full, the compose `migrate` one-shot).
#
# Two roles (MIGRATE_DATABASE_URL set, docs/database-roles.md): deploy/ensure_database.py creates or
# corrects the owner and app roles and the database with the administrator connection
# (DATABASE_ADMIN_URL), `migrate` runs as the owner role, and ensure_database.py runs again to grant
# the app role (DATABASE_URL) what the migrations created. One role: create the database if
# missing, then migrate as DATABASE_URL.
set -eu

python deploy/ensure_database.py
if [ -n "${MIGRATE_DATABASE_URL:-}" ]; then
    DATABASE_URL="$MIGRATE_DATABASE_URL" python manage.py migrate --noinput
    python deploy/ensure_database.py
else
    python manage.py migrate --noinput
fi
