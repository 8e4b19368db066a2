"""/api/v1/customers: the partner's customers (tenants with an active relationship)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.customers_serializers import (
    CustomerCreateSerializer,
    CustomerListQuerySerializer,
    CustomerNoteSerializer,
    CustomerSerializer,
    CustomerTagSerializer,
    CustomerTagsSerializer,
    PartnerCreatedCustomerSerializer,
)
from api.views import PartnerApiMixin
from partnercenter.api.idempotency import idempotent_create
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.no_store import carries_secret
from partners.models import Partner
from partners.permissions import ApiScope
from relationships.customer_note_selectors import (
    customer_note_get,
    customer_notes_for,
    customer_tag_by_name,
    customer_tags_for_partner,
    customer_tags_of,
    tag_names_of_customer,
)
from relationships.customer_notes import customer_note_add, customer_note_delete, customer_note_edit, customer_tags_set
from relationships.models import CustomerNote, Relationship
from relationships.selectors import customer_list_for_partner, relationship_for_partner_customer
from workflows.customer_creation import customer_create_for_partner

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class CustomerPagination(ApiCursorPagination):
    ordering = ("-established_at", "-id")


def _customer_rows(relationships: QuerySet[Relationship], partner: Partner) -> QuerySet[Relationship, dict[str, Any]]:
    """The rows CustomerSerializer shows, with the partner's tag names in the same query."""
    return relationships.annotate(tags=tag_names_of_customer(partner=partner)).values(*CustomerSerializer.ROW_FIELDS, "tags")


# The first page without filters (most of this list's requests), compiled once per process (issue 25):
# DRF's CursorPagination orders and slices the same rows (`[0:page_size + 1]`) for a request without a cursor.
_FIRST_PAGE = CompiledQuery(lambda values: _customer_rows(customer_list_for_partner(partner=Partner(pk=values[0])), Partner(pk=values[0]))
                            .order_by(*CustomerPagination.ordering)[: int(values[1])])


