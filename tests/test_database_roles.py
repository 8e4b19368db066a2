"""Least privilege on PostgreSQL (deploy/ensure_database.py, partnercenter/database_roles.py): in a
throwaway database of its own, with two uniquely named roles dropped afterwards, the schema is
migrated as the owner role, and the app role the web and worker processes use cannot TRUNCATE,
ALTER, DISABLE TRIGGER, DETACH, DROP, DELETE or UPDATE anything of the audit log, while the normal
flow (invitation, its audit events, next month's partition, a stray row moved) works as that role."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("database_roles")]  # one stack per module, one worker


@dataclass(frozen=True)
class Stack:
    database: str
    owner: str
    app: str
    admin_url: str
    migrate_url: str
    app_url: str

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.test", "DATABASE_ADMIN_URL": self.admin_url,
                "MIGRATE_DATABASE_URL": self.migrate_url, "DATABASE_URL": self.app_url, **extra}

    def connect(self, user: str) -> psycopg2.extensions.connection:
        s = connection.settings_dict
        return psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=user,
                                password=f"{user}-pw", dbname=self.database)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=400, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def admin_execute(statement: str, database: str = "postgres") -> None:
    s = connection.settings_dict
    admin = psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                             password=s["PASSWORD"] or None, dbname=database)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


@pytest.fixture(scope="module")
def stack(django_db_blocker) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    suffix = uuid.uuid4().hex[:10]
    database, owner, app = f"pc_roles_{suffix}", f"pc_roles_{suffix}_owner", f"pc_roles_{suffix}_app"
    s = connection.settings_dict
    server = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    admin_auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    result = Stack(database=database, owner=owner, app=app, admin_url=f"postgres://{admin_auth}@{server}/postgres",
                   migrate_url=f"postgres://{owner}:{owner}-pw@{server}/{database}",
                   app_url=f"postgres://{app}:{app}-pw@{server}/{database}")
    try:
        with django_db_blocker.unblock():
            run(["deploy/ensure_database.py"], result.env())
            run(["manage.py", "migrate", "--noinput"], result.env(DATABASE_URL=result.migrate_url))
            run(["deploy/ensure_database.py"], result.env())
            yield result
    finally:
        with django_db_blocker.unblock():
            admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin_execute(f'DROP ROLE IF EXISTS "{app}"')
            admin_execute(f'DROP ROLE IF EXISTS "{owner}"')


@pytest.fixture(scope="module")
def flow(stack) -> dict:  # type: ignore[no-untyped-def]
    """The normal flow, as the app role, in a process of its own (tests/database_roles_flow.py)."""
    return json.loads(run(["-m", "tests.database_roles_flow"], stack.env()).stdout.strip().splitlines()[-1])


def test_the_normal_flow_works_as_the_app_role(stack, flow):  # type: ignore[no-untyped-def]
    assert flow["user"] == stack.app
    assert flow["audit_actions"] == ["invitation.cancelled", "invitation.created"]
    assert flow["ahead"] == ["audit_auditevent_p2032_03", "audit_auditevent_p2032_04"]
    assert flow["stray_before"] == "audit_auditevent_default"
    assert flow["moved"] == ["audit_auditevent_p2033_06"] and flow["stray_after"] == "audit_auditevent_p2033_06"
    assert "audit_auditevent_p2033_06" in flow["listing"]


# Run as the app role, after the flow (so the partitions it created are there to attack too).
REFUSED = [
    "TRUNCATE audit_auditevent",
    "TRUNCATE audit_auditevent_p2032_03",
    "TRUNCATE audit_auditevent_default",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_delete",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE audit_auditevent_p2032_03 DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_auditevent_no_update_delete ON audit_auditevent",
    "CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'",
    "DROP TABLE audit_auditevent_p2032_03",
    "DROP TABLE audit_auditevent_p2033_06",
    "ALTER TABLE audit_auditevent DETACH PARTITION audit_auditevent_p2033_06",
    "ALTER TABLE audit_auditevent_p2033_06 RENAME TO gone",
    "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
    "DELETE FROM audit_auditevent",
    "UPDATE audit_auditevent SET action = 'rewritten'",
    "DELETE FROM audit_auditevent_p2033_06",
    "UPDATE audit_auditevent_p2033_06 SET action = 'rewritten'",
    "INSERT INTO audit_auditevent_p2033_06 SELECT * FROM audit_auditevent_p2033_06",
    "LOCK TABLE audit_auditevent IN ACCESS EXCLUSIVE MODE",
    "SET session_replication_role = replica",
    "SELECT audit_auditevent_restrict('audit_auditevent', '{SELECT,INSERT,UPDATE,DELETE}')",
    "CREATE TABLE audit_shadow (id int)",
    "DROP TABLE invitations_invitation",
    "TRUNCATE invitations_invitation",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_app_role_is_refused(stack, flow, statement):  # type: ignore[no-untyped-def]
    app = stack.connect(stack.app)
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), app.cursor() as cursor:
            cursor.execute(statement)
    finally:
        app.close()


def test_the_audit_rows_are_all_still_there(stack, flow):  # type: ignore[no-untyped-def]
    app = stack.connect(stack.app)
    with app.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == flow["audit_total"] >= 3  # the flow's two events and the moved stray
    app.close()


def test_the_app_role_owns_nothing_and_holds_no_attribute(stack, flow):  # type: ignore[no-untyped-def]
    owner = stack.connect(stack.owner)
    with owner.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s",
                       [stack.app])
        assert cursor.fetchone() == (False, False, False, False, False)
        cursor.execute("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s", [stack.app])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)", [stack.app])
        assert cursor.fetchone()[0] == 0
        cursor.execute("""SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE n.nspname = 'public'""")
        assert cursor.fetchall() == [(stack.owner,)]  # every table, index and sequence: the owner role's
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [stack.owner])
        assert cursor.fetchone() == (False,)
    owner.close()


def test_ensure_database_adopts_what_another_role_created_and_stays_idempotent(stack, flow):  # type: ignore[no-untyped-def]
    """A database first migrated as the superuser: a second run hands its objects to the owner role
    and strips the app role of the audit privileges it should not have."""
    admin_execute("CREATE TABLE leftover (id int); CREATE FUNCTION leftover_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';"
                  f'GRANT ALL ON audit_auditevent TO "{stack.app}"', database=stack.database)
    run(["deploy/ensure_database.py"], stack.env())
    owner = stack.connect(stack.owner)
    with owner.cursor() as cursor:
        cursor.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'leftover'")
        assert cursor.fetchone() == (stack.owner,)
        cursor.execute("SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'leftover_fn'")
        assert cursor.fetchone() == (stack.owner,)
        cursor.execute("SELECT has_table_privilege(%s, 'audit_auditevent', 'TRUNCATE'), "
                       "has_table_privilege(%s, 'audit_auditevent', 'DELETE'), "
                       "has_table_privilege(%s, 'leftover', 'DELETE')", [stack.app] * 3)
        assert cursor.fetchone() == (False, False, True)
    owner.close()


def test_the_shipped_stacks_give_the_app_processes_the_app_role_only():  # type: ignore[no-untyped-def]
    """docker-compose.yml and deploy/full.env: only the migrate step holds the administrator and owner URLs."""
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["migrate"]["command"] == ["sh", "deploy/migrate.sh"]
    assert "partnercenter_owner@" in services["migrate"]["environment"]["MIGRATE_DATABASE_URL"].replace(
        ":${POSTGRES_OWNER_PASSWORD:-partnercenter_owner}", "")
    for name in ("web", "worker", "beat", "demo"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://partnercenter_app:"), name
        assert "MIGRATE_DATABASE_URL" not in environment and "DATABASE_ADMIN_URL" not in environment, name
    full = (ROOT / "deploy" / "full.env").read_text()
    assert "DATABASE_URL=postgres://partnercenter_app:" in full
    assert "MIGRATE_DATABASE_URL=postgres://partnercenter_owner:" in full
    assert "sh deploy/migrate.sh" in (ROOT / "Makefile").read_text()
