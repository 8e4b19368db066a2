from django.urls import path

from console import domain_views, partner_defaults_views, security_groups_views, sign_in_views
from console import partners_views as views

app_name = "partners"

urlpatterns = [
    path("<str:partner_id>/", views.PartnerOverviewView.as_view(), name="overview"),
    path("<str:partner_id>/settings/users/", views.PartnerUsersView.as_view(), name="users"),
    path(
        "<str:partner_id>/settings/users/<int:membership_pk>/roles/",
        views.PartnerUserRolesView.as_view(),
        name="user_roles",
    ),
    path(
        "<str:partner_id>/settings/users/<int:membership_pk>/remove/",
        views.PartnerUserRemoveView.as_view(),
        name="user_remove",
    ),
    path(
        "<str:partner_id>/settings/user-invitations/<int:invitation_pk>/resend/",
        views.PartnerUserInvitationActionView.as_view(),
        {"action": "resend"},
        name="user_invitation_resend",
    ),
    path(
        "<str:partner_id>/settings/user-invitations/<int:invitation_pk>/cancel/",
        views.PartnerUserInvitationActionView.as_view(),
        {"action": "cancel"},
        name="user_invitation_cancel",
    ),
    path("<str:partner_id>/settings/security-groups/", security_groups_views.SecurityGroupListView.as_view(),
         name="security_groups"),
    path("<str:partner_id>/settings/security-groups/<uuid:object_id>/", security_groups_views.SecurityGroupView.as_view(),
         name="security_group"),
    path("<str:partner_id>/settings/defaults/", partner_defaults_views.PartnerDefaultsView.as_view(), name="defaults"),
    path("<str:partner_id>/settings/domain/", domain_views.DomainVerificationView.as_view(), name="domain"),
    path("<str:partner_id>/settings/sign-in-security/", sign_in_views.SignInSecurityView.as_view(),
         name="sign_in_security"),
    path("<str:partner_id>/settings/sign-ins/", sign_in_views.SignInLogView.as_view(), name="sign_in_log"),
]
