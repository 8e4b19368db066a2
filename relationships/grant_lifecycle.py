"""What happens to grants with time (Celery beat): expiry, auto-extension, reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_record
from notifications.choices import NotificationAudience, NotificationKind
from notifications.models import Notification, OutboxMessage
from partnercenter.directory_roles import GLOBAL_ADMINISTRATOR
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from relationships.services import (
    customer_contacts,
    grant_context,
    notify,
    partner_contacts,
    tell_customer,
    tell_partner,
)

if TYPE_CHECKING:
    pass

AUTO_EXTEND_DAYS = 180
REMINDER_DAYS = (30, 7, 1)


# --- Lifecycle (Celery beat) -----------------------------------------------------------------


@transaction.atomic
def grants_expire_and_extend(*, limit: int = 500) -> dict[str, int]:
    """Active grants at their end expire, or extend by 180 days when auto-extend is on (never with
    Global Administrator); requests unanswered for 90 days expire. Idempotent: each row is moved by
    a conditional update from the state it was read in."""
    now = timezone.now()
    counts = {"expired": 0, "extended": 0, "requests_expired": 0}
    ending = list(DelegatedAdminGrant.objects.select_for_update(skip_locked=True, of=("self",)).select_related("partner", "customer")
                  .filter(status=GrantStatus.ACTIVE, ends_at__lte=now).order_by("pk")[:limit])
    for grant in ending:
        if grant.auto_extend and GLOBAL_ADMINISTRATOR not in grant.roles:
            ends_at = grant.ends_at
            if ends_at is None:  # never selected (`ends_at__lte` excludes NULL): no end to extend from
                continue
            new_end = ends_at + timedelta(days=AUTO_EXTEND_DAYS)
            if DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.ACTIVE, ends_at=ends_at).update(ends_at=new_end):
                audit_record(action=AuditAction.GRANT_EXTENDED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                             before={"ends_at": ends_at.isoformat()}, after={"ends_at": new_end.isoformat()})
                grant.ends_at = new_end
                tell_partner(grant, "extended")
                tell_customer(grant, "extended")
                counts["extended"] += 1
        elif DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.ACTIVE).update(status=GrantStatus.EXPIRED):
            audit_record(action=AuditAction.GRANT_EXPIRED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                         before={"status": "active"}, after={"status": "expired"})
            tell_partner(grant, "expired")
            tell_customer(grant, "expired")
            counts["expired"] += 1
    stale = list(DelegatedAdminGrant.objects.select_for_update(skip_locked=True, of=("self",)).select_related("partner", "customer")
                 .filter(status=GrantStatus.APPROVAL_PENDING, request_expires_at__lte=now).order_by("pk")[:limit])
    for grant in stale:
        if DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.APPROVAL_PENDING).update(status=GrantStatus.EXPIRED):
            audit_record(action=AuditAction.GRANT_EXPIRED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                         before={"status": "approval_pending"}, after={"status": "expired"})
            tell_partner(grant, "request_expired")
            counts["requests_expired"] += 1
    return counts


@transaction.atomic
def grant_reminders_send() -> int:
    """Remind both sides 30, 7 and 1 days before an active grant ends, once per grant, end date and threshold.

    Grants that will auto-extend are not reminded. The idempotency key of each email makes a re-run
    of the beat task send nothing twice.
    """

    now = timezone.now()
    sent = 0
    upcoming = (DelegatedAdminGrant.objects.select_related("partner", "customer")
                .filter(status=GrantStatus.ACTIVE, ends_at__gt=now, ends_at__lte=now + timedelta(days=max(REMINDER_DAYS)))
                .order_by("pk"))
    for grant in upcoming:
        if grant.auto_extend and GLOBAL_ADMINISTRATOR not in grant.roles:
            continue
        ends_at = grant.ends_at
        if ends_at is None:  # never selected (`ends_at__gt` excludes NULL): nothing to remind of
            continue
        remaining = ends_at - now
        threshold = min(d for d in REMINDER_DAYS if remaining <= timedelta(days=d))
        key = f"grant:{grant.pk}:reminder:{threshold}:{ends_at.isoformat()}"
        if (OutboxMessage.objects.filter(idempotency_key__startswith=f"{key}:").exists()
                or Notification.objects.filter(key__startswith=f"{key}:").exists()):  # digest or no email: no outbox row
            continue
        customer = grant.customer_required  # an active grant has its customer
        context = grant_context(grant, event="reminder", days_left=max(remaining.days, 0) or 1)
        notify(users=partner_contacts(grant.partner), template="relationships/email/grant_event",
                context={**context, "audience": "partner"}, key=key, partner=grant.partner, customer=customer,
                topic=f"grant:{grant.pk}", kind=NotificationKind.GRANT_EXPIRING, audience=NotificationAudience.PARTNER)
        notify(users=customer_contacts(customer), template="relationships/email/grant_event",
                context={**context, "audience": "customer"}, key=key, partner=grant.partner, customer=customer,
                topic=f"grant:{grant.pk}", kind=NotificationKind.GRANT_EXPIRING, audience=NotificationAudience.CUSTOMER)
        audit_record(action=AuditAction.GRANT_REMINDED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                     data={"days_before": threshold})
        sent += 1
    return sent
