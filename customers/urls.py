from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("<uuid:tenant_id>/", views.CustomerOverviewView.as_view(), name="overview"),
    path("<uuid:tenant_id>/partners/", views.CustomerPartnersView.as_view(), name="partners"),
]
