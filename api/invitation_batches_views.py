"""/api/v1/invitation-batches: bulk invitations from a CSV body or JSON rows, and their status."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.invitation_batches_serializers import (
    BatchCreateSerializer,
    BatchQuerySerializer,
    BatchRowSerializer,
    BatchSerializer,
)
from api.views import PartnerApiMixin
from invitation_batches.choices import BatchSource, RowStatus
from invitation_batches.csv_format import template_csv
from invitation_batches.selectors import batch_get_for_partner, batch_list_for_partner, batch_rows
from invitation_batches.services import invitation_batch_confirm, invitation_batch_upload, json_lines
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.api.parsers import StrictJSONParser
from partnercenter.api.problems import problem_response
from partners.permissions import ApiScope

MAX_ERRORS_LISTED = 1000
CSV_EXAMPLE = template_csv().lstrip("\ufeff")


class CsvStreamParser(BaseParser):
    """`text/csv` bodies are handed over as the request stream: read line by line, never whole."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return {"csv_stream": stream if stream is not None else io.BytesIO(b"")}


class RowCursorPagination(ApiCursorPagination):
    ordering = ("line",)


class InvitationBatchViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Bulk invitations: many reseller invitations in one request, created by one background job."""

    serializer_class = BatchSerializer
    pagination_class = ApiCursorPagination
    parser_classes = [StrictJSONParser, CsvStreamParser]
    lookup_value_regex = r"[0-9]{1,18}"
    required_scopes = {
        "list": ApiScope.INVITATIONS_READ, "retrieve": ApiScope.INVITATIONS_READ, "rows": ApiScope.INVITATIONS_READ,
        "create": ApiScope.INVITATIONS_WRITE, "confirm": ApiScope.INVITATIONS_WRITE,
    }
    etag_actions = frozenset({"retrieve"})

    def get_queryset(self) -> Any:
        return batch_list_for_partner(partner=self.partner)

    def list(self, request: Request) -> Response:
        """The partner's batches, newest first."""
        page = self.paginate_queryset(batch_list_for_partner(partner=self.partner))
        return self.get_paginated_response(BatchSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        """A batch's status and progress counters (poll this while `queued` or `running`)."""
        return self.represent(BatchSerializer(batch_get_for_partner(partner=self.partner, batch_pk=int(pk))).data)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=RowStatus.values, required=False)],
                   responses=BatchRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=RowCursorPagination)
    def rows(self, request: Request, pk: str) -> Response:
        """The batch's rows in file order: values, check errors and notices, and per-row result with the invitation id."""
        batch = batch_get_for_partner(partner=self.partner, batch_pk=int(pk))
        only = request.query_params.get("status", "")
        page = self.paginate_queryset(batch_rows(batch=batch, only=only if only in RowStatus.values else ""))
        return self.get_paginated_response(BatchRowSerializer(page, many=True).data)

    @extend_schema(
        parameters=[BatchQuerySerializer],
        request={"application/json": BatchCreateSerializer, "text/csv": {"type": "string", "description": _("The CSV, header row first (same columns as the template).")}},
        responses={202: BatchSerializer, 201: BatchSerializer,
                   422: OpenApiResponse(description=_("Some rows have errors (`invalid_rows`): listed in `errors` with their line; nothing was sent."))},
        examples=[
            OpenApiExample("JSON rows", request_only=True, media_type="application/json", value={"rows": [
                {"company": "Northwind Traders", "recipient_email": "it@northwind.example", "domain": "northwind.example",
                 "country": "JP", "include_delegated_admin": True, "role_bundle": "user_management", "language": "ja"},
                {"company": "Tailspin Toys", "recipient_email": "admin@tailspin.example", "domain": "tailspin.example",
                 "country": "JP", "include_delegated_admin": False, "language": "en"}]}),
            OpenApiExample("CSV body", request_only=True, media_type="text/csv", value=CSV_EXAMPLE),
            OpenApiExample("Queued", response_only=True, status_codes=["202"], value={
                "id": 12, "status": "queued", "source": "api", "filename": "", "total_rows": 2, "invalid_rows": 0, "rows_to_send": 2,
                "done_rows": 0, "created_rows": 0, "failed_rows": 0, "percent": 0, "created_at": "2026-11-24T10:00:00Z",
                "confirmed_at": "2026-11-24T10:00:00Z", "started_at": None, "finished_at": None}),
        ],
    )
    def create(self, request: Request) -> Response:
        """Check every row, then queue one job that creates and emails the invitations (202).

        Send `text/csv` (the template's columns) or JSON `{"rows": [...]}`. Every row is checked
        first (fields, market and cloud rules, duplicates in the request, existing customers and
        pending invitations); if any row has an error the answer is 422 `invalid_rows` with each
        error's `line`, and nothing is sent. With `dry_run=true` the checked batch (201) waits for
        `POST /invitation-batches/{id}/confirm`. Follow progress at `GET /invitation-batches/{id}`.
        """
        query = self.parse_query(BatchQuerySerializer)
        data = request.data
        if isinstance(data, dict) and "csv_stream" in data:
            batch = invitation_batch_upload(membership=self.membership, stream=data["csv_stream"], source=BatchSource.API,
                                            api_key=self.principal.api_key)
        else:
            body = BatchCreateSerializer(data=data)
            body.is_valid(raise_exception=True)
            batch = invitation_batch_upload(membership=self.membership, lines=json_lines(body.validated_data["rows"]),
                                            source=BatchSource.API,
                                            api_key=self.principal.api_key)
        location = request.build_absolute_uri(reverse("api:invitation-batch-detail", kwargs={"pk": batch.pk}))
        if batch.invalid_rows:
            errors = [
                {"line": row.line, "field": error["field"], "code": error["code"], "detail": error["message"]}
                for row in batch_rows(batch=batch, only=RowStatus.INVALID).iterator(chunk_size=500)
                for error in row.errors
            ][:MAX_ERRORS_LISTED]
            response = problem_response(
                status_code=422, code="invalid_rows", request=request, errors=errors, headers={"Location": location},
                detail=_("%(bad)s of %(total)s rows have errors; nothing was sent. Fix them and send the batch again.")
                % {"bad": batch.invalid_rows, "total": batch.total_rows},
            )
            response.data["batch_id"] = batch.pk
            return response
        if not query.get("dry_run"):
            batch = invitation_batch_confirm(batch=batch, membership=self.membership)
        code = status.HTTP_201_CREATED if query.get("dry_run") else status.HTTP_202_ACCEPTED
        return Response(BatchSerializer(batch).data, status=code, headers={"Location": location})

    @extend_schema(request=None, responses={202: BatchSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Queue the job of a batch checked with `dry_run=true` (409 `not_preview` if already confirmed)."""
        batch = invitation_batch_confirm(batch=batch_get_for_partner(partner=self.partner, batch_pk=int(pk)), membership=self.membership)
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

