from django.urls import path

from console import subscriptions_views as views

app_name = "subscriptions"

urlpatterns = [
    path("<str:partner_id>/customers/<uuid:tenant_id>/subscriptions/", views.CustomerSubscriptionsView.as_view(), name="list"),
]
