"""Prepare the PostgreSQL database of DATABASE_URL; with MIGRATE_DATABASE_URL, its two roles too.

One role (DATABASE_URL only): create the database if it does not exist yet.

Two roles (MIGRATE_DATABASE_URL names the owner, DATABASE_URL the app role): with the administrator
connection DATABASE_ADMIN_URL (default: the postgres superuser on DATABASE_URL's host), create or
correct both roles, the database (owned by the owner role), ownership of everything in it, and the
app role's grants (partnercenter/database_roles.py, docs/database-roles.md). Idempotent: run it
before `migrate` and again after it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from partnercenter.database_roles import DatabaseUrl, database_roles_ensure

app_url = os.environ["DATABASE_URL"]
app = DatabaseUrl.parse(app_url)
migrate_url = os.environ.get("MIGRATE_DATABASE_URL", "")
admin_url = os.environ.get("DATABASE_ADMIN_URL") or f"postgres://postgres@{app.host}:{app.port}/postgres"

try:
    if migrate_url:
        plan = database_roles_ensure(admin_url=admin_url, migrate_url=migrate_url, app_url=app_url)
        print(f"database {plan.database}: owner role {plan.owner}, app role {plan.app} (grants checked)")
    else:
        connection = DatabaseUrl.parse(app_url).connect(database="postgres")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [app.database])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(app.database)))
                print(f"created database {app.database}")
        connection.close()
except psycopg2.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {app.host}:{app.port}: {exc}")
except psycopg2.Error as exc:
    sys.exit(f"Could not prepare the database roles (DATABASE_ADMIN_URL needs CREATEROLE and CREATEDB): {exc}")
