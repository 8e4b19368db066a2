from django.urls import path

from customers import sign_in_views, views

app_name = "customers"

urlpatterns = [
    path("<uuid:tenant_id>/", views.CustomerOverviewView.as_view(), name="overview"),
    path("<uuid:tenant_id>/partners/", views.CustomerPartnersView.as_view(), name="partners"),
    path("<uuid:tenant_id>/sign-ins/", sign_in_views.CustomerSignInLogView.as_view(), name="sign_ins"),
]
