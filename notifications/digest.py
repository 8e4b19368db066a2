"""The daily digest: one email per person per day with the notifications they chose to get that way.

Idempotent per person and day: the digest's outbox row has the key `digest:<user>:<day>`, written
in the transaction that marks its notifications as carried (`digest_message`), under a lock on the
person's row; a second run the same day finds the key and sends nothing. Nothing is lost: a
notification is carried by exactly one digest, the first after it was written (those written on
the digest's day itself wait for the next one; a day without a run leaves them for the next run).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from accounts.models import User
from notifications.choices import NotificationAudience, NotificationDelivery
from notifications.kinds import notification_title
from notifications.models import Notification, OutboxMessage
from notifications.services import email_enqueue
from partnercenter.links import absolute_path, absolute_url

logger = logging.getLogger(__name__)

MAX_ITEMS = 200  # per digest; the rest goes into the next one (the list page shows them all meanwhile)


def digest_cutoff(day: date) -> datetime:
    """The start of `day` (project time zone): a digest of `day` carries what was written before it."""
    return timezone.make_aware(datetime.combine(day, time.min))


def digest_key(*, user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def _pending(user_id: int, cutoff: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id, delivery=NotificationDelivery.DIGEST,
                                       digest_message__isnull=True, created_at__lt=cutoff)


def _item(notification: Notification) -> dict[str, str]:
    audience = NotificationAudience.PARTNER if notification.partner_id else NotificationAudience.CUSTOMER
    where = notification.partner.name if notification.partner else (
        notification.customer.company_name if notification.customer else "")
    return {"title": notification_title(audience=audience, kind=notification.kind, params=notification.params),
            "where": where, "url": absolute_path(notification.url) if notification.url else "",
            "day": timezone.localtime(notification.created_at).date().isoformat()}


@transaction.atomic
def digest_send_for_user(*, user_id: int, day: date) -> OutboxMessage | None:
    """Send `user_id`'s digest of `day` if it has items and was not sent yet; the digest's outbox row or None."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    key = digest_key(user_id=user_id, day=day)
    if OutboxMessage.objects.filter(idempotency_key=key).exists():
        return None
    items = list(_pending(user_id, digest_cutoff(day)).select_related("partner", "customer")
                 .order_by("created_at", "id")[:MAX_ITEMS])
    if not items:
        return None
    with translation.override(user.preferred_language):
        context = {"items": [_item(notification) for notification in items], "count": len(items),
                   "day": day.isoformat(), "settings_url": absolute_url("home")}
    message = email_enqueue(to=user.email, template="notifications/email/digest", context=context,
                            language=user.preferred_language, idempotency_key=key, topic=f"digest:{user_id}")
    Notification.objects.filter(pk__in=[notification.pk for notification in items]).update(digest_message=message)
    return message


def digests_send(*, now: datetime | None = None) -> int:
    """Send today's digests (from NOTIFICATION_DIGEST_HOUR on; earlier runs do nothing). Run hourly by
    beat: a missed hour is caught up by the next. Returns how many digests were written."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFICATION_DIGEST_HOUR:
        return 0
    day = local.date()
    user_ids = list(Notification.objects.filter(delivery=NotificationDelivery.DIGEST, digest_message__isnull=True,
                                                created_at__lt=digest_cutoff(day))
                    .order_by("user_id").values_list("user_id", flat=True).distinct())
    sent = 0
    for user_id in user_ids:
        if digest_send_for_user(user_id=user_id, day=day) is not None:
            sent += 1
    logger.info("digests sent", extra={"digests": sent, "day": day.isoformat()})
    return sent
