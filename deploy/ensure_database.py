"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

import psycopg2
from psycopg2 import sql

url = urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
try:
    connection = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname="postgres",
        connect_timeout=3,
    )
except psycopg2.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432}: {exc}")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
connection.close()
