from django.urls import path

from admincenter import servicerequests_views as views

app_name = "customer_service_requests"

urlpatterns = [
    path("<uuid:tenant_id>/service-requests/", views.CustomerServiceRequestListView.as_view(), name="list"),
    path("<uuid:tenant_id>/service-requests/<int:pk>/", views.CustomerServiceRequestDetailView.as_view(), name="detail"),
]
