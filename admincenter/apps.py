from django.apps import AppConfig


class AdminCenterConfig(AppConfig):
    """Customer admin center pages (/c/...) and the public acceptance pages (/r/...)."""

    name = "admincenter"
