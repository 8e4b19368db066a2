"""The two PostgreSQL roles of a deployment: an owner that migrates, an app role that serves.

`MIGRATE_DATABASE_URL` names the owner role: it owns the database, the schema and every table,
sequence and function in it, and `manage.py migrate` runs as it. `DATABASE_URL` names the app role
the web, worker and beat processes use: LOGIN and nothing else (not superuser, no CREATEDB or
CREATEROLE, no BYPASSRLS, member of no role, owner of nothing), with

- SELECT, INSERT, UPDATE, DELETE on the tables and USAGE, SELECT on the sequences, now and for
  every table the owner creates later (default privileges);
- on the audit log only SELECT and INSERT on `audit_auditevent` and SELECT on its partitions:
  no UPDATE, DELETE or TRUNCATE, and as it owns nothing, no ALTER (DISABLE TRIGGER, DETACH), DROP
  or LOCK beyond what a row insert takes;
- EXECUTE on `audit_auditevent_ensure_month()` only, the SECURITY DEFINER function that creates the
  next month's partition (audit migration 0008); no CREATE on the schema.

`database_roles_ensure` does all of this idempotently with an administrator connection
(`DATABASE_ADMIN_URL`, a superuser or a role with CREATEROLE and CREATEDB): run it before
`migrate` (roles, database, ownership, default privileges) and again after (grants on what the
migration created). An existing database whose objects belong to someone else (e.g. one migrated
as `postgres`) is adopted: ownership of the schema and its objects passes to the owner role.
See docs/database-roles.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as Connection

AUDIT_TABLE = "audit_auditevent"
PARTITION_FUNCTION = "audit_auditevent_ensure_month(timestamptz)"
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


@dataclass(frozen=True)
class DatabaseUrl:
    host: str
    port: int
    user: str
    password: str | None
    database: str

    @classmethod
    def parse(cls, url: str) -> DatabaseUrl:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
            raise ValueError(f"not a PostgreSQL URL: {parts.scheme}://...")
        return cls(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=unquote(parts.username or "postgres"),
                   password=unquote(parts.password) if parts.password else None,
                   database=unquote(parts.path.lstrip("/")))

    def connect(self, *, database: str | None = None, autocommit: bool = True) -> Connection:
        connection = psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                      dbname=database or self.database, connect_timeout=5)
        connection.autocommit = autocommit
        return connection


@dataclass(frozen=True)
class RolePlan:
    database: str
    owner: str
    owner_password: str | None
    app: str
    app_password: str | None

    @classmethod
    def from_urls(cls, *, migrate_url: str, app_url: str) -> RolePlan:
        owner, app = DatabaseUrl.parse(migrate_url), DatabaseUrl.parse(app_url)
        if owner.database != app.database:
            raise ValueError("MIGRATE_DATABASE_URL and DATABASE_URL must name the same database.")
        if owner.user == app.user:
            raise ValueError("MIGRATE_DATABASE_URL and DATABASE_URL must use two different roles.")
        return cls(database=owner.database, owner=owner.user, owner_password=owner.password,
                   app=app.user, app_password=app.password)


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _ensure_role(cursor, name: str, password: str | None) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    # Attributes are (re)stated every time: a role that gained more by hand loses it again.
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
    statement = sql.SQL(f"{verb} ROLE {{}} WITH {attributes}").format(_ident(name))
    if password is not None:
        cursor.execute(statement + sql.SQL(" PASSWORD %s"), [password])
    else:
        cursor.execute(statement)


def _roles_and_database(admin: Connection, plan: RolePlan) -> None:
    with admin.cursor() as cursor:
        _ensure_role(cursor, plan.owner, plan.owner_password)
        _ensure_role(cursor, plan.app, plan.app_password)
        # The app role is a member of no role (least of all the owner): it inherits nothing.
        cursor.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", [plan.app])
        for (group,) in cursor.fetchall():
            cursor.execute(sql.SQL("REVOKE {} FROM {}").format(_ident(group), _ident(plan.app)))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [plan.database])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(_ident(plan.database), _ident(plan.owner)))
        else:
            cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(_ident(plan.database), _ident(plan.owner)))
        cursor.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(_ident(plan.database)))
        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(_ident(plan.database), _ident(plan.app)))


_ADOPT_RELATIONS = """
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
"""
_ADOPT_FUNCTIONS = """
SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
"""
_KIND_KEYWORD = {"r": "TABLE", "p": "TABLE", "S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}


def _adopt(cursor, plan: RolePlan) -> None:
    """The owner role owns the schema and everything in it (a database first migrated as another role)."""
    owner = _ident(plan.owner)
    cursor.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner))
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(_ADOPT_RELATIONS, [plan.owner])
    for name, kind in cursor.fetchall():  # sequences owned by a column follow their table
        cursor.execute(sql.SQL(f"ALTER {_KIND_KEYWORD[kind]} public.{{}} OWNER TO {{}}").format(_ident(name), owner))
    cursor.execute(_ADOPT_FUNCTIONS, [plan.owner])
    for (signature,) in cursor.fetchall():
        # regprocedure text is already quoted and schema-qualified where needed
        cursor.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), owner))


def _grant(cursor, plan: RolePlan) -> None:
    owner, app = _ident(plan.owner), _ident(plan.app)
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app))
    cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(app))
    cursor.execute(sql.SQL(f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {{}}").format(app))
    cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(app))
    # Tables and sequences the owner creates later (new migrations, audit partitions) come with
    # the same grants; the partition function strips the audit ones at once (migration audit.0008).
    cursor.execute(sql.SQL(f"ALTER DEFAULT PRIVILEGES FOR ROLE {{}} IN SCHEMA public GRANT {APP_TABLE_PRIVILEGES} "
                           "ON TABLES TO {}").format(owner, app))
    cursor.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT "
                           "ON SEQUENCES TO {}").format(owner, app))
    # Functions: none executable by anyone unless granted by name below.
    cursor.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC").format(owner))
    _restrict_audit(cursor, plan)


def _restrict_audit(cursor, plan: RolePlan) -> None:
    """The audit log: SELECT and INSERT on the parent, SELECT on partitions, EXECUTE on the partition function."""
    app = _ident(plan.app)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{AUDIT_TABLE}"])
    if not cursor.fetchone()[0]:
        return  # before the first migrate
    cursor.execute(sql.SQL("REVOKE ALL ON public.{} FROM {}").format(_ident(AUDIT_TABLE), app))
    cursor.execute(sql.SQL("GRANT SELECT, INSERT ON public.{} TO {}").format(_ident(AUDIT_TABLE), app))
    cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [f"public.{AUDIT_TABLE}"])
    for (partition,) in cursor.fetchall():
        cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.SQL(partition), app))
        cursor.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.SQL(partition), app))
    cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [f"public.{PARTITION_FUNCTION}"])
    if cursor.fetchone()[0]:
        cursor.execute(sql.SQL(f"REVOKE ALL ON FUNCTION public.{PARTITION_FUNCTION} FROM PUBLIC"))
        cursor.execute(sql.SQL(f"GRANT EXECUTE ON FUNCTION public.{PARTITION_FUNCTION} TO {{}}").format(app))


def database_roles_ensure(*, admin_url: str, migrate_url: str, app_url: str) -> RolePlan:
    """Create or correct both roles, the database, ownership and the app role's grants. Idempotent."""
    plan = RolePlan.from_urls(migrate_url=migrate_url, app_url=app_url)
    admin = DatabaseUrl.parse(admin_url)
    server = admin.connect(database=admin.database or "postgres")
    try:
        _roles_and_database(server, plan)
    finally:
        server.close()
    database = admin.connect(database=plan.database, autocommit=False)
    try:
        with database.cursor() as cursor:
            _adopt(cursor, plan)
            _grant(cursor, plan)
        database.commit()
    finally:
        database.close()
    return plan
