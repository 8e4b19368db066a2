from django.apps import AppConfig


class ApiConfig(AppConfig):
    """/api/v1: serializers, viewsets, urls, the OpenAPI schema (shared API infrastructure: partnercenter.api)."""

    name = "api"
