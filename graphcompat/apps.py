from django.apps import AppConfig


class GraphcompatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "graphcompat"
    verbose_name = "Microsoft Graph-compatible API"
