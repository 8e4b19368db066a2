"""The base of every /api/v1 resource, the OpenAPI schema and its two local UIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp.decorators import csp_update
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from partnercenter import request_context
from partnercenter.api.authentication import ApiKeyAuthentication, ApiPrincipal
from partnercenter.api.etag import compute_etag, if_none_match_hits
from partnercenter.api.permissions import HasScope
from partnercenter.api.throttling import ApiKeyRateThrottle

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.http import HttpRequest, HttpResponseBase
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.metadata import BaseMetadata
    from rest_framework.permissions import _PermissionClass  # the stubs' alias: a class or an &/| of classes
    from rest_framework.throttling import BaseThrottle

    from partners.models import Partner, PartnerMembership


class PartnerApiMixin:
    """Key authentication, the operation's scope, the key's rate limit, and the key's partner.

    Querysets always start from `self.partner` (the key's), so another partner's object is
    simply not found (404). `self.membership` is the actor the services receive.
    """

    # Typed as on APIView, which every view using this mixin also derives from.
    authentication_classes: Sequence[type[BaseAuthentication]] = [ApiKeyAuthentication]
    permission_classes: Sequence[_PermissionClass] = [HasScope]
    throttle_classes: Sequence[type[BaseThrottle]] = [ApiKeyRateThrottle]
    metadata_class: str | type[BaseMetadata] | None = None
    # Per action (viewsets) or per method: the scope needed, creates taking Idempotency-Key,
    # updates taking If-Match (True: required), and responses carrying an ETag.
    required_scopes: dict[str, str] = {}
    idempotent_actions: frozenset[str] = frozenset()
    if_match_actions: dict[str, bool] = {}
    etag_actions: frozenset[str] = frozenset()
    request: Any

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Whatever authentication binds to the request context is undone when the call ends.
        token = request_context.bind(request_context.current())
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        finally:
            request_context.reset(token)

    @property
    def principal(self) -> ApiPrincipal:
        return self.request.auth

    @property
    def partner(self) -> Partner:
        return self.principal.partner

    @property
    def membership(self) -> PartnerMembership:
        return self.principal.membership

    def parse_query(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        """Validated query parameters. A plain dict, not the QueryDict: DRF would read `?status=`
        from a QueryDict as "not given"; here an empty value is invalid, as the schema says."""
        params = self.request.query_params.dict()
        serializer = serializer_class(data=params)
        known = set(serializer.fields)
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            known |= {paginator.cursor_query_param, paginator.page_size_query_param}
        unknown = sorted(set(params) - known)
        if unknown:  # a typo (?stauts=) must not silently return everything
            raise ValidationError({name or "(empty)": [_("Unknown query parameter.")] for name in unknown}, code="unknown_parameter")
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def represent(self, representation: Any, *, status_code: int = status.HTTP_200_OK,
                  headers: dict[str, str] | None = None) -> Response:
        """A resource representation with its ETag; 304 on a GET whose If-None-Match holds it."""
        etag = compute_etag(representation)
        if self.request.method == "GET" and if_none_match_hits(self.request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(representation, status=status_code, headers={**(headers or {}), "ETag": etag})


class ApiNotFoundView(APIView):
    """Any other path under /api/v1/: a problem response, not an HTML page."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    metadata_class = None

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound(_("There is no such API resource."))


class SchemaView(SpectacularAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from local files (drf-spectacular-sidecar); its init script is a separate request."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


class RedocView(SpectacularRedocView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    template_name = "api/redoc.html"
    url_name = "api:schema"


# The site's CSP allows no inline styles; both UIs style their widgets inline (Redoc also runs a
# search worker from a blob: URL). Scripts stay 'self' only. The relaxation is for these two pages.
DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})
