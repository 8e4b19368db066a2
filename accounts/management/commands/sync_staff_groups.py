from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.staff_groups import AUDITOR, OPERATOR, staff_groups_sync


class Command(BaseCommand):
    help = "Create or update the staff groups (auditor: view only; operator: view + support actions)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            staff_groups_sync()
        self.stdout.write(f"Staff groups up to date: {AUDITOR}, {OPERATOR}.")
