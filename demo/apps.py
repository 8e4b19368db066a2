from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` (and the seed for benchmarks), built only through services."""

    name = "demo"
