"""/api/v1/search?q= (issue 24, item 4): the console's search box (workflows.search.partner_search) for API
keys: the key's partner's customers, invitations, grants and service requests matching `q`, grouped by
kind, at most 8 of each (`more` says there are others), four indexed queries whatever the partner's size.

Needs `customers:read`; each other group is answered only when the key holds that resource's read scope
(`invitations:read`, `grants:read`, `service_requests:read`), otherwise it is absent."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import PartnerApiMixin
from partners.permissions import ApiScope
from workflows.search import MAX_QUERY_LENGTH, SearchGroup, partner_search


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, required=False, default="", allow_blank=True, help_text=_(
        "Nothing: every group empty. Text (3 characters or more: name, domain, recipient, title), a tenant id, or a number (#12, SR-45)."))


class SearchHitSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("The object's id in its own resource (a tenant id for customers)."))
    name = serializers.CharField(help_text=_("What the console shows for it."))
    customer_tenant_id = serializers.UUIDField(allow_null=True)
    status = serializers.CharField(allow_blank=True)


class SearchGroupSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
    more = serializers.BooleanField(help_text=_("More match than shown: narrow the text."))


class SearchResultsSerializer(serializers.Serializer):
    q = serializers.CharField()
    customers = SearchGroupSerializer()
    invitations = SearchGroupSerializer(required=False)
    grants = SearchGroupSerializer(required=False)
    service_requests = SearchGroupSerializer(required=False)


def _tenant(obj: Any) -> str | None:
    customer = getattr(obj, "customer", None)
    return str(customer.tenant_id) if customer is not None else None


def _hit(kind: str, obj: Any) -> dict[str, Any]:
    if kind == "customers":
        return {"id": str(obj.customer.tenant_id), "name": f"{obj.customer.company_name} ({obj.customer.primary_domain})",
                "customer_tenant_id": str(obj.customer.tenant_id), "status": obj.status}
    if kind == "invitations":
        return {"id": str(obj.pk), "name": obj.recipient_email or obj.sent_to or obj.target_domain or f"#{obj.pk}",
                "customer_tenant_id": _tenant(obj), "status": obj.status}
    if kind == "grants":
        return {"id": str(obj.pk), "name": obj.display_name, "customer_tenant_id": _tenant(obj), "status": obj.status}
    return {"id": str(obj.pk), "name": f"{obj.number} {obj.title}", "customer_tenant_id": _tenant(obj), "status": obj.status}


def _group(group: SearchGroup) -> dict[str, Any]:
    return {"results": [_hit(group.kind, obj) for obj in group.results], "more": group.more}


class SearchView(PartnerApiMixin, APIView):
    required_scopes = {"get": ApiScope.CUSTOMERS_READ}
    GROUP_SCOPES = {"invitations": ApiScope.INVITATIONS_READ, "grants": ApiScope.GRANTS_READ,
                    "service_requests": ApiScope.SERVICE_REQUESTS_READ}

    @extend_schema(operation_id="search_retrieve", parameters=[SearchQuerySerializer], responses=SearchResultsSerializer)
    def get(self, request: Request) -> Response:
        """Find the partner's customers, invitations, grants and service requests by a text, grouped by kind."""
        q = self.parse_query(SearchQuerySerializer)["q"]
        results = partner_search(partner=self.partner, q=q)
        body: dict[str, Any] = {"q": results.q, "customers": _group(results.customers)}
        for group in (results.invitations, results.grants, results.service_requests):
            if self.GROUP_SCOPES[group.kind] in self.principal.scopes:
                body[group.kind] = _group(group)
        return self.represent(body)
