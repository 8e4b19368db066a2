"""Paginators for console pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class KnownCountPaginator(Paginator):
    """A paginator given its total by the caller: a selector can count with a cheaper statement
    than `object_list.count()` (e.g. without the joins the page's rows need)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class CappedCountPaginator(KnownCountPaginator):
    """A paginator whose total was counted only up to a cap (issue 25: a partner with 100,000
    customers): below the cap the total is exact; beyond it the page says "more than <cap>" and the
    pager names no last page, only the current one with Previous and Next.

    The caller counts up to `count_limit(page, per_page, cap)` rows: past the cap on a deep page, so
    Next is offered whenever a row follows the page (a deep page costs what its OFFSET costs anyway).
    `count` is what it counted; `capped` means the count stopped at that limit (more rows follow).
    """

    def __init__(self, object_list: Any, per_page: int, *, count: int, cap: int, capped: bool, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, count=count, **kwargs)
        self.cap = cap
        self.capped = capped

    @staticmethod
    def count_limit(page: Any, per_page: int, cap: int) -> int:
        """How many rows to count for the requested page (its number as the request gives it)."""
        number = int(page) if isinstance(page, str) and page.isascii() and page.isdigit() and len(page) < 7 else 1
        return max(cap, number * per_page) + 1
