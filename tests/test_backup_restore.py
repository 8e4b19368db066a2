"""deploy/backup_restore_check.sh: a seeded database dumped with pg_dump and restored into another is whole."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from audit.partitions import audit_partitions_ensure
from tests.factories import AuditEventFactory, CustomerFactory

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "backup_restore_check.sh"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump/pg_restore/psql not installed"),
]


def database_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def run(source: str, restore: str, dump: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": source, "RESTORE_URL": restore}
    return subprocess.run([str(SCRIPT), str(dump)], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_seeded_database_is_restored_whole(transactional_db, partner_a, tmp_path):
    audit_partitions_ensure(since=datetime(2025, 1, 1, tzinfo=UTC))
    customers = [CustomerFactory() for _ in range(3)]
    for n in range(30):
        AuditEventFactory(partner=partner_a.partner, customer=customers[n % 3],
                          occurred_at=datetime(2025, 1 + n % 12, 1 + n, tzinfo=UTC))
    source = connection.settings_dict["NAME"]
    restore = f"{source}_restore"
    dump = tmp_path / "partnercenter.dump"
    try:
        result = run(database_url(source), database_url(restore), dump)
        assert result.returncode == 0, result.stderr
        assert "backup/restore check: OK" in result.stdout
        assert "30 audit events" in result.stdout
        assert dump.stat().st_size > 0  # the dump asked for is kept
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restore}" WITH (FORCE)')


def test_the_same_database_as_source_and_target_is_refused(db, tmp_path):
    url = database_url(connection.settings_dict["NAME"])
    result = run(url, url, tmp_path / "x.dump")
    assert result.returncode == 2 and "another database" in result.stderr
    assert not (tmp_path / "x.dump").exists()
