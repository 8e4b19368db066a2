from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "invitations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models are not ready when apps.py is imported.
        from invitations.email_failures import invitation_email_failed
        from invitations.relationship_links import on_partner_created
        from notifications.signals import outbox_message_failed
        from partners.signals import partner_created

        # Seam of notifications (which imports nothing from invitations).
        outbox_message_failed.connect(invitation_email_failed, dispatch_uid="invitations.email_failed")
        # Seam of partners: a new partner gets its reusable link in partner_create's transaction.
        partner_created.connect(on_partner_created, dispatch_uid="invitations.partner_link")
