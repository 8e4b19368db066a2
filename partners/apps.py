from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Seams of the layers below (they import nothing from partners): the audit log names partner
        # role codes, and a webhook subscription disabled by notifications is told to account admins.
        from audit.formatting import register_code_label_lookup
        from notifications.signals import webhook_subscription_disabled
        from partners.choices import partner_role_label
        from partners.webhook_services import tell_account_admins_subscription_disabled

        register_code_label_lookup(partner_role_label, priority=20)
        webhook_subscription_disabled.connect(tell_account_admins_subscription_disabled, dispatch_uid="partners.webhook_disabled")
