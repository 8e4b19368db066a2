"""Keyset ("cursor") pagination of an event list ordered newest first by (occurred_at, id).

A page is found from where the previous one ended, never by OFFSET, and nothing counts the whole
list: the cost of a page is one index range scan of PAGE_SIZE + 1 rows whatever the log's size
(10 thousand or 10 million events). Links carry `before=<cursor>` (older) or `after=<cursor>`
(newer); a cursor is `<occurred_at in µs since the epoch>.<id>`, opaque to the viewer. A malformed
cursor shows the first page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

M = TypeVar("M", bound=Model)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    occurred_at: datetime
    id: int

    def encode(self) -> str:
        delta = self.occurred_at - EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        micros, _sep, pk = (value or "").partition(".")
        try:
            occurred_at = EPOCH + timedelta(microseconds=int(micros))
            return cls(occurred_at=occurred_at, id=int(pk))
        except (ValueError, OverflowError):
            return None


@dataclass
class KeysetPage(Generic[M]):
    object_list: list[M]
    has_next: bool  # older events exist
    has_previous: bool  # newer events exist
    next_query: str = ""  # query string of the older page (the filters kept)
    previous_query: str = ""
    filters_query: str = field(default="", repr=False)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _cursor_of(obj: Model) -> Cursor:
    return Cursor(occurred_at=obj.occurred_at, id=obj.pk)  # type: ignore[attr-defined]


def keyset_page(events: QuerySet[M], query: QueryDict, *, page_size: int) -> KeysetPage[M]:
    """The page of `events` (newest first) that `query` points at, in one query."""
    before = Cursor.decode(query.get("before"))
    after = None if before else Cursor.decode(query.get("after"))
    if after is not None:
        # Newer than the cursor: read upwards, then turn the page back to newest first.
        rows = list(
            events.filter(occurred_at__gte=after.occurred_at)
            .exclude(Q(occurred_at=after.occurred_at, id__lte=after.id))
            .order_by("occurred_at", "id")[: page_size + 1]
        )
        has_previous, has_next = len(rows) > page_size, True
        rows = rows[:page_size][::-1]
        if not has_previous:  # back at the newest events: show the full first page
            after = None
    if after is None:
        if before is not None:
            events = events.filter(occurred_at__lte=before.occurred_at).exclude(
                Q(occurred_at=before.occurred_at, id__gte=before.id)
            )
        rows = list(events.order_by("-occurred_at", "-id")[: page_size + 1])
        has_next, has_previous = len(rows) > page_size, before is not None
        rows = rows[:page_size]
    filters = query.copy()
    for key in ("before", "after", "page"):
        filters.pop(key, None)
    page = KeysetPage(object_list=rows, has_next=has_next and bool(rows), has_previous=has_previous and bool(rows))
    page.filters_query = filters.urlencode()
    if page.has_next:
        page.next_query = _with(filters, "before", _cursor_of(rows[-1]))
    if page.has_previous:
        page.previous_query = _with(filters, "after", _cursor_of(rows[0]))
    return page


def _with(filters: QueryDict, key: str, cursor: Cursor) -> str:
    query = filters.copy()
    query[key] = cursor.encode()
    return query.urlencode()
