"""The base of every Graph-compatible endpoint: bearer API key, scope, JSON in and out, Graph errors.

Authentication is /api/v1's (partner API keys, `grants:read` for reads, `grants:write` for
writes); its answers are reshaped into Graph's error format. Every query starts from the key's
partner, so another partner's object is simply not found (404 `itemNotFound`).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from django.http import Http404, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed, Throttled

from graphcompat.collections import CollectionQuery, page, parse_query, parse_single
from graphcompat.errors import DOMAIN_CODES, GraphError, error_response
from graphcompat.representations import PROPERTIES, entity_etag, with_annotations
from partnercenter import request_context
from partnercenter.api.authentication import ApiKeyAuthentication, ApiPrincipal
from partnercenter.api.throttling import ApiKeyRateThrottle
from partnercenter.errors import DomainError
from partnercenter.json_input import MalformedJson, json_loads
from partners.permissions import ApiScope

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase
    from rest_framework.request import Request

    from partners.models import Partner, PartnerMembership

READ_METHODS = {"GET", "HEAD"}


def unauthenticated(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message, headers={"WWW-Authenticate": 'Bearer realm="graph"'})


@method_decorator(csrf_exempt, name="dispatch")  # bearer-token API: no cookies, no CSRF
class GraphView(View):
    read_scope: str = ApiScope.GRANTS_READ
    write_scope: str = ApiScope.GRANTS_WRITE
    http_method_names = ["get", "post", "patch", "delete", "head"]
    principal: ApiPrincipal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Whatever authentication binds to the request context is undone when the call ends.
        token = request_context.bind(request_context.current())
        try:
            self.principal = self.authenticate(request)
            self.throttle(self.principal)
            scope = self.read_scope if request.method in READ_METHODS else self.write_scope
            if scope and scope not in self.principal.scopes:
                raise GraphError(403, "accessDenied", _("This API key lacks the %(scope)s scope.") % {"scope": scope})
            response = super().dispatch(request, *args, **kwargs)
        except GraphError as error:
            response = error_response(request, error)
        except Http404:
            response = error_response(request, GraphError(404, "itemNotFound", _("There is no such item.")))
        except DomainError as error:
            status, code = DOMAIN_CODES.get(error.code, (400, "invalidRequest"))
            retry_after = getattr(error, "retry_after", None)
            response = error_response(request, GraphError(status, code, error.message,
                                                          headers={"Retry-After": str(retry_after)} if retry_after else None))
        finally:
            request_context.reset(token)
        response["request-id"] = getattr(request, "request_id", "")
        if request.headers.get("client-request-id"):
            response["client-request-id"] = request.headers["client-request-id"]
        return response

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise GraphError(405, "invalidRequest", _("This method is not supported here."))

    @staticmethod
    def authenticate(request: HttpRequest) -> ApiPrincipal:
        try:
            # It reads only the Authorization header, which a Django request has as well as DRF's.
            result = ApiKeyAuthentication().authenticate(cast("Request", request))
        except Throttled as exc:  # too many invalid keys from this client or for this prefix
            raise GraphError(429, "TooManyRequests", str(exc.detail),
                             # djangorestframework-stubs omit Throttled.wait (set by its __init__)
                             headers={"Retry-After": str(max(1, math.ceil(exc.wait or 1)))}) from exc  # type: ignore[attr-defined]
        except AuthenticationFailed as exc:
            raise unauthenticated(str(exc.detail)) from exc
        if result is None:
            raise unauthenticated(_("Send a partner API key as: Authorization: Bearer <key>."))
        return result[1]

    @staticmethod
    def throttle(principal: ApiPrincipal) -> None:
        """The key's rate limit, counted together with its /api/v1 calls (429 with Retry-After)."""
        throttle = ApiKeyRateThrottle()
        if not throttle.allow_request(SimpleNamespace(auth=principal), None):  # type: ignore[arg-type]
            retry_after = str(max(1, math.ceil(throttle.wait() or 1)))
            raise GraphError(429, "TooManyRequests", _("Too many requests for this API key; retry later."),
                             headers={"Retry-After": retry_after})

    @property
    def partner(self) -> Partner:
        return self.principal.partner

    @property
    def membership(self) -> PartnerMembership:
        return self.principal.membership

    def base_url(self) -> str:
        """`https://<host>/v1.0/`, or `…/beta/` for a request made there (Location and nextLinks stay on it)."""
        return self.request.build_absolute_uri(f"/{surface_version(self.request)}/")

    def context_url(self, fragment: str) -> str:
        """Graph's form for this family: `<base>/tenantRelationships/$metadata#delegatedAdminRelationships/$entity`."""
        return f"{self.base_url()}tenantRelationships/$metadata#{fragment}"

    def relationship_url(self, relationship_id: str, *rest: str) -> str:
        return "/".join([f"{self.base_url()}tenantRelationships/delegatedAdminRelationships/{relationship_id}", *rest])

    def json_body(self) -> dict[str, Any]:
        try:
            body = json_loads(self.request.body or b"{}")
        except MalformedJson as exc:
            raise GraphError(400, "invalidRequest", exc.message) from exc
        if not isinstance(body, dict):
            raise GraphError(400, "invalidRequest", _("The request body must be a JSON object."))
        return body

    def if_match(self, current: dict[str, Any]) -> None:
        """PATCH and DELETE name the version they change: missing → 400, stale → 412 `resourceModified`."""
        header = self.request.headers.get("If-Match", "").strip()
        if not header:
            raise GraphError(400, "invalidRequest", _("Send the entity's @odata.etag in an If-Match header."))
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if "*" not in tags and entity_etag(current).removeprefix("W/") not in tags:
            raise GraphError(412, "resourceModified", _("The entity changed since you read it; read it again."))

    def entity(self, entity: dict[str, Any], *, odata_type: str, context: str, status: int = 200,
               headers: dict[str, str] | None = None, etag: str | None = None, tagged: bool = True) -> JsonResponse:
        """One entity; on GET the request's `$select` applies (any other option is a 400)."""
        select = parse_single(self.request, selectable=PROPERTIES[odata_type]) if self.request.method in READ_METHODS else None
        body = with_annotations(entity, odata_type=odata_type, context=self.context_url(context), etag=etag, select=select,
                                tagged=tagged)
        response = JsonResponse(body, status=status)
        if tagged:
            response["ETag"] = body["@odata.etag"]
        for name, value in (headers or {}).items():
            response[name] = value
        return response


