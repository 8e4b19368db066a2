from django.urls import path

from console import customers_views as partner_views

app_name = "partner_customers"

urlpatterns = [
    path("<str:partner_id>/customers/new/", partner_views.CustomerCreateView.as_view(), name="create"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/agreement/", partner_views.AgreementAttestView.as_view(), name="attest"),
]
