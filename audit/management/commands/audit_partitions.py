from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.partitions import (
    MONTHS_AHEAD,
    audit_default_partition_rows,
    audit_partitions_ensure,
    audit_partitions_list,
    is_partitioned,
)


class Command(BaseCommand):
    help = (
        "Create the audit log's monthly partitions ahead of time (the beat task audit.ensure_partitions "
        "does it daily) and list them. PostgreSQL only; on SQLite the audit table is a plain table."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--months-ahead", type=int, default=MONTHS_AHEAD, help=f"months after this one (default {MONTHS_AHEAD})"
        )
        parser.add_argument(
            "--since",
            metavar="YYYY-MM",
            help="also create the months from this one on (e.g. for rows in the default partition)",
        )
        parser.add_argument("--list", action="store_true", help="only list the partitions, create nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if not is_partitioned():
            self.stdout.write("The audit table is not partitioned here (SQLite, or migration audit.0006 not applied).")
            return
        months = options["months_ahead"]
        if not 0 <= months <= 120:
            raise CommandError("--months-ahead must be between 0 and 120.")
        since = None
        if options["since"]:
            try:
                since = datetime.strptime(options["since"], "%Y-%m").replace(tzinfo=UTC)
            except ValueError as exc:
                raise CommandError("--since must be a month written YYYY-MM, e.g. 2026-01.") from exc
        if not options["list"]:
            created = audit_partitions_ensure(months_ahead=months, since=since)
            self.stdout.write(f"Created {len(created)} partition(s)" + (f": {', '.join(created)}" if created else "."))
        for partition in audit_partitions_list():
            self.stdout.write(f"{partition.name:32} ~{partition.rows_estimate:>12,} rows  {partition.bounds}")
        strays = audit_default_partition_rows()
        if strays:
            self.stderr.write(
                f"{strays} event(s) are in the default partition: run this command with --since and "
                "--months-ahead covering their months; creating a month's partition moves its rows there."
            )
