"""The normal flow, run in a process of its own connected as the app role (tests/test_database_roles.py).

Creates a partner user and an invitation (audit event written in the same transaction), cancels it,
creates partitions ahead (the beat task and the management command), moves a stray row out of the
default partition, and prints what it saw as JSON.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from io import StringIO

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.test")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from audit.models import AuditEvent  # noqa: E402
from audit.partitions import audit_partitions_ensure  # noqa: E402
from audit.tasks import ensure_partitions  # noqa: E402
from invitations.closing import invitation_cancel  # noqa: E402
from invitations.create_services import invitation_create  # noqa: E402
from tests.factories import AuditEventFactory, PartnerMembershipFactory  # noqa: E402


def partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event_id])
        return cursor.fetchone()[0]


with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    user = cursor.fetchone()[0]
membership = PartnerMembershipFactory()
invitation = invitation_create(membership=membership, include_delegated_admin=True)
invitation_cancel(invitation=invitation, membership=membership)
actions = sorted(AuditEvent.objects.filter(target_id=str(invitation.pk)).values_list("action", flat=True))
ahead = audit_partitions_ensure(now=datetime(2032, 3, 9, tzinfo=UTC), months_ahead=1)
stray = AuditEventFactory(occurred_at=datetime(2033, 6, 5, tzinfo=UTC))
stray_before = partition_of(stray.pk)
moved = audit_partitions_ensure(now=datetime(2033, 6, 1, tzinfo=UTC), months_ahead=0)
beat = ensure_partitions()
listing = StringIO()
call_command("audit_partitions", "--list", stdout=listing)
print(json.dumps({
    "user": user, "audit_actions": actions, "ahead": ahead, "stray_before": stray_before, "moved": moved,
    "stray_after": partition_of(stray.pk), "beat": beat, "listing": listing.getvalue(),
    "audit_total": AuditEvent.objects.count(),
}))
