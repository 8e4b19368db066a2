"""/api/v1/delegated-admin-batches: the same admin roles requested from many customers, and the progress."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.delegated_admin_batches_serializers import (
    DelegatedAdminBatchCreateSerializer,
    DelegatedAdminBatchRowSerializer,
    DelegatedAdminBatchSerializer,
    DelegatedAdminRenewalCreateSerializer,
)
from api.invitation_batches_views import RowCursorPagination
from api.views import PartnerApiMixin
from invitation_batches.choices import BatchSource, GdapRowStatus
from invitation_batches.gdap_selectors import gdap_batch_get_for_partner, gdap_batch_list_for_partner, gdap_batch_rows
from invitation_batches.gdap_services import delegated_admin_batch_create
from invitation_batches.renewals import delegated_admin_renewal_batch_create
from partnercenter.api.idempotency import idempotent_create
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.api.parsers import StrictJSONParser
from partners.permissions import ApiScope


class DelegatedAdminBatchViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Bulk delegated admin: one `delegated_admin` request per customer, made by one background job."""

    serializer_class = DelegatedAdminBatchSerializer
    pagination_class = ApiCursorPagination
    parser_classes = [StrictJSONParser]
    lookup_value_regex = r"[0-9]{1,18}"
    required_scopes = {
        "list": ApiScope.GRANTS_READ, "retrieve": ApiScope.GRANTS_READ, "rows": ApiScope.GRANTS_READ,
        "create": ApiScope.GRANTS_WRITE, "renewals": ApiScope.GRANTS_WRITE,
    }
    idempotent_actions = frozenset({"create", "renewals"})
    etag_actions = frozenset({"retrieve"})

    def get_queryset(self) -> Any:
        return gdap_batch_list_for_partner(partner=self.partner)

    def list(self, request: Request) -> Response:
        """The partner's bulk delegated admin requests, newest first."""
        page = self.paginate_queryset(gdap_batch_list_for_partner(partner=self.partner))
        return self.get_paginated_response(DelegatedAdminBatchSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        """Status and counters (created, already covered, not allowed); poll while `queued` or `running`."""
        return self.represent(DelegatedAdminBatchSerializer(gdap_batch_get_for_partner(partner=self.partner, batch_pk=int(pk))).data)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=GdapRowStatus.values, required=False)],
                   responses=DelegatedAdminBatchRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=RowCursorPagination)
    def rows(self, request: Request, pk: str) -> Response:
        """Each customer's result in the order given: `created` (with the invitation id), `covered` or `not_allowed`, with the reason."""
        batch = gdap_batch_get_for_partner(partner=self.partner, batch_pk=int(pk))
        only = request.query_params.get("status", "")
        page = self.paginate_queryset(gdap_batch_rows(batch=batch, only=only if only in GdapRowStatus.values else ""))
        return self.get_paginated_response(DelegatedAdminBatchRowSerializer(page, many=True).data)

    @extend_schema(
        request=DelegatedAdminBatchCreateSerializer, responses={202: DelegatedAdminBatchSerializer},
        examples=[OpenApiExample("Helpdesk roles for three customers", request_only=True, value={
            "customers": ["2fa3a8dc-40bf-4558-a6b5-b688c9cc9446", "northwind.example", "tailspin.example"],
            "role_bundle": "helpdesk", "duration_days": 180, "auto_extend": True, "language": "en"})],
    )
    def create(self, request: Request) -> Response:
        """Queue one job that asks each customer for the roles (202), as `POST /grant-requests` does for one.

        Each customer's global admin is emailed the request. A customer whose active or pending grant (or pending
        request) already carries every role is `covered`; one that is not yours is `not_allowed` (`not_found`).
        Follow progress at `GET /delegated-admin-batches/{id}` and the results at `.../rows`.
        """
        body = DelegatedAdminBatchCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def create() -> Response:
            batch = delegated_admin_batch_create(
                membership=self.membership, identifiers=data["customers"], roles=data["roles"], duration_days=data["duration_days"],
                auto_extend=data["auto_extend"], language=data["language"], source=BatchSource.API, api_key=self.principal.api_key,
            )
            location = request.build_absolute_uri(reverse("api:delegated-admin-batch-detail", kwargs={"pk": batch.pk}))
            return Response(DelegatedAdminBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

        return idempotent_create(request, partner=self.partner, create=create)

    @extend_schema(
        request=DelegatedAdminRenewalCreateSerializer, responses={202: DelegatedAdminBatchSerializer},
        examples=[OpenApiExample("Renew two grants as they are", request_only=True, value={"grant_ids": [42, 43]})],
    )
    @action(detail=False, methods=["post"])
    def renewals(self, request: Request) -> Response:
        """Renew grants (202): a batch whose rows are the grants, each asking its customer again for the grant's roles.

        Duration and auto-extend default to each grant's own. The customer's global admin approves as usual. A row is
        `covered` when the customer already has a newer active grant, a grant waiting for approval or a pending request
        with these roles (already renewed); `not_allowed` for an id that is not one of your grants (`not_found`) or a
        grant that cannot be renewed. Each request made raises a `grant.renewal_requested` webhook event.
        """
        body = DelegatedAdminRenewalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def create() -> Response:
            batch = delegated_admin_renewal_batch_create(
                membership=self.membership, grant_ids=data["grant_ids"], duration_days=data["duration_days"],
                auto_extend=data["auto_extend"], language=data["language"], api_key=self.principal.api_key,
            )
            location = request.build_absolute_uri(reverse("api:delegated-admin-batch-detail", kwargs={"pk": batch.pk}))
            return Response(DelegatedAdminBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

        return idempotent_create(request, partner=self.partner, create=create)
