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

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext as _
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
from partnercenter.exports import EXPORT_FORMATS, XLSX_CONTENT_TYPE, ExportColumn, export_response, label
from partners.permissions import ApiScope
from relationships.choices import GrantStatus, RelationshipType
from relationships.customer_note_selectors import customer_tag_by_name, customer_tag_names
from relationships.selectors import CUSTOMER_SORTS, DELEGATED_ADMIN_FILTERS, RENEWAL_WINDOWS, grant_list_for_partner
from servicerequests.choices import ServiceRequestStatus
from servicerequests.selectors import service_request_list_for_partner
from workflows.customer_360 import customer_rows_for_partner


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


class _ExportView(PartnerApiMixin, APIView):
    content_negotiation_class = _FormatIsAParameter
    query_serializer: ClassVar[type[ExportQuerySerializer]]
    filename: ClassVar[str]

    def rows(self, filters: dict[str, Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def columns(self) -> list[ExportColumn]:
        raise NotImplementedError

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
        def delegated_admin(row: Any) -> str:
            if row.has_active_grant:
                return _("Active")
            return _("Approval pending") if row.has_pending_grant else _("None")

        return [
            ExportColumn(_("Customer"), lambda r: r.customer.company_name),
            ExportColumn(_("Domain"), lambda r: r.customer.primary_domain),
            ExportColumn(_("Tenant ID"), lambda r: str(r.customer.tenant_id)),
            ExportColumn(_("Country"), lambda r: r.country_code),
            ExportColumn(_("Relationship"), lambda r: label(r, "relationship_type")),
            ExportColumn(_("Delegated admin"), delegated_admin),
            ExportColumn(_("Subscriptions"), lambda r: r.subscription_count),
            ExportColumn(_("Since"), lambda r: r.established_at),
            ExportColumn(_("Tags"), lambda r: r.tag_names or ""),
        ]


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
        return [
            ExportColumn(_("Invitation"), lambda i: i.pk),
            ExportColumn(_("Kind"), lambda i: label(i, "kind")),
            ExportColumn(_("Recipient"), lambda i: i.recipient_email or i.sent_to),
            ExportColumn(_("Domain"), lambda i: i.target_domain),
            ExportColumn(_("Customer"), lambda i: i.customer.company_name if i.customer else ""),
            ExportColumn(_("Status"), lambda i: label(i, "status")),
            ExportColumn(_("Email delivery"), lambda i: i.delivery_status or ""),
            ExportColumn(_("Created by"), lambda i: i.created_by.email if i.created_by else ""),
            ExportColumn(_("Created"), lambda i: i.created_at),
            ExportColumn(_("Expires"), lambda i: i.expires_at),
        ]


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
        return [
            ExportColumn(_("Name"), lambda g: g.display_name),
            ExportColumn(_("Customer"), lambda g: g.customer.company_name),
            ExportColumn(_("Tenant ID"), lambda g: str(g.customer.tenant_id)),
            ExportColumn(_("Roles"), lambda g: ", ".join(str(name) for name in g.role_names)),
            ExportColumn(_("Status"), lambda g: label(g, "status")),
            ExportColumn(_("Auto-extend"), lambda g: _("Yes") if g.auto_extend else _("No")),
            ExportColumn(_("Requested"), lambda g: g.requested_at),
            ExportColumn(_("Ends"), lambda g: g.ends_at),
        ]


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
        return [
            ExportColumn(_("Request"), lambda r: r.number),
            ExportColumn(_("Title"), lambda r: r.title),
            ExportColumn(_("Customer"), lambda r: r.customer.company_name),
            ExportColumn(_("Tenant ID"), lambda r: str(r.customer.tenant_id)),
            ExportColumn(_("Severity"), lambda r: label(r, "severity")),
            ExportColumn(_("Status"), lambda r: label(r, "status")),
            ExportColumn(_("Notes"), lambda r: r.note_count),
            ExportColumn(_("Filed by"), lambda r: r.created_by_label),
            ExportColumn(_("Filed"), lambda r: r.created_at),
        ]


__all__ = ["CustomerExportView", "GrantExportView", "InvitationExportView", "ServiceRequestExportView"]
