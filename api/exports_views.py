"""/api/v1/{customers,invitations,grants,service-requests}/export (issue 24, item 3): the same list, with the
same filters, as the console's Export button gives — CSV or XLSX, streamed, formula-safe.

Each export reads the selector its console list reads (workflows.customer_360.customer_rows_for_partner,
invitations.selectors.invitation_list_for_partner, relationships.selectors.grant_list_for_partner,
servicerequests.selectors.service_request_list_for_partner), always from the key's partner (tenancy:
another partner's rows cannot appear), and needs the list's read scope. The filters are the console
list's query parameters; an unknown parameter or value is a 400 problem, as on every list of the API.
`format` is `csv` (default) or `xlsx`; DRF's own `?format=` content negotiation is off on these views.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from api.views import PartnerApiMixin
from invitations.choices import InvitationStatus
from invitations.selectors import invitation_list_for_partner
from partnercenter.exports import EXPORT_FORMATS, XLSX_CONTENT_TYPE, ExportColumn, export_response
from partners.permissions import ApiScope
from relationships.choices import GrantStatus, RelationshipType
from relationships.customer_note_selectors import customer_tag_by_name, customer_tag_names
from relationships.selectors import CUSTOMER_SORTS, DELEGATED_ADMIN_FILTERS, RENEWAL_WINDOWS, grant_list_for_partner
from servicerequests.choices import ServiceRequestStatus
from servicerequests.selectors import service_request_list_for_partner
from workflows.customer_360 import customer_rows_for_partner
from workflows.export_columns import (
    customer_export_columns,
    grant_export_columns,
    invitation_export_columns,
    service_request_export_columns,
)


class _FormatIsAParameter(DefaultContentNegotiation):
    """`?format=csv|xlsx` names the file, not a renderer: negotiate JSON (for errors) by Accept only."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, required=False, default="csv",
                                     help_text=gettext_lazy("csv (UTF-8 with a byte order mark) or xlsx."))


class CustomerExportQuerySerializer(ExportQuerySerializer):
    q = serializers.CharField(required=False, max_length=200, help_text=gettext_lazy("Search company name or domain."))
    type = serializers.ChoiceField(choices=RelationshipType.values, required=False)
    dap = serializers.ChoiceField(choices=DELEGATED_ADMIN_FILTERS, required=False,
                                  help_text=gettext_lazy("Delegated admin: active, pending or none."))
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, help_text=gettext_lazy("Two-letter country code."))
    tag = serializers.CharField(required=False, max_length=50, help_text=gettext_lazy("One of your tags, by name (any case)."))
    sort = serializers.ChoiceField(choices=list(CUSTOMER_SORTS), required=False, default="name")


class InvitationExportQuerySerializer(ExportQuerySerializer):
    status = serializers.ChoiceField(choices=InvitationStatus.values, required=False)
    q = serializers.CharField(required=False, max_length=200, help_text=gettext_lazy("Search recipient or domain."))


class GrantExportQuerySerializer(ExportQuerySerializer):
    status = serializers.ChoiceField(choices=GrantStatus.values, required=False)
    ending = serializers.ChoiceField(choices=list(RENEWAL_WINDOWS), required=False,
                                     help_text=gettext_lazy("Only active grants ending in the next 30, 60 or 90 days."))


class ServiceRequestExportQuerySerializer(ExportQuerySerializer):
    status = serializers.ChoiceField(choices=ServiceRequestStatus.values, required=False)
    customer = serializers.UUIDField(required=False, help_text=gettext_lazy("A customer's tenant id."))
    q = serializers.CharField(required=False, max_length=200, help_text=gettext_lazy("Search number or title."))


FILE_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("The rows the filters select, as CSV.")),
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("The same rows as an XLSX workbook.")),
}


class _ExportView(PartnerApiMixin, APIView, metaclass=ABCMeta):
    """One export endpoint: each subclass names its list's rows (the console list's selector) and columns."""

    content_negotiation_class = _FormatIsAParameter
    query_serializer: ClassVar[type[ExportQuerySerializer]]
    filename: ClassVar[str]

    @abstractmethod
    def rows(self, filters: dict[str, Any]) -> QuerySet[Any]:
        """The rows the validated filters select, from the key's partner only."""

    @abstractmethod
    def columns(self) -> list[ExportColumn]:
        """The file's columns (workflows.export_columns, as the console's Export button)."""

    def get(self, request: Request) -> HttpResponseBase:
        filters = self.parse_query(self.query_serializer)
        return export_response(fmt=filters.pop("format"), filename=self.filename, columns=self.columns(),
                               queryset=self.rows(filters))


