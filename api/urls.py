"""/api/v1/: every resource, the OpenAPI schema and its local UIs (namespace "api")."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from api.customers_views import CustomerTagViewSet, CustomerViewSet
from api.delegated_admin_batches_views import DelegatedAdminBatchViewSet
from api.exports_views import CustomerExportView, GrantExportView, InvitationExportView, ServiceRequestExportView
from api.invitation_batches_views import InvitationBatchViewSet
from api.invitations_views import GrantRequestView, InvitationViewSet, RelationshipRequestLinkView
from api.notifications_views import WebhookDeliveryViewSet, WebhookEventTypesView, WebhookSubscriptionViewSet
from api.partner_settings_views import PartnerSettingsView
from api.relationships_views import GrantViewSet, RelationshipViewSet
from api.saved_views_views import SavedViewViewSet
from api.search_views import SearchView
from api.security_groups_views import SecurityGroupViewSet
from api.servicerequests_views import ServiceRequestViewSet
from api.views import DOCS_CSP, ApiNotFoundView, RedocView, SchemaView, SwaggerView

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("customers", CustomerViewSet, basename="customer")
router.register("customer-tags", CustomerTagViewSet, basename="customer-tag")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("grants", GrantViewSet, basename="grant")
router.register("security-groups", SecurityGroupViewSet, basename="security-group")  # issue 23
router.register("webhooks/subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("invitation-batches", InvitationBatchViewSet, basename="invitation-batch")  # issue 10
router.register("saved-views", SavedViewViewSet, basename="saved-view")  # issue 24, item 3
router.register("delegated-admin-batches", DelegatedAdminBatchViewSet, basename="delegated-admin-batch")  # issue 24

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DOCS_CSP(SwaggerView.as_view()), name="swagger"),
    path("redoc/", DOCS_CSP(RedocView.as_view()), name="redoc"),
    path("relationship-requests/link", RelationshipRequestLinkView.as_view(), name="relationship-request-link"),
    path("grant-requests", GrantRequestView.as_view(), name="grant-requests"),
    path("partner-settings", PartnerSettingsView.as_view(), name="partner-settings"),  # issue 24, item 7
    path("webhooks/event-types", WebhookEventTypesView.as_view(), name="webhook-event-types"),
    # issue 24, item 3: the lists as files (before the router: "export" is no object id)
    path("customers/export", CustomerExportView.as_view(), name="customers-export"),
    path("invitations/export", InvitationExportView.as_view(), name="invitations-export"),
    path("grants/export", GrantExportView.as_view(), name="grants-export"),
    path("service-requests/export", ServiceRequestExportView.as_view(), name="service-requests-export"),
    path("search", SearchView.as_view(), name="search"),  # issue 24, item 4
    *router.urls,
    re_path(r"^[\s\S]*$", ApiNotFoundView.as_view(), name="not-found"),  # any path, newlines included
]
