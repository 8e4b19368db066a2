from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationBatchesConfig(AppConfig):
    name = "invitation_batches"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Bulk invitations")

    def ready(self) -> None:
        from audit.signals import event_recorded
        from invitation_batches.renewals import renewal_assignments_on_approval

        # Renewals (issue 24): an approved renewal keeps the renewed grant's security-group assignments.
        event_recorded.connect(renewal_assignments_on_approval, dispatch_uid="invitation_batches.renewal_assignments")
