from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationBatchesConfig(AppConfig):
    name = "invitation_batches"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Bulk invitations")
