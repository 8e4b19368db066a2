from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's target conditions with partners.authz (a seam: partners cannot import directory).
        from directory import permissions  # noqa: F401
