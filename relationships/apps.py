from django.apps import AppConfig

from partnercenter.directory_roles import BY_ID


def directory_role_label(code: str) -> str | None:
    """A directory role id in words, or None if `code` is not one (the audit log's lookup)."""
    return str(BY_ID[code].name) if code in BY_ID else None


class RelationshipsConfig(AppConfig):
    name = "relationships"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A seam of audit (which imports nothing from relationships): the audit log names directory roles.
        from audit.formatting import register_code_label_lookup

        register_code_label_lookup(directory_role_label, priority=10)