def surface_version(request: HttpRequest) -> str:
    return "beta" if request.path.startswith("/beta/") else "v1.0"


class GraphCollectionView(GraphView, ABC):
    """A Graph collection: GET pages it; the same view mounted at `…/$count` (count_only) answers
    the number of rows as text/plain, as Graph does."""

    odata_type: str = ""
    context_set: str = ""  # `delegatedAdminRelationships`, `accessAssignments`, …
    filterable: dict[str, tuple[str, ...] | None] = {}
    orderable: frozenset[str] = frozenset()
    tagged = True  # entities carry @odata.etag
    count_only = False  # set by as_view(count_only=True) for the …/$count route

    @abstractmethod
    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        """The collection's rows for `query` (a queryset: paged, or counted for `…/$count`)."""

    @abstractmethod
    def represent(self, row: Any) -> dict[str, Any]:
        """One row as the Graph entity (without `@odata.etag`, added when `tagged`)."""

    def context_fragment(self, **kwargs: Any) -> str:
        return self.context_set

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        query = parse_query(request, filterable=self.filterable, orderable=self.orderable,
                            selectable=PROPERTIES[self.odata_type], count_only=self.count_only)
        rows = self.rows(query, **kwargs)
        if self.count_only:
            return HttpResponse(str(rows.count()), content_type="text/plain; charset=utf-8")
        return JsonResponse(page(request, rows, query, context=self.context_url(self.context_fragment(**kwargs)),
                                 represent=lambda row: with_annotations(self.represent(row), odata_type=self.odata_type,
                                                                        select=query.select, tagged=self.tagged)))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if self.count_only:
            raise GraphError(405, "invalidRequest", _("This method is not supported here."))
        return self.create(request, **kwargs)

    def create(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        raise GraphError(405, "invalidRequest", _("This method is not supported here."))


class UnknownPathView(GraphView):
    """Everything else under /v1.0, /beta and /v1: Graph's JSON error (after authentication, as Graph),
    never the site's HTML 404. Graph answers an unknown segment with 400 `BadRequest`."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    read_scope = write_scope = ""  # any valid key learns only that the path does not exist

    def _refuse(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        segment = request.path.strip("/").split("/")[-1]
        raise GraphError(400, "BadRequest", _("Resource not found for the segment '%(segment)s'.") % {"segment": segment})

    get = post = put = patch = delete = head = options = _refuse
