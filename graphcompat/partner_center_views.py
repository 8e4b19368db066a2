"""Partner Center's `GET /v1/customers/relationshiprequests`: the partner's reusable relationship link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse

from graphcompat.base import GraphView
from invitations.api_selectors import active_relationship_link
from invitations.links import relationship_link_url
from partnercenter.no_store import carries_secret
from partners.permissions import ApiScope


@carries_secret
class RelationshipRequestView(GraphView):
    """404 `itemNotFound` while the partner has no active reusable link (Partner settings → Reusable link)."""

    read_scope = ApiScope.INVITATIONS_READ
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> JsonResponse:
        link = active_relationship_link(partner=self.partner)
        if link is None:
            raise Http404
        return JsonResponse({"url": relationship_link_url(link), "attributes": {"objectType": "RelationshipRequest"}})
