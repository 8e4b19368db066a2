"""Webhook subscriptions managed by a partner user (create, edit, rotate the secret, delete, redeliver),
each checked against the member's roles and audited; and the partner's side of a subscription that
notifications disabled. The delivery machinery (fan-out, signing, transport, retries) is
notifications.webhook_services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from notifications.models import WebhookDelivery, WebhookSubscription
from notifications.services import email_enqueue
from notifications.webhook_services import (
    WebhookError,
    clean_event_types,
    clean_url,
    webhook_delivery_requeue,
    webhook_secret_issue,
)
from partnercenter.links import absolute_url
from partners.authz import Actor, Permission, authorize
from partners.choices import PartnerRole
from partners.models import PartnerMembership
from partners.selectors import partner_users_with_roles


@dataclass(frozen=True)
class IssuedWebhookSecret:
    """A subscription and its (new) secret, which is shown this once."""

    subscription: WebhookSubscription
    secret: str


def _snapshot(subscription: WebhookSubscription) -> dict[str, object]:
    return {"url": subscription.url, "event_types": list(subscription.event_types), "description": subscription.description,
            "active": subscription.active}


@transaction.atomic
def webhook_subscription_create(
    *, membership: PartnerMembership, url: str, event_types: list[str], description: str = ""
) -> IssuedWebhookSecret:
    """Subscribe `url` to `event_types` for the member's partner; returns the secret (shown once)."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    url, event_types = clean_url(url), clean_event_types(event_types)
    secret, sealed_secret = webhook_secret_issue()
    now = timezone.now()
    subscription = WebhookSubscription.objects.create(
        partner_id=membership.partner_id, url=url, event_types=event_types, description=description.strip()[:200],
        sealed_secret=sealed_secret, secret_rotated_at=now, created_by=membership.user, created_at=now, updated_at=now,
    )
    audit_record(action=AuditAction.WEBHOOK_SUBSCRIPTION_CREATED, actor=membership.user,
                 partner=membership.partner, target=subscription, after=_snapshot(subscription))
    return IssuedWebhookSecret(subscription=subscription, secret=secret)


def _locked(subscription: WebhookSubscription, membership: PartnerMembership) -> WebhookSubscription:
    locked = WebhookSubscription.objects.select_for_update().filter(pk=subscription.pk, partner_id=membership.partner_id).first()
    if locked is None:
        raise WebhookError("not_found", _("Unknown webhook subscription."))
    return locked


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, membership: PartnerMembership, url: str | None = None,
    event_types: list[str] | None = None, description: str | None = None, active: bool | None = None,
) -> WebhookSubscription:
    """Change what is given. Re-activating clears the failure count. No change, no audit event."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    locked = _locked(subscription, membership)
    before = _snapshot(locked)
    if url is not None:
        locked.url = clean_url(url)
    if event_types is not None:
        locked.event_types = clean_event_types(event_types)
    if description is not None:
        locked.description = description.strip()[:200]
    if active is not None and active != locked.active:
        locked.active = active
        if active:
            locked.consecutive_failures, locked.disabled_at, locked.disabled_reason = 0, None, ""
    after = _snapshot(locked)
    if after == before:
        return locked
    locked.updated_at = timezone.now()
    locked.save()
    audit_record(action=AuditAction.WEBHOOK_SUBSCRIPTION_UPDATED, actor=membership.user,
                 partner=membership.partner, target=locked, before=before, after=after)
    return locked


@transaction.atomic
def webhook_subscription_rotate_secret(*, subscription: WebhookSubscription, membership: PartnerMembership) -> IssuedWebhookSecret:
    """A new secret (shown once); the old one keeps signing too for WEBHOOK_SECRET_GRACE_HOURS."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    locked = _locked(subscription, membership)
    secret, sealed_secret = webhook_secret_issue()
    now = timezone.now()
    locked.previous_sealed_secret = locked.sealed_secret
    locked.previous_secret_expires_at = now + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    locked.sealed_secret = sealed_secret
    locked.secret_rotated_at = locked.updated_at = now
    locked.save()
    audit_record(action=AuditAction.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED, actor=membership.user,
                 partner=membership.partner, target=locked,
                 after={"previous_secret_expires_at": locked.previous_secret_expires_at.isoformat()})
    return IssuedWebhookSecret(subscription=locked, secret=secret)


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, membership: PartnerMembership) -> None:
    """Delete the subscription and its delivery history (the audit log keeps that it existed)."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    locked = _locked(subscription, membership)
    audit_record(action=AuditAction.WEBHOOK_SUBSCRIPTION_DELETED, actor=membership.user,
                 partner=membership.partner, target=locked, before=_snapshot(locked))
    locked.delete()


@transaction.atomic
def webhook_delivery_redeliver(*, delivery: WebhookDelivery, membership: PartnerMembership) -> WebhookDelivery:
    """Queue a finished delivery (sent or failed) again, same event id, fresh attempt budget."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    return webhook_delivery_requeue(delivery=delivery, partner_id=membership.partner_id, actor=membership.user)


def tell_account_admins_subscription_disabled(*, subscription: WebhookSubscription, **kwargs: object) -> None:
    """notifications.signals.webhook_subscription_disabled receiver (inside the transaction that
    disabled it): email each account admin of the partner, once per disabling."""
    partner = subscription.partner
    link = absolute_url("webhooks:list", partner_id=partner.partner_id)
    assert subscription.disabled_at is not None
    for admin in partner_users_with_roles(partner=partner, roles={PartnerRole.ACCOUNT_ADMIN}):
        email_enqueue(
            to=admin.email, template="notifications/email/webhook_disabled",
            context={"partner_name": partner.name, "url": subscription.url,
                     "failures": subscription.consecutive_failures, "settings_url": link},
            language=admin.preferred_language, partner=partner,
            idempotency_key=f"webhook_disabled:{subscription.pk}:{subscription.disabled_at.isoformat()}:{admin.pk}",
            topic=f"webhook_subscription:{subscription.pk}",
        )


@transaction.atomic
def webhook_delivery_redeliver_by_staff(*, delivery: WebhookDelivery, staff_user: User, reason: str) -> WebhookDelivery:
    """Platform staff queue a finished delivery again from Django admin; the reason is audited."""
    authorize(Actor.staff(staff_user), Permission.MANAGE_INTEGRATIONS)
    if not reason.strip():
        raise WebhookError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    return webhook_delivery_requeue(delivery=delivery, partner_id=delivery.partner_id, actor=staff_user,
                                    data={"reason": reason.strip(), "by": "staff"})
