"""/api/v1/invitations, /api/v1/grant-requests (delegated admin invitations) and the reusable link."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.invitations_serializers import (
    GrantRequestCreateSerializer,
    InvitationCreateSerializer,
    InvitationListQuerySerializer,
    InvitationSerializer,
    RelationshipLinkSerializer,
)
from api.views import PartnerApiMixin
from invitations.api_selectors import active_relationship_link, invitation_lock_for_partner
from invitations.choices import InvitationKind
from invitations.closing import invitation_cancel
from invitations.create_services import invitation_create
from invitations.errors import InvitationError
from invitations.links import relationship_link_url
from invitations.models import Invitation
from invitations.selectors import invitation_list_for_partner
from invitations.send_services import invitation_resend
from partnercenter.api.etag import compute_etag, require_if_match
from partnercenter.api.idempotency import idempotent_create
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.no_store import carries_secret
from partners.models import Partner, PartnerMembership
from partners.permissions import ApiScope
from relationships.selectors import active_customers_for_partner

ID_PATTERN = r"[0-9]{1,18}"


def invitation_representation(*, partner: Partner, invitation_pk: int) -> dict[str, Any]:
    """The invitation as the API shows it (with its delivery state); 404 for another partner's."""
    invitation = invitation_list_for_partner(partner=partner).filter(pk=invitation_pk).first()
    if invitation is None:
        raise Http404
    return InvitationSerializer(invitation).data


def create_invitation(*, membership: PartnerMembership, data: dict[str, Any], kind: str, customer: Any = None) -> Invitation:
    """invitation_create, emailing the default draft when asked: one transaction."""
    return invitation_create(
        membership=membership, include_delegated_admin=data.get("include_delegated_admin", True),
        recipient_email=data.get("recipient_email", ""), target_domain=data.get("target_domain", ""),
        language=data["language"], kind=kind, customer=customer, roles=data.get("roles"),
        duration_days=data.get("duration_days"), auto_extend=data.get("auto_extend", False),
        indirect_provider_id=data.get("indirect_provider_id", ""), send_email=bool(data.get("send_email")),
    )


