from django.urls import path

from console import funnel_views
from console import invitations_views as views

app_name = "invitations"

urlpatterns = [
    path("<str:partner_id>/customers/request/", views.RequestRelationshipView.as_view(), name="request"),
    path("<str:partner_id>/invitations/", views.InvitationListView.as_view(), name="list"),
    path("<str:partner_id>/invitations/export.csv", views.InvitationExportView.as_view(), {"fmt": "csv"}, name="export"),
    path("<str:partner_id>/invitations/export.xlsx", views.InvitationExportView.as_view(), {"fmt": "xlsx"}, name="export"),
    path("<str:partner_id>/invitations/<int:invitation_pk>/draft/", views.DraftView.as_view(), name="draft"),
    path("<str:partner_id>/invitations/<int:invitation_pk>/resend/", views.InvitationActionView.as_view(), {"action": "resend"}, name="resend"),
    path("<str:partner_id>/invitations/<int:invitation_pk>/cancel/", views.InvitationActionView.as_view(), {"action": "cancel"}, name="cancel"),
    path("<str:partner_id>/settings/relationship-link/", views.RelationshipLinkView.as_view(), name="link"),
    path("<str:partner_id>/insights/onboarding/", funnel_views.FunnelView.as_view(), name="funnel"),
    path("<str:partner_id>/insights/onboarding/funnel.csv", funnel_views.FunnelCsvView.as_view(), name="funnel_csv"),
]
