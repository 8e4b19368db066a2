from django.urls import path

from console import audit_views as views

app_name = "audit"

urlpatterns = [
    path("<str:partner_id>/activity/", views.PartnerActivityView.as_view(), name="activity"),
    path("<str:partner_id>/activity/export.csv", views.PartnerActivityExportView.as_view(), name="activity_export"),
]
