from django.urls import path

from admincenter import customers_views as views
from admincenter import sign_in_views

app_name = "customers"

urlpatterns = [
    path("<uuid:tenant_id>/", views.CustomerOverviewView.as_view(), name="overview"),
    path("<uuid:tenant_id>/partners/", views.CustomerPartnersView.as_view(), name="partners"),
    path("<uuid:tenant_id>/sign-ins/", sign_in_views.CustomerSignInLogView.as_view(), name="sign_ins"),
]
