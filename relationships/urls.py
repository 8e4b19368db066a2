from django.urls import path

from relationships import views

app_name = "relationships"

urlpatterns = [
    path("<str:partner_id>/customers/", views.CustomerListView.as_view(), name="customers"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/", views.CustomerRowView.as_view(), name="customer"),
]
