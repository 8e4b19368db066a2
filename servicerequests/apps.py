from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "servicerequests"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        # Registers this app's target conditions with partners.authz (a seam: partners cannot import servicerequests).
        from servicerequests import permissions  # noqa: F401
