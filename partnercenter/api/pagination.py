"""Cursor pagination: stable under inserts, opaque `next`/`previous` links, strict `page_size`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

if TYPE_CHECKING:
    from rest_framework.request import Request


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: str | list[str] | tuple[str, ...] = ("-created_at", "-id")

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}]},
                code="invalid",
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
        return parameters

    def paginate_first_page(self, first_rows: Callable[[int], list[Any]], request: Request, view: Any = None) -> list[Any] | None:
        """DRF's `paginate_queryset` for a request without a cursor (offset 0, forwards, no position),
        with the rows from `first_rows(limit)`: the first `limit` rows in `ordering` (a compiled
        statement, issue 25). The page, its `next` cursor and everything get_paginated_response
        reads are what DRF sets; a request with a cursor must take `paginate_queryset`. Only for a view
        without an ordering filter backend (the ordering is the paginator's own)."""
        if self.cursor_query_param in request.query_params:
            raise ValueError("a request with a cursor takes paginate_queryset")
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, None, view)  # type: ignore[arg-type]  # no queryset: the view has no ordering filter
        self.cursor = None
        results = first_rows(self.page_size + 1)
        self.page = list(results[:self.page_size])
        self.has_next = len(results) > len(self.page)
        self.has_previous = False
        if self.has_next:
            self.next_position = self._get_position_from_instance(results[-1], self.ordering)
        if self.has_next and self.template is not None:
            self.display_page_controls = True
        return self.page
