"""Webhook delivery: events raised by audit events, signed delivery with retries, staff redelivery.

Managing subscriptions (a partner user's create/edit/rotate/delete/redeliver) is a partner action:
partners.webhook_services, which uses the helpers here (clean_*, webhook_secret_issue,
webhook_delivery_requeue).

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
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record
from notifications.choices import DeliveryStatus
from notifications.models import WebhookDelivery, WebhookSubscription
from notifications.services import DeliveryOutcome
from notifications.signals import webhook_subscription_disabled
from notifications.webhook_events import EVENT_FOR_ACTION, WebhookEventType, event_body, event_id_for
from notifications.webhook_signing import SIGNATURE_HEADER, new_secret, signature_header
from notifications.webhook_transport import destination_refusal, post
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.errors import DomainError
from partnercenter.sealing import seal, unseal

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

USER_AGENT = "partnercenter-webhooks/1"


class WebhookError(DomainError):
    pass


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


def webhook_secret_issue() -> tuple[str, str]:
    """A new signing secret and its sealed form (the secret is shown once, the sealed form is stored)."""
    secret = new_secret()
    return secret, seal({"secret": secret})


def webhook_delivery_requeue(
    *, delivery: WebhookDelivery, partner_id: int, actor: User, data: dict[str, str] | None = None
) -> WebhookDelivery:
    """Queue a finished delivery (sent or failed) of `partner_id` again, same event id, fresh attempt
    budget; audited. Inside the caller's transaction, after the caller checked who may do it."""
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
    audit_record(action=AuditAction.WEBHOOK_DELIVERY_REDELIVERED, actor=actor,
                 partner_id=partner_id, target=locked, before={"status": before}, after={"status": "queued"},
                 data={"event_id": str(locked.event_id), "event_type": locked.event_type, **(data or {})})
    transaction.on_commit(partial(webhook_delivery_publish, delivery_id=locked.pk))
    return locked


# --- Raising events (an audit.signals.event_recorded receiver, connected in NotificationsConfig.ready) ---


class _ActiveSubscriptions:
    """The partners' active subscriptions read in the current transaction, each partner once.

    Kept on the database connection and valid while the transaction that read them is the same:
    Django replaces `connection.run_on_commit` by a new list at every commit, rollback and savepoint
    rollback, so a cache tied to that list object dies with it (nothing is registered on commit:
    callers count their on-commit callbacks). It is also tied to the savepoint stack it was filled
    in (usable there and in blocks nested in it), and dropped when a subscription is saved or deleted.
    """

    ATTRIBUTE = "_notifications_webhook_subscriptions"

    @classmethod
    def current(cls) -> dict[int, tuple[str, list[tuple[int, list[str]]]]]:
        connection = transaction.get_connection()
        stack = tuple(connection.savepoint_ids)
        state = getattr(connection, cls.ATTRIBUTE, None)
        if state is not None:
            hooks, filled_in, by_partner = state
            if hooks is connection.run_on_commit and stack[: len(filled_in)] == filled_in:
                return by_partner
        by_partner = {}
        setattr(connection, cls.ATTRIBUTE, (connection.run_on_commit, stack, by_partner))
        return by_partner

    @classmethod
    def forget(cls) -> None:
        """A subscription was saved or deleted: read them again."""
        connection = transaction.get_connection()
        if getattr(connection, cls.ATTRIBUTE, None) is not None:
            setattr(connection, cls.ATTRIBUTE, None)


def webhook_subscriptions_cache_forget(**kwargs: object) -> None:
    """post_save / post_delete receiver of WebhookSubscription (connected in NotificationsConfig.ready)."""
    _ActiveSubscriptions.forget()


# A partner's active subscriptions (the partner's primary key): read by every transaction that records an
# event of a partner, compiled once per process (partnercenter.compiled_queries; issue 25). Their primary keys,
# event types and the partner's public id only.
_ACTIVE_SUBSCRIPTIONS = CompiledQuery(lambda values: WebhookSubscription.objects.filter(partner_id=values[0], active=True)
                                      .select_related("partner").only("pk", "event_types", "partner__partner_id"))


def _active_subscriptions(partner_id: int) -> tuple[str, list[tuple[int, list[str]]]]:
    """(the partner's public id, [(subscription pk, event types)] of its active subscriptions): one
    statement per partner per transaction."""
    by_partner = _ActiveSubscriptions.current()
    found = by_partner.get(partner_id)
    if found is None:
        rows = _ACTIVE_SUBSCRIPTIONS.fetch([partner_id])
        found = (rows[0].partner.partner_id if rows else "", [(row.pk, row.event_types) for row in rows])
        by_partner[partner_id] = found
    return found


def _customer_summary(event: AuditEvent) -> dict[str, str] | None:
    """The event's customer as the payload shows it, read through the event's own foreign key
    (the customer model sits above notifications: it is not imported)."""
    if event.customer_id is None:
        # A partner's private event about a customer (issue 24: tags, notes) names it in its data, not as
        # the event's customer, so the customer's own activity never lists it.
        named = event.data.get("customer")
        return {"tenant_id": str(named["tenant_id"]), "company_name": str(named["company_name"])} if isinstance(named, dict) else None
    customer_model = AuditEvent._meta.get_field("customer").related_model
    row = customer_model._default_manager.filter(pk=event.customer_id).values("tenant_id", "company_name").first()
    return {"tenant_id": str(row["tenant_id"]), "company_name": row["company_name"]} if row else None


def webhook_events_on_recorded(*, event: AuditEvent, **kwargs: object) -> None:
    """audit.signals.event_recorded receiver."""
    webhook_events_emit(event=event)


def webhook_events_emit(*, event: AuditEvent) -> list[WebhookDelivery]:
    """Write one delivery per active subscription of the event's partner that wants its type.

    Runs inside the transaction that wrote the audit event (so inside the business transaction):
    the rows commit with the change or not at all; each is published to Celery after commit. The
    partner's active subscriptions are read once per transaction for all its events.
    """
    event_type = EVENT_FOR_ACTION.get(event.action)
    if event_type is None or event.partner_id is None:
        return []
    partner_public_id, active = _active_subscriptions(event.partner_id)
    subscription_ids = [pk for pk, event_types in active if event_type in event_types]
    if not subscription_ids:
        return []
    body = event_body(event=event, event_type=event_type, partner_public_id=partner_public_id, customer=_customer_summary(event))
    event_id = event_id_for(event)
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(subscription_id=subscription_id, partner_id=event.partner_id, event_id=event_id, event_type=event_type,
                        body=body, created_at=event.occurred_at, next_attempt_at=event.occurred_at)
        for subscription_id in subscription_ids
    ])
    for delivery in deliveries:
        transaction.on_commit(partial(webhook_delivery_publish, delivery_id=delivery.pk))
    return deliveries


def webhook_delivery_publish(*, delivery_id: int) -> bool:
    """Hand the row to Celery. A broker outage is logged, not raised: the sweep retries later."""
    from notifications.webhook_tasks import send_webhook_delivery  # noqa: PLC0415 — webhook_tasks imports this module

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
    """Count a delivery that failed for good; at the threshold, disable it, audit that, and send
    `notifications.signals.webhook_subscription_disabled` (partners tells the account admins)."""
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
    audit_record(action=AuditAction.WEBHOOK_SUBSCRIPTION_DISABLED, actor=None,
                 partner=subscription.partner, target=subscription, before={"active": True}, after={"active": False},
                 data={"consecutive_failures": subscription.consecutive_failures})
    webhook_subscription_disabled.send(sender=WebhookSubscription, subscription=subscription)
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
