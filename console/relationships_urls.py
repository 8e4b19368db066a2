from django.urls import path

from console import customer_notes_views
from console import relationships_views as views
from console.directory_views import DirectoryUsersView
from console.renewals_views import GrantRenewView

app_name = "relationships"

urlpatterns = [
    path("<str:partner_id>/customers/", views.CustomerListView.as_view(), name="customers"),
    path("<str:partner_id>/customers/export.csv", views.CustomerExportView.as_view(), {"fmt": "csv"}, name="customers_export"),
    path("<str:partner_id>/customers/export.xlsx", views.CustomerExportView.as_view(), {"fmt": "xlsx"}, name="customers_export"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/", views.CustomerRowView.as_view(), name="customer"),
    path("<str:partner_id>/customers/tags/", customer_notes_views.CustomerTagsView.as_view(), name="customer_tags"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/tags/", customer_notes_views.CustomerAnnotationView.as_view(action="tags"),
         name="customer_tags_set"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/notes/", customer_notes_views.CustomerAnnotationView.as_view(action="note"),
         name="customer_note_add"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/notes/<int:note_pk>/",
         customer_notes_views.CustomerAnnotationView.as_view(action="note_change"), name="customer_note"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/users/", DirectoryUsersView.as_view(), name="customer_users"),
    path("<str:partner_id>/customers/<uuid:tenant_id>/remove/", views.RelationshipRemoveView.as_view(), name="customer_remove"),
    path("<str:partner_id>/delegated-admin/", views.GrantListView.as_view(), name="grants"),
    path("<str:partner_id>/delegated-admin/export.csv", views.GrantExportView.as_view(), {"fmt": "csv"}, name="grants_export"),
    path("<str:partner_id>/delegated-admin/export.xlsx", views.GrantExportView.as_view(), {"fmt": "xlsx"}, name="grants_export"),
    path("<str:partner_id>/delegated-admin/request/", views.GrantRequestView.as_view(), name="grant_request"),
    path("<str:partner_id>/delegated-admin/renew/", GrantRenewView.as_view(), name="grant_renew"),
    path("<str:partner_id>/delegated-admin/<int:grant_pk>/", views.GrantDetailView.as_view(), name="grant"),
]
