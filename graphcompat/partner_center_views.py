"""Partner Center's `GET /v1/customers/relationshiprequests`: the partner's reusable relationship link.

Partner Center returns a link for every partner, so a partner that never made one gets it made on its
first request (the same service as Partner settings → Reusable link, with its `relationship_link.created`
audit event; a race between two first requests ends with the one link). Making it is an account
admin's action, so the key's actor must hold that role (a key with `grants:write` does); a key that
may only read gets 404 `itemNotFound` saying so. A link the partner revoked in Partner settings stays
revoked: 404 until it makes a new one. Responses echo Partner
Center's `MS-RequestId` and `MS-CorrelationId` headers.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from graphcompat.base import GraphView
from graphcompat.errors import GraphError
from invitations.api_selectors import active_relationship_link
from invitations.links import relationship_link_url
from invitations.models import RelationshipLink
from invitations.relationship_links import relationship_link_rotate
from partnercenter.errors import PermissionDeniedError
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
        if link is None and not RelationshipLink.objects.filter(partner=self.partner).exists():
            try:
                with transaction.atomic():
                    relationship_link_rotate(membership=self.membership)
            except IntegrityError:  # another first request made it at the same moment
                pass
            except PermissionDeniedError as error:
                raise GraphError(404, "itemNotFound", _("This partner has no reusable link yet; an account admin makes it in "
                                                        "Partner settings, or call once with a key that has grants:write.")) from error
            link = active_relationship_link(partner=self.partner)
        if link is None:
            raise Http404
        return JsonResponse({"url": relationship_link_url(link), "attributes": {"objectType": "RelationshipRequest"}})
