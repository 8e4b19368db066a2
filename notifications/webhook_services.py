"""Webhooks: subscriptions, events raised by audit events, signed delivery with retries.

Life of a delivery row (as for emails): `queued` → (claimed) `sending` → `sent`; on a non-2xx
answer or no answer, back to `queued` with exponential backoff, or `failed` after
WEBHOOK_MAX_ATTEMPTS. Every step is a conditional UPDATE on the expected status, so a duplicate
task, a retried task and the sweep can race without posting twice (the only duplicate: a worker
dying between the receiver's 2xx and the `sent` mark; receivers de-duplicate on the event id).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction as IntegrationAuditAction
from audit.services import audit_record
from notifications.choices import DeliveryStatus
from notifications.models import WebhookDelivery, WebhookSubscription
from notifications.services import DeliveryOutcome, email_enqueue
from notifications.webhook_events import EVENT_FOR_ACTION, WebhookEventType, event_body, event_id_for
from notifications.webhook_signing import SIGNATURE_HEADER, new_secret, signature_header
from notifications.webhook_transport import destination_refusal, post
from partnercenter.errors import DomainError
from partnercenter.links import absolute_url
from partnercenter.sealing import seal, unseal
from partners.authz import Actor, Permission, authorize
from partners.selectors import partner_users_with_roles

if TYPE_CHECKING:
    from accounts.models import User
    from audit.models import AuditEvent
    from partners.models import PartnerMembership

logger = logging.getLogger(__name__)

USER_AGENT = "partnercenter-webhooks/1"


class WebhookError(DomainError):
    pass


@dataclass(frozen=True)
class IssuedWebhookSecret:
    """A subscription and its (new) secret, which is shown this once."""

    subscription: WebhookSubscription
    secret: str


def clean_event_types(event_types: list[str]) -> list[str]:
    unknown = set(event_types) - set(WebhookEventType.values)
    if unknown:
        raise WebhookError("unknown_event_type", _("Unknown event type: %(types)s.") % {"types": ", ".join(sorted(unknown))},
                           field="event_types")
    ordered = [value for value in WebhookEventType.values if value in event_types]
    if not ordered:
        raise WebhookError("event_types_required", _("Choose at least one event type."), field="event_types")
    return ordered


def clean_url(url: str) -> str:
    url = url.strip()
    if not url or len(url) > 500:
        raise WebhookError("invalid_url", _("Enter a URL of up to 500 characters."), field="url")
    refusal = destination_refusal(url, resolve=False)
    if refusal:
        raise WebhookError("invalid_url", str(refusal), field="url")
    return url


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
    secret = new_secret()
    now = timezone.now()
    subscription = WebhookSubscription.objects.create(
        partner_id=membership.partner_id, url=url, event_types=event_types, description=description.strip()[:200],
        sealed_secret=seal({"secret": secret}), secret_rotated_at=now, created_by=membership.user, created_at=now, updated_at=now,
    )
    audit_record(action=IntegrationAuditAction.WEBHOOK_SUBSCRIPTION_CREATED, actor=membership.user,  # type: ignore[arg-type]
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
    audit_record(action=IntegrationAuditAction.WEBHOOK_SUBSCRIPTION_UPDATED, actor=membership.user,  # type: ignore[arg-type]
                 partner=membership.partner, target=locked, before=before, after=after)
    return locked


@transaction.atomic
def webhook_subscription_rotate_secret(*, subscription: WebhookSubscription, membership: PartnerMembership) -> IssuedWebhookSecret:
    """A new secret (shown once); the old one keeps signing too for WEBHOOK_SECRET_GRACE_HOURS."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    locked = _locked(subscription, membership)
    secret = new_secret()
    now = timezone.now()
    locked.previous_sealed_secret = locked.sealed_secret
    locked.previous_secret_expires_at = now + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    locked.sealed_secret = seal({"secret": secret})
    locked.secret_rotated_at = locked.updated_at = now
    locked.save()
    audit_record(action=IntegrationAuditAction.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED, actor=membership.user,  # type: ignore[arg-type]
                 partner=membership.partner, target=locked,
                 after={"previous_secret_expires_at": locked.previous_secret_expires_at.isoformat()})
    return IssuedWebhookSecret(subscription=locked, secret=secret)


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, membership: PartnerMembership) -> None:
    """Delete the subscription and its delivery history (the audit log keeps that it existed)."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    locked = _locked(subscription, membership)
    audit_record(action=IntegrationAuditAction.WEBHOOK_SUBSCRIPTION_DELETED, actor=membership.user,  # type: ignore[arg-type]
                 partner=membership.partner, target=locked, before=_snapshot(locked))
    locked.delete()


@transaction.atomic
def webhook_delivery_redeliver(*, delivery: WebhookDelivery, membership: PartnerMembership) -> WebhookDelivery:
    """Queue a finished delivery (sent or failed) again, same event id, fresh attempt budget."""
    authorize(membership, Permission.MANAGE_INTEGRATIONS)
    return _redeliver(delivery, partner_id=membership.partner_id, actor=membership.user)


@transaction.atomic
def webhook_delivery_redeliver_by_staff(*, delivery: WebhookDelivery, staff_user: User, reason: str) -> WebhookDelivery:
    """Platform staff queue a finished delivery again from Django admin; the reason is audited."""
    authorize(Actor.staff(staff_user), Permission.MANAGE_INTEGRATIONS)
    if not reason.strip():
        raise WebhookError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    return _redeliver(delivery, partner_id=delivery.partner_id, actor=staff_user, data={"reason": reason.strip(), "by": "staff"})


def _redeliver(delivery: WebhookDelivery, *, partner_id: int, actor: User, data: dict[str, str] | None = None) -> WebhookDelivery:
    locked = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("subscription")
              .filter(pk=delivery.pk, partner_id=partner_id).first())
    if locked is None:
        raise WebhookError("not_found", _("Unknown delivery."))
    if not locked.subscription.active:
        raise WebhookError("subscription_inactive", _("Enable the subscription before redelivering."))
    before = locked.status
    updated = WebhookDelivery.objects.filter(pk=locked.pk, status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED]).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_at=None, failed_at=None,
        sent_at=None, last_error="",
    )
    if updated != 1:
        raise WebhookError("not_finished", _("This delivery is still in progress."))
    locked.refresh_from_db()
    audit_record(action=IntegrationAuditAction.WEBHOOK_DELIVERY_REDELIVERED, actor=actor,  # type: ignore[arg-type]
                 partner_id=partner_id, target=locked, before={"status": before}, after={"status": "queued"},
                 data={"event_id": str(locked.event_id), "event_type": locked.event_type, **(data or {})})
    transaction.on_commit(partial(webhook_delivery_publish, delivery_id=locked.pk))
    return locked


# --- Raising events (called by audit.services.audit_record) ------------------------------------


def webhook_events_emit(*, event: AuditEvent, subscriptions_seen: dict[int, list[WebhookSubscription]] | None = None) -> list[WebhookDelivery]:
    """Write one delivery per active subscription of the event's partner that wants its type.

    Runs inside the transaction that wrote the audit event (so inside the business transaction):
    the rows commit with the change or not at all; each is published to Celery after commit.
    `subscriptions_seen`: a dict the caller keeps for ONE transaction writing several events, so
    the partner's active subscriptions are read once for all of them.
    """
    event_type = EVENT_FOR_ACTION.get(event.action)
    if event_type is None or event.partner_id is None:
        return []
    active = None if subscriptions_seen is None else subscriptions_seen.get(event.partner_id)
    if active is None:
        active = list(WebhookSubscription.objects.filter(partner_id=event.partner_id, active=True).only("pk", "event_types"))
        if subscriptions_seen is not None:
            subscriptions_seen[event.partner_id] = active
    subscriptions = [subscription for subscription in active if event_type in subscription.event_types]
    if not subscriptions:
        return []
    from customers.models import Customer
    from partners.models import Partner

    partner_public_id = Partner.objects.values_list("partner_id", flat=True).get(pk=event.partner_id)
    customer = None
    if event.customer_id is not None:
        row = Customer.objects.filter(pk=event.customer_id).values("tenant_id", "company_name").first()
        customer = {"tenant_id": str(row["tenant_id"]), "company_name": row["company_name"]} if row else None
    body = event_body(event=event, event_type=event_type, partner_public_id=partner_public_id, customer=customer)
    event_id = event_id_for(event)
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(subscription_id=subscription.pk, partner_id=event.partner_id, event_id=event_id, event_type=event_type,
                        body=body, created_at=event.occurred_at, next_attempt_at=event.occurred_at)
        for subscription in subscriptions
    ])
    for delivery in deliveries:
        transaction.on_commit(partial(webhook_delivery_publish, delivery_id=delivery.pk))
    return deliveries


def webhook_delivery_publish(*, delivery_id: int) -> bool:
    """Hand the row to Celery. A broker outage is logged, not raised: the sweep retries later."""
    from notifications.webhook_tasks import send_webhook_delivery

    try:
        send_webhook_delivery.apply_async(args=(delivery_id,))
    except Exception:
        logger.warning("webhook publish failed; the sweep will retry", extra={"webhook_delivery_id": delivery_id}, exc_info=True)
        return False
    return True


# --- Delivering (Celery) -----------------------------------------------------------------------


def webhook_retry_delay_seconds(attempts: int) -> float:
    """Exponential backoff: base, 2 * base, 4 * base, ... capped at one hour."""
    return min(settings.WEBHOOK_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 3600.0)


def _secrets_in_use(subscription: WebhookSubscription) -> list[str]:
    in_use = [unseal(subscription.sealed_secret)["secret"]]
    if subscription.previous_sealed_secret and subscription.previous_secret_expires_at and subscription.previous_secret_expires_at > timezone.now():
        in_use.append(unseal(subscription.previous_sealed_secret)["secret"])
    return in_use


def webhook_deliver(*, delivery_id: int) -> DeliveryOutcome:
    """Post one delivery if it is due: claim it (committed before the request), sign, post, record.

    The claim is a conditional UPDATE queued → sending, so a second task for the same row does
    nothing. The HTTP request runs outside any transaction.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return DeliveryOutcome("skipped")
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.active:
        _finish_failed(delivery, error=_("The subscription is disabled."), count_failure=False)
        return DeliveryOutcome("failed")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Partnercenter-Event": delivery.event_type,
        "Partnercenter-Event-Id": str(delivery.event_id),
        "Partnercenter-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature_header(secrets_in_use=_secrets_in_use(subscription), timestamp=int(time.time()), body=body),
    }
    result = post(url=subscription.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    if result.ok:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), response_status=result.status, last_error=""
        )
        WebhookSubscription.objects.filter(pk=subscription.pk).exclude(consecutive_failures=0).update(consecutive_failures=0)
        return DeliveryOutcome("sent")
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        _finish_failed(delivery, error=result.error, status=result.status, count_failure=True)
        return DeliveryOutcome("failed")
    delay = webhook_retry_delay_seconds(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED, claimed_at=None, next_attempt_at=timezone.now() + timedelta(seconds=delay),
        response_status=result.status, last_error=result.error[:2000],
    )
    return DeliveryOutcome("retry", retry_in_seconds=math.ceil(delay))  # never wake before it is due


