"""Partner Center's `GET /v1/customers/relationshiprequests`: the partner's reusable relationship link.

Partner Center returns a link for every partner: here every partner gets its link when it is created
(`partners.signals.partner_created` → invitations), and partners made before that got one from a data
migration, so this GET only reads — it never makes, rotates or audits anything. A link the partner
revoked in Partner settings stays revoked: 404 `itemNotFound` until an account admin makes a new one
there. Responses echo Partner Center's `MS-RequestId` and `MS-CorrelationId` headers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from graphcompat.base import GraphView
from graphcompat.errors import GraphError
from invitations.api_selectors import active_relationship_link
from invitations.links import relationship_link_url
from partnercenter.no_store import carries_secret
from partners.permissions import ApiScope

ECHOED = ("MS-RequestId", "MS-CorrelationId")


@carries_secret
class RelationshipRequestView(GraphView):
    read_scope = ApiScope.INVITATIONS_READ
    http_method_names = ["get", "head"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        for name in ECHOED:
            if request.headers.get(name):
                response[name] = request.headers[name]
        return response

    def get(self, request: HttpRequest) -> JsonResponse:
        link = active_relationship_link(partner=self.partner)
        if link is None:  # revoked in Partner settings
            raise GraphError(404, "itemNotFound", _("This partner has no active reusable link; an account admin makes "
                                                    "one in Partner settings → Reusable link."))
        return JsonResponse({"url": relationship_link_url(link), "attributes": {"objectType": "RelationshipRequest"}})
