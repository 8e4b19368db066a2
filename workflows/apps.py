from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Seam: relationships (below subscriptions) asks its registered sources what blocks a removal.
        from relationships.removal import removal_blocker_source_register
        from workflows.removal import subscription_removal_blockers

        removal_blocker_source_register(subscription_removal_blockers)