def _finish_failed(delivery: WebhookDelivery, *, error: str, status: int | None = None, count_failure: bool) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED, failed_at=timezone.now(), response_status=status, last_error=str(error)[:2000]
    )
    logger.warning("webhook delivery failed", extra={"webhook_delivery_id": delivery.pk, "error": str(error)[:200]})
    if count_failure:
        webhook_subscription_record_failure(subscription_id=delivery.subscription_id)


@transaction.atomic
def webhook_subscription_record_failure(*, subscription_id: int) -> WebhookSubscription | None:
    """Count a delivery that failed for good; at the threshold, disable and tell the account admins."""
    from partners.choices import PartnerRole

    subscription = WebhookSubscription.objects.select_for_update().select_related("partner").filter(pk=subscription_id).first()
    if subscription is None:
        return None
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures"]
    disable = subscription.active and subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if disable:
        now = timezone.now()
        subscription.active, subscription.disabled_at, subscription.updated_at = False, now, now
        subscription.disabled_reason = "consecutive_failures"
        fields += ["active", "disabled_at", "disabled_reason", "updated_at"]
    subscription.save(update_fields=fields)
    if not disable:
        return subscription
    audit_record(action=IntegrationAuditAction.WEBHOOK_SUBSCRIPTION_DISABLED, actor=None,  # type: ignore[arg-type]
                 partner=subscription.partner, target=subscription, before={"active": True}, after={"active": False},
                 data={"consecutive_failures": subscription.consecutive_failures})
    link = absolute_url("webhooks:list", partner_id=subscription.partner.partner_id)
    for admin in partner_users_with_roles(partner=subscription.partner, roles={PartnerRole.ACCOUNT_ADMIN}):
        email_enqueue(
            to=admin.email, template="notifications/email/webhook_disabled",
            context={"partner_name": subscription.partner.name, "url": subscription.url,
                     "failures": subscription.consecutive_failures, "settings_url": link},
            language=admin.preferred_language, partner=subscription.partner,
            idempotency_key=f"webhook_disabled:{subscription.pk}:{subscription.disabled_at.isoformat()}:{admin.pk}",
            topic=f"webhook_subscription:{subscription.pk}",
        )
    return subscription


def webhook_sweep(*, limit: int = 500) -> int:
    """Requeue deliveries whose worker died mid-post, then publish every due queued row.

    Rows younger than the grace period are left to their own on-commit publish. Returns how
    many rows were published.
    """
    now = timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - timedelta(seconds=settings.WEBHOOK_SENDING_LEASE_SECONDS)
    ).update(status=DeliveryStatus.QUEUED, claimed_at=None, next_attempt_at=now)
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.QUEUED, next_attempt_at__lte=now,
            created_at__lte=now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS),
        ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    published = 0
    for delivery_id in due:
        if not webhook_delivery_publish(delivery_id=delivery_id):
            break  # broker down: the next sweep tries again
        published += 1
    return published