@carries_secret
class InvitationViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Reseller relationship requests and delegated admin requests sent to customers."""

    serializer_class = InvitationSerializer
    pagination_class = ApiCursorPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = {
        "list": ApiScope.INVITATIONS_READ, "retrieve": ApiScope.INVITATIONS_READ,
        "create": ApiScope.INVITATIONS_WRITE, "resend": ApiScope.INVITATIONS_WRITE, "cancel": ApiScope.INVITATIONS_WRITE,
    }
    idempotent_actions = frozenset({"create"})
    if_match_actions = {"resend": False, "cancel": False}
    etag_actions = frozenset({"retrieve", "create", "resend", "cancel"})

    def get_queryset(self) -> Any:
        return invitation_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[InvitationListQuerySerializer], responses=InvitationSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The partner's invitations, newest first, with filters."""
        filters = self.parse_query(InvitationListQuerySerializer)
        queryset = invitation_list_for_partner(partner=self.partner, status=filters.get("status", ""), q=filters.get("q", ""))
        if filters.get("kind"):
            queryset = queryset.filter(kind=filters["kind"])
        if filters.get("source"):
            queryset = queryset.filter(source=filters["source"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        """One invitation, with its ETag."""
        return self.represent(invitation_representation(partner=self.partner, invitation_pk=int(pk)))

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer}, examples=[
        OpenApiExample("Reseller with delegated admin, emailed now", request_only=True, value={
            "include_delegated_admin": True, "recipient_email": "it@northwind.example", "language": "ja", "send_email": True}),
        OpenApiExample("A link to hand over yourself, pinned to a tenant", request_only=True, value={
            "include_delegated_admin": False, "target_domain": "northwind.example"}),
    ])
    def create(self, request: Request) -> Response:
        """Request a reseller relationship (optionally with delegated admin) and, if asked, email it.

        The response carries the personalised `link` to give the customer through any channel.
        """
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def create() -> Response:
            invitation = create_invitation(membership=self.membership, data=serializer.validated_data, kind="reseller")
            return self.created(invitation)

        return idempotent_create(request, partner=self.partner, create=create)

    def created(self, invitation: Invitation) -> Response:
        # invitation_create returns the row as written, with the delivery state the list annotates
        # (`delivery_status`, `delivery_id`): shown as is, without reading it back.
        representation = InvitationSerializer(invitation).data
        location = self.request.build_absolute_uri(reverse("api:invitation-detail", kwargs={"pk": invitation.pk}))
        return self.represent(representation, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def _transition(self, request: Request, pk: str, service: Any) -> Response:
        with transaction.atomic():
            invitation = invitation_lock_for_partner(partner=self.partner, invitation_pk=int(pk))
            current = invitation_representation(partner=self.partner, invitation_pk=invitation.pk)
            require_if_match(request, compute_etag(current), required=False)
            service(invitation=invitation, membership=self.membership)
        return self.represent(invitation_representation(partner=self.partner, invitation_pk=invitation.pk))

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str) -> Response:
        """New link (the previous one stops working) and new expiry; emailed again if it was sent from the portal."""
        return self._transition(request, pk, invitation_resend)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a pending invitation: its link stops working at once."""
        return self._transition(request, pk, invitation_cancel)


@carries_secret
class RelationshipRequestLinkView(PartnerApiMixin, APIView):
    """The partner's reusable relationship link, like Partner Center's GET customers/relationshiprequests."""

    required_scopes = {"get": ApiScope.INVITATIONS_READ}
    etag_actions = frozenset({"get"})

    @extend_schema(operation_id="relationship_request_link_retrieve", responses=RelationshipLinkSerializer)
    def get(self, request: Request) -> Response:
        """Any customer tenant that accepts this link becomes the partner's customer.

        404 (`not_found`) while the partner has no active link: an account admin creates it in
        Partner settings → Reusable link.
        """
        link = active_relationship_link(partner=self.partner)
        if link is None:
            raise NotFound(_("The partner has no active reusable link."))
        return self.represent(RelationshipLinkSerializer({
            "url": relationship_link_url(link), "include_delegated_admin": link.include_delegated_admin,
            "status": link.status, "rotated_at": link.rotated_at,
        }).data)


@carries_secret
class GrantRequestView(PartnerApiMixin, APIView):
    """Ask an existing customer for (more) admin roles without a second relationship."""

    required_scopes = {"post": ApiScope.GRANTS_WRITE}
    idempotent_actions = frozenset({"post"})
    etag_actions = frozenset({"post"})

    @extend_schema(operation_id="grant_requests_create", request=GrantRequestCreateSerializer, responses={201: InvitationSerializer},
                   examples=[OpenApiExample("Helpdesk roles for 180 days", request_only=True, value={
                       "customer_tenant_id": "2fa3a8dc-40bf-4558-a6b5-b688c9cc9446",
                       "roles": ["729827e3-9c14-49f7-bb1b-9608f156bbb8", "f023fd81-a637-4b56-95fd-791ac0226033"],
                       "duration_days": 180, "auto_extend": True, "recipient_email": "it@northwind.example", "send_email": True})])
    def post(self, request: Request) -> Response:
        """Creates a `delegated_admin` invitation (returned, with its `link`); the grant appears, pending the
        customer's approval, when the customer's global admin accepts it."""
        body = GrantRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def create() -> Response:
            customer = active_customers_for_partner(partner=self.partner).filter(tenant_id=data["customer_tenant_id"]).first()
            if customer is None:
                raise InvitationError("not_your_customer", _("Choose one of your customers."), field="customer_tenant_id")
            invitation = create_invitation(membership=self.membership, data={**data, "include_delegated_admin": True},
                                           kind=InvitationKind.DELEGATED_ADMIN, customer=customer)
            location = request.build_absolute_uri(reverse("api:invitation-detail", kwargs={"pk": invitation.pk}))
            return self.represent(invitation_representation(partner=self.partner, invitation_pk=invitation.pk),
                                  status_code=status.HTTP_201_CREATED, headers={"Location": location})

        return idempotent_create(request, partner=self.partner, create=create)
