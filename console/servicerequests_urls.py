from django.urls import path

from console import servicerequests_views as views

app_name = "service_requests"

urlpatterns = [
    path("<str:partner_id>/service-requests/", views.ServiceRequestListView.as_view(), name="list"),
    path("<str:partner_id>/service-requests/export.csv", views.ServiceRequestExportView.as_view(), {"fmt": "csv"}, name="export"),
    path("<str:partner_id>/service-requests/export.xlsx", views.ServiceRequestExportView.as_view(), {"fmt": "xlsx"}, name="export"),
    path("<str:partner_id>/service-requests/new/", views.ServiceRequestCreateView.as_view(), name="create"),
    path("<str:partner_id>/service-requests/<int:pk>/", views.ServiceRequestDetailView.as_view(), name="detail"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/service-requests/", views.ServiceRequestListView.as_view(), name="customer"),
]
