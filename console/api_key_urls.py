from django.urls import path

from console import api_key_views

app_name = "api_keys"

urlpatterns = [
    path("<str:partner_id>/settings/api-keys/", api_key_views.ApiKeysView.as_view(), name="list"),
    path("<str:partner_id>/settings/api-keys/<int:api_key_pk>/revoke/", api_key_views.ApiKeyRevokeView.as_view(), name="revoke"),
]
