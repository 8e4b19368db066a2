from django.urls import path

from console import invitation_batches_views as views

app_name = "invitation_batches"

urlpatterns = [
    path("<str:partner_id>/invitations/bulk/", views.BatchUploadView.as_view(), name="upload"),
    path("<str:partner_id>/invitations/bulk/template.csv", views.BatchTemplateView.as_view(), name="template"),
    path("<str:partner_id>/invitations/bulk/<int:batch_pk>/", views.BatchDetailView.as_view(), name="detail"),
    path("<str:partner_id>/invitations/bulk/<int:batch_pk>/confirm/", views.BatchConfirmView.as_view(), name="confirm"),
    path("<str:partner_id>/invitations/bulk/<int:batch_pk>/progress.json", views.BatchProgressView.as_view(), name="progress"),
    path("<str:partner_id>/invitations/bulk/<int:batch_pk>/result.csv", views.BatchResultCsvView.as_view(), name="result_csv"),
    # Bulk delegated admin for existing customers (issue 24).
    path("<str:partner_id>/customers/delegated-admin/", views.GdapBatchCreateView.as_view(), name="gdap_new"),
    path("<str:partner_id>/customers/delegated-admin/<int:batch_pk>/", views.GdapBatchDetailView.as_view(), name="gdap_detail"),
    path("<str:partner_id>/customers/delegated-admin/<int:batch_pk>/progress.json", views.GdapBatchProgressView.as_view(), name="gdap_progress"),
    path("<str:partner_id>/customers/delegated-admin/<int:batch_pk>/result.csv", views.GdapBatchResultCsvView.as_view(), name="gdap_result_csv"),
]
