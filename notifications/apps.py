from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from audit.signals import event_recorded


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models are not ready when apps.py is imported.
        from notifications.models import WebhookSubscription
        from notifications.webhook_services import webhook_events_on_recorded, webhook_subscriptions_cache_forget

        # Seam of audit: every recorded event may raise a webhook event, written in the same transaction.
        event_recorded.connect(webhook_events_on_recorded, dispatch_uid="notifications.webhook_events")
        for signal in (post_save, post_delete):
            signal.connect(webhook_subscriptions_cache_forget, sender=WebhookSubscription, dispatch_uid=f"notifications.subscriptions_{signal is post_save}")
