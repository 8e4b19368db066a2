"""/api/v1/: every resource, the OpenAPI schema and its local UIs (namespace "api")."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from customers.api.views import CustomerViewSet
from invitation_batches.api.views import InvitationBatchViewSet
from invitations.api.views import GrantRequestView, InvitationViewSet, RelationshipRequestLinkView
from notifications.api.views import WebhookDeliveryViewSet, WebhookEventTypesView, WebhookSubscriptionViewSet
from partnercenter.api.views import DOCS_CSP, ApiNotFoundView, RedocView, SchemaView, SwaggerView
from relationships.api.views import GrantViewSet, RelationshipViewSet
from servicerequests.api.views import ServiceRequestViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("customers", CustomerViewSet, basename="customer")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("grants", GrantViewSet, basename="grant")
router.register("webhooks/subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("invitation-batches", InvitationBatchViewSet, basename="invitation-batch")  # issue 10

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DOCS_CSP(SwaggerView.as_view()), name="swagger"),
    path("redoc/", DOCS_CSP(RedocView.as_view()), name="redoc"),
    path("relationship-requests/link", RelationshipRequestLinkView.as_view(), name="relationship-request-link"),
    path("grant-requests", GrantRequestView.as_view(), name="grant-requests"),
    path("webhooks/event-types", WebhookEventTypesView.as_view(), name="webhook-event-types"),
    *router.urls,
    re_path(r"^[\s\S]*$", ApiNotFoundView.as_view(), name="not-found"),  # any path, newlines included
]
