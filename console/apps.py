from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Partner console pages (/p/..., the home page, /join/, the local mailbox): views, forms, urls, template tags."""

    name = "console"
