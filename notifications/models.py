from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.choices import DeliveryStatus, NotificationDelivery, NotificationKind, OutboxKind


class OutboxMessage(models.Model):
    """One email (later: webhook) to deliver, written in the business transaction that caused it.

    After commit the row is published to Celery; the periodic sweep republishes rows still
    queued, so a broker outage delays delivery but loses nothing. The body is sealed (Fernet):
    it may carry links with live tokens. `idempotency_key` makes enqueueing the same message
    twice return the first row.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=OutboxKind.choices, default=OutboxKind.EMAIL)
    template = models.CharField(_("template"), max_length=120)
    recipient = models.CharField(_("recipient"), max_length=320)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    sealed_body = models.TextField(editable=False)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    topic = models.CharField(_("topic"), max_length=80, blank=True, db_index=True,
                             help_text=_("What the message is about, e.g. invitation:42."))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["partner", "status"], name="outbox_partner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.FAILED) | Q(failed_at__isnull=False), name="outbox_failed_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENDING) | Q(claimed_at__isnull=False),
                name="outbox_sending_has_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} to {self.recipient}: {self.subject}"


class MailboxMessage(models.Model):
    """An email as it left the system in embedded mode (`make run`), shown on the mailbox page.

    Written by notifications.mailbox.MailboxEmailBackend instead of SMTP; never used in production.
    """

    to = models.CharField(_("to"), max_length=1000)
    from_email = models.CharField(_("from"), max_length=320)
    subject = models.CharField(_("subject"), max_length=300)
    text_body = models.TextField(_("text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("mailbox message")
        verbose_name_plural = _("mailbox messages")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class WebhookSubscription(models.Model):
    """A partner's HTTPS endpoint and the event types it receives, signed with the subscription's secret.

    The secret is shown once (at creation and at each rotation) and kept sealed (Fernet), since
    every delivery must be signed with it. After a rotation the previous secret also signs
    deliveries until `previous_secret_expires_at`, so receivers can switch without losing events.
    `consecutive_failures` counts deliveries that failed for good in a row; at
    WEBHOOK_DISABLE_AFTER_FAILURES the subscription is disabled and the account admins are told.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    sealed_secret = models.TextField(editable=False)
    previous_sealed_secret = models.TextField(editable=False, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), default=timezone.now)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "active"], name="webhook_sub_partner_active")]

    def __str__(self) -> str:
        return f"{self.url} ({self.partner_id})"


class WebhookDelivery(models.Model):
    """One event for one subscription: the exact body that is signed and posted, and how it went.

    Written in the transaction of the change that caused the event (outbox), published to Celery
    after commit; the periodic sweep republishes rows left behind. States as for emails:
    queued → sending → sent, or back to queued with backoff, or failed after the last attempt.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event type"), max_length=64)
    body = models.TextField(_("body"), editable=False)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["partner", "created_at"], name="webhook_delivery_partner_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_one_per_event"),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False), name="webhook_delivery_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.FAILED) | Q(failed_at__isnull=False),
                name="webhook_delivery_failed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENDING) | Q(claimed_at__isnull=False),
                name="webhook_delivery_sending_has_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.subscription.url}"


class Notification(models.Model):
    """One thing one person was told, in the product: a row of their in-app list (read or unread).

    Written in the transaction of the change it is about (by notifications.inbox.notify_user), for a
    user in one partner (console) or one customer (admin center): nobody else ever reads it. `params`
    word it in the reader's language (notifications.kinds). `delivery` is what the person's preference
    decided for the email at that moment; a `digest` row waits for the daily digest until
    `digest_message` (the digest email that carried it) is set.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    params = models.JSONField(_("details"), default=dict)
    url = models.CharField(_("link"), max_length=500, blank=True)
    delivery = models.CharField(_("email"), max_length=16, choices=NotificationDelivery.choices)
    # What it is about, once per person (e.g. "grant:7:reminder:30:…:12"): telling twice is a no-op.
    key = models.CharField(_("key"), max_length=200, blank=True)
    digest_message = models.ForeignKey(OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "partner", "created_at"], name="notification_user_partner"),
            models.Index(fields=["user", "customer", "created_at"], name="notification_user_customer"),
            models.Index(fields=["user", "created_at"], name="notification_digest_due",
                         condition=Q(delivery="digest", digest_message__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(partner__isnull=True) | Q(customer__isnull=True),
                                   name="notification_one_context"),
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class NotificationPreference(models.Model):
    """A person's own choice of email for one kind, in one partner (console) or one customer (admin
    center). It overrides the partner's default (PartnerNotificationDefault); without either the
    kind's default applies (notifications.preferences.notification_delivery_for)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notification_preferences")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    delivery = models.CharField(_("email"), max_length=16, choices=NotificationDelivery.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(condition=Q(partner__isnull=True) ^ Q(customer__isnull=True),
                                   name="notification_pref_one_context"),
            models.UniqueConstraint(fields=["user", "partner", "kind"], condition=Q(partner__isnull=False),
                                    name="notification_pref_one_per_partner_kind"),
            models.UniqueConstraint(fields=["user", "customer", "kind"], condition=Q(customer__isnull=False),
                                    name="notification_pref_one_per_customer_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class PartnerNotificationDefault(models.Model):
    """What a partner's users get for one kind until they choose themselves (set by account admins)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    delivery = models.CharField(_("email"), max_length=16, choices=NotificationDelivery.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner notification default")
        verbose_name_plural = _("partner notification defaults")
        constraints = [models.UniqueConstraint(fields=["partner", "kind"], name="notification_default_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.kind}: {self.delivery}"
