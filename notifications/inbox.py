"""The in-app notification list, and the one way the product tells a person something (issue 24, item 6).

`notify_user` writes the person's notification and, as their preference says
(notifications.preferences.notification_delivery_for), emails it now, keeps it for the daily
digest (notifications.digest) or sends no email. Called inside the business transaction: the
notification, the outbox row and the change commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from notifications.choices import NotificationAudience, NotificationDelivery
from notifications.models import Notification
from notifications.preferences import notification_delivery_for
from notifications.services import email_enqueue_rendered, email_render

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class EmailSpec:
    """The email to send when the person wants it right away (rendered in their language)."""

    template: str
    context: dict[str, Any]
    idempotency_key: str
    topic: str = ""
    partner: models.Model | None = None
    customer: models.Model | None = None
    new_key: bool = False


def notify_user(
    *,
    user: User,
    kind: str,
    audience: str,
    params: dict[str, Any],
    url: str = "",
    partner_id: int | None = None,
    customer_id: int | None = None,
    email: EmailSpec | None = None,
) -> Notification:
    """Tell `user` about `kind` in one partner (audience partner) or one customer (audience customer).

    Idempotent per person and `email.idempotency_key` (the notification's key too).
    Post: a Notification row (unread) in the person's list; an outbox email when their preference is
    `immediate` (and `email` is given); a `digest` row waits for the daily digest; `off` sends nothing.
    """
    key = email.idempotency_key if email is not None else ""
    if key and not (email is not None and email.new_key):
        existing = Notification.objects.filter(user=user, key=key).first()
        if existing is not None:
            return existing  # told already (a retried task, a second run): nothing more
    delivery = notification_delivery_for(user=user, kind=kind, audience=audience, partner_id=partner_id,
                                         customer_id=customer_id)
    notification = Notification.objects.create(
        user=user, kind=kind, params=params, url=url[:500], delivery=delivery, key=key[:200],
        partner_id=partner_id if audience == NotificationAudience.PARTNER else None,
        customer_id=customer_id if audience == NotificationAudience.CUSTOMER else None,
    )
    if delivery == NotificationDelivery.IMMEDIATE and email is not None:
        email_enqueue_rendered(
            to=user.email, template=email.template,
            rendered=email_render(template=email.template, context=email.context, language=user.preferred_language),
            language=user.preferred_language, partner=email.partner, customer=email.customer,
            idempotency_key=email.idempotency_key, topic=email.topic, new_key=email.new_key,
        )
    return notification


# --- Reads -----------------------------------------------------------------------------------------


def notifications_for(*, user: User, partner_id: int | None = None, customer_id: int | None = None) -> QuerySet[Notification]:
    """The person's own notifications in this partner or customer, newest first (nobody else's, ever)."""
    if (partner_id is None) == (customer_id is None):
        raise ValueError("give exactly one of partner_id and customer_id")
    if partner_id is not None:
        return Notification.objects.filter(user=user, partner_id=partner_id).order_by("-created_at", "-id")
    assert customer_id is not None
    return Notification.objects.filter(user=user, customer_id=customer_id).order_by("-created_at", "-id")


def unread_count(*, user: User, partner_id: int | None = None, customer_id: int | None = None) -> int:
    return notifications_for(user=user, partner_id=partner_id, customer_id=customer_id).filter(read_at__isnull=True).count()


# --- Writes ----------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int, partner_id: int | None = None,
                           customer_id: int | None = None) -> Notification | None:
    """Mark one of the person's notifications read (idempotent). None when it is not theirs in this
    partner or customer (the interfaces answer 404: another person's notification does not exist for them)."""
    notification = notifications_for(user=user, partner_id=partner_id, customer_id=customer_id).filter(
        pk=notification_id).first()
    if notification is None:
        return None
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User, partner_id: int | None = None, customer_id: int | None = None) -> int:
    """Mark every unread notification of the person in this partner or customer read; how many."""
    return notifications_for(user=user, partner_id=partner_id, customer_id=customer_id).filter(
        read_at__isnull=True).update(read_at=timezone.now())