@carries_secret
class CustomerViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    serializer_class = CustomerSerializer
    pagination_class = CustomerPagination
    lookup_field = "tenant_id"
    lookup_value_regex = UUID_PATTERN
    required_scopes = {"list": ApiScope.CUSTOMERS_READ, "retrieve": ApiScope.CUSTOMERS_READ, "create": ApiScope.CUSTOMERS_WRITE,
                       "tags": ApiScope.CUSTOMERS_READ, "tags_set": ApiScope.CUSTOMERS_WRITE,
                       "notes": ApiScope.CUSTOMERS_READ, "note_add": ApiScope.CUSTOMERS_WRITE,
                       "note_update": ApiScope.CUSTOMERS_WRITE, "note_delete": ApiScope.CUSTOMERS_WRITE}
    idempotent_actions = frozenset({"create"})
    etag_actions = frozenset({"retrieve", "create"})
    compiled_first_page = True  # the first page without filters through _FIRST_PAGE (tests compare it with DRF's own path)

    def get_queryset(self) -> Any:
        return customer_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[CustomerListQuerySerializer], responses=CustomerSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The partner's customers, most recent relationship first."""
        filters = self.parse_query(CustomerListQuerySerializer)
        tag_id: int | None = None
        if filters.get("tag"):
            tag = customer_tag_by_name(partner=self.partner, name=filters["tag"])
            tag_id = tag.pk if tag is not None else 0  # an unknown name: no customer
        paginator = cast(CustomerPagination, self.paginator)
        if self.compiled_first_page and not filters.get("q") and not filters.get("tag") and paginator.cursor_query_param not in request.query_params:
            partner_pk = self.partner.pk
            page = paginator.paginate_first_page(lambda limit: _FIRST_PAGE.fetch([partner_pk, limit]), request, view=self) or []
        else:
            rows = self._rows(customer_list_for_partner(partner=self.partner, q=filters.get("q", ""), tag=tag_id))
            page = self.paginate_queryset(rows) or []
        return self.get_paginated_response(CustomerSerializer(page, many=True).data)

    def _rows(self, relationships: QuerySet[Relationship]) -> QuerySet[Relationship, dict[str, Any]]:
        return _customer_rows(relationships, self.partner)

    def _relationship(self, tenant_id: str) -> Relationship:
        return relationship_for_partner_customer(partner=self.partner, tenant_id=tenant_id)

    def retrieve(self, request: Request, tenant_id: str) -> Response:
        """One customer by tenant id; a tenant without an active relationship with this partner answers 404."""
        relationship = self._rows(customer_list_for_partner(partner=self.partner).filter(customer__tenant_id=tenant_id)).first()
        if relationship is None:
            raise Http404
        return self.represent(CustomerSerializer(relationship).data)

    @extend_schema(methods=["GET"], request=None, responses=CustomerTagsSerializer)
    @action(detail=True, methods=["get"], url_path="tags")
    def tags(self, request: Request, tenant_id: str) -> Response:
        """The customer's tags (yours only: private to your organisation)."""
        relationship = self._relationship(tenant_id)
        return self.represent({"tags": [t.name for t in customer_tags_of(partner=self.partner, customer=relationship.customer)]})

    @extend_schema(request=CustomerTagsSerializer, responses=CustomerTagsSerializer)
    @tags.mapping.put
    def tags_set(self, request: Request, tenant_id: str) -> Response:
        """Replace the customer's tags; a name none of your tags has creates the tag."""
        body = CustomerTagsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tags = customer_tags_set(actor=self.membership, relationship=self._relationship(tenant_id), names=body.validated_data["tags"])
        return self.represent({"tags": [t.name for t in tags]})

    @extend_schema(methods=["GET"], request=None, responses=CustomerNoteSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="notes", pagination_class=None)
    def notes(self, request: Request, tenant_id: str) -> Response:
        """Your organisation's notes on the customer, newest first (at most 200)."""
        relationship = self._relationship(tenant_id)
        notes = customer_notes_for(partner=self.partner, customer=relationship.customer)[:200]
        return self.represent(CustomerNoteSerializer(notes, many=True).data)

    @extend_schema(request=CustomerNoteSerializer, responses={201: CustomerNoteSerializer})
    @notes.mapping.post
    def note_add(self, request: Request, tenant_id: str) -> Response:
        """Write a note on the customer (the key's name is its author)."""
        body = CustomerNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = customer_note_add(actor=self.membership, relationship=self._relationship(tenant_id), body=body.validated_data["body"])
        return self.represent(CustomerNoteSerializer(note).data, status_code=status.HTTP_201_CREATED)

    def _note(self, tenant_id: str, note_id: str) -> CustomerNote:
        relationship = self._relationship(tenant_id)
        return customer_note_get(partner=self.partner, customer=relationship.customer, note_pk=int(note_id))

    @extend_schema(request=CustomerNoteSerializer, responses=CustomerNoteSerializer)
    @action(detail=True, methods=["patch"], url_path=r"notes/(?P<note_id>[0-9]{1,18})")
    def note_update(self, request: Request, tenant_id: str, note_id: str) -> Response:
        """Change a note's text: its author (the same key) or an account admin only."""
        body = CustomerNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = customer_note_edit(actor=self.membership, note=self._note(tenant_id, note_id), body=body.validated_data["body"])
        return self.represent(CustomerNoteSerializer(note).data)

    @extend_schema(request=None, responses={204: None})
    @note_update.mapping.delete
    def note_delete(self, request: Request, tenant_id: str, note_id: str) -> Response:
        """Delete a note: its author (the same key) or an account admin only. Its text stays in the activity log."""
        customer_note_delete(actor=self.membership, note=self._note(tenant_id, note_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


    @extend_schema(request=CustomerCreateSerializer, responses={201: PartnerCreatedCustomerSerializer}, examples=[
        OpenApiExample("A new tenant for Northwind", request_only=True, value={
            "company_name": "Northwind Traders", "primary_domain": "northwind.example", "country": "JP",
            "admin_email": "it@northwind.example", "language": "ja", "include_delegated_admin": False}),
    ])
    def create(self, request: Request) -> Response:
        """Create a new customer, as Partner Center does: the tenant (status `pending_acceptance`) and a reseller
        invitation emailed to its first global admin. When the admin accepts, the admin joins this tenant and
        the customer appears in `GET /customers`; until then `GET /customers/{tenant_id}` answers 404.
        `Location` names the invitation, which tracks the acceptance."""
        body = CustomerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def create() -> Response:
            created = customer_create_for_partner(
                membership=self.membership, company_name=data["company_name"], primary_domain=data["primary_domain"],
                country=data["country"], admin_email=data["admin_email"], language=data["language"],
                include_delegated_admin=data["include_delegated_admin"],
            )
            invitation = created.invitation
            location = request.build_absolute_uri(reverse("api:invitation-detail", kwargs={"pk": invitation.pk}))
            representation = PartnerCreatedCustomerSerializer({
                "customer": created.customer,
                "invitation": {"id": invitation.pk, "status": invitation.status, "sent_to": invitation.sent_to,
                               "expires_at": invitation.expires_at, "url": location},
            }).data
            return self.represent(representation, status_code=status.HTTP_201_CREATED, headers={"Location": location})

        return idempotent_create(request, partner=self.partner, create=create)


class CustomerTagViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Your organisation's customer tags (private: never shown to customers or other partners)."""

    serializer_class = CustomerTagSerializer
    pagination_class = None
    required_scopes = {"list": ApiScope.CUSTOMERS_READ}

    def get_queryset(self) -> Any:
        return customer_tags_for_partner(partner=self.partner)

    @extend_schema(responses=CustomerTagSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every tag of yours by name, with how many customers carry it (at most 1,000)."""
        return self.represent(CustomerTagSerializer(customer_tags_for_partner(partner=self.partner)[:1000], many=True).data)
