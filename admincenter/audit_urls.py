"""The customer admin center's activity page (mounted under /c/, next to admincenter.customers_urls)."""

from django.urls import path

from admincenter import audit_views as views

app_name = "customer_activity"

urlpatterns = [
    path("<uuid:tenant_id>/activity/", views.CustomerActivityView.as_view(), name="list"),
    path("<uuid:tenant_id>/activity/export.csv", views.CustomerActivityExportView.as_view(), name="export"),
]