class CustomerExportView(_ExportView):
    required_scopes = {"get": ApiScope.CUSTOMERS_READ}
    query_serializer = CustomerExportQuerySerializer
    filename = "customers"

    @extend_schema(operation_id="customers_export_retrieve", parameters=[CustomerExportQuerySerializer], responses=FILE_RESPONSES)
    def get(self, request: Request) -> HttpResponseBase:
        """The customers the filters select (as the Customers page's export), streamed."""
        return super().get(request)

    def rows(self, filters: dict[str, Any]) -> QuerySet[Any]:
        tag_id: int | None = None
        if filters.get("tag"):
            tag = customer_tag_by_name(partner=self.partner, name=filters["tag"])
            tag_id = tag.pk if tag is not None else 0  # an unknown name: no customer
        return customer_rows_for_partner(
            partner=self.partner, q=filters.get("q", ""), sort=filters.get("sort", "name"),
            relationship_type=filters.get("type", ""), delegated_admin=filters.get("dap", ""),
            country=filters.get("country", "").upper(), tag=tag_id,
        ).annotate(tag_names=customer_tag_names(partner=self.partner))

    def columns(self) -> list[ExportColumn]:
        return customer_export_columns()


class InvitationExportView(_ExportView):
    required_scopes = {"get": ApiScope.INVITATIONS_READ}
    query_serializer = InvitationExportQuerySerializer
    filename = "invitations"

    @extend_schema(operation_id="invitations_export_retrieve", parameters=[InvitationExportQuerySerializer], responses=FILE_RESPONSES)
    def get(self, request: Request) -> HttpResponseBase:
        """The invitations the filters select (as the Invitations page's export), streamed."""
        return super().get(request)

    def rows(self, filters: dict[str, Any]) -> QuerySet[Any]:
        return invitation_list_for_partner(partner=self.partner, status=filters.get("status", ""), q=filters.get("q", ""))

    def columns(self) -> list[ExportColumn]:
        return invitation_export_columns()


class GrantExportView(_ExportView):
    required_scopes = {"get": ApiScope.GRANTS_READ}
    query_serializer = GrantExportQuerySerializer
    filename = "delegated-admin"

    @extend_schema(operation_id="grants_export_retrieve", parameters=[GrantExportQuerySerializer], responses=FILE_RESPONSES)
    def get(self, request: Request) -> HttpResponseBase:
        """The delegated admin grants the filters select (as the Delegated admin page's export), streamed."""
        return super().get(request)

    def rows(self, filters: dict[str, Any]) -> QuerySet[Any]:
        return grant_list_for_partner(partner=self.partner, status=filters.get("status", ""), ending_within_days=filters.get("ending"))

    def columns(self) -> list[ExportColumn]:
        return grant_export_columns()


class ServiceRequestExportView(_ExportView):
    required_scopes = {"get": ApiScope.SERVICE_REQUESTS_READ}
    query_serializer = ServiceRequestExportQuerySerializer
    filename = "service-requests"

    @extend_schema(operation_id="service_requests_export_retrieve", parameters=[ServiceRequestExportQuerySerializer],
                   responses=FILE_RESPONSES)
    def get(self, request: Request) -> HttpResponseBase:
        """The service requests the filters select (as the Service requests page's export), streamed."""
        return super().get(request)

    def rows(self, filters: dict[str, Any]) -> QuerySet[Any]:
        customer = filters.get("customer")
        return service_request_list_for_partner(partner=self.partner, status=filters.get("status", ""),
                                                customer_tenant_id=str(customer) if customer else "", q=filters.get("q", ""))

    def columns(self) -> list[ExportColumn]:
        return service_request_export_columns()


__all__ = ["CustomerExportView", "GrantExportView", "InvitationExportView", "ServiceRequestExportView"]
