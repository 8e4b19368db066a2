from django.urls import path

from console import webhook_views

app_name = "webhooks"

urlpatterns = [
    path("<str:partner_id>/settings/webhooks/", webhook_views.WebhooksView.as_view(), name="list"),
    path("<str:partner_id>/settings/webhooks/deliveries/<int:delivery_pk>/redeliver/", webhook_views.WebhookRedeliverView.as_view(),
         name="redeliver"),
]
