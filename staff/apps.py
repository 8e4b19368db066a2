from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff console: the MFA-guarded admin site, every Django admin registration, the admin tools."""

    name = "staff"
