"""Seams notifications offers to the apps above it (it imports none of them).

Both are sent inside the transaction that made the change, so what a receiver writes commits or
rolls back with it. Apps connect in their AppConfig.ready().
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: subscription (WebhookSubscription, just disabled after too many failed deliveries).
# partners tells the partner's account admins.
webhook_subscription_disabled = Signal()

# kwargs: message (OutboxMessage, just marked failed for good), error (str). The app that sent the
# email (known by its template and topic) records what that failure means to it.
outbox_message_failed = Signal()
