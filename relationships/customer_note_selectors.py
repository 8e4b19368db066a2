"""Reads of a partner's private customer tags and notes (issue 24, item 5). Always scoped by the partner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Aggregate, CharField, Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404

from partnercenter.compiled_queries import CompiledQuery
from relationships.models import CustomerNote, CustomerTag

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


def customer_tags_for_partner(*, partner: Partner) -> QuerySet[CustomerTag]:
    """The partner's tags by name, each with `customer_count` (one query)."""
    return (CustomerTag.objects.filter(partner=partner).annotate(customer_count=Count("customers"))
            .order_by(Lower("name"), "pk"))


_TAGS = CompiledQuery(lambda values: CustomerTag.objects.filter(partner=values[0]).annotate(customer_count=Count("customers"))
                      .order_by(Lower("name"), "pk"))


def customer_tag_list_for_partner(*, partner: Partner) -> list[CustomerTag]:
    """customer_tags_for_partner's tags as a list, its statement compiled once per process (the
    Customers page's tag filter, issue 25)."""
    return _TAGS.fetch([partner.pk])


def customer_tag_get(*, partner: Partner, tag_pk: int) -> CustomerTag:
    """One of the partner's tags; another partner's (or none) answers 404."""
    tag = CustomerTag.objects.filter(partner=partner, pk=tag_pk).first()
    if tag is None:
        raise Http404
    return tag


def customer_tag_by_name(*, partner: Partner, name: str) -> CustomerTag | None:
    return CustomerTag.objects.annotate(lower_name=Lower("name")).filter(partner=partner, lower_name=name.strip().lower()).first()


def has_tag(*, partner: Partner, tag_pk: int) -> Exists:
    """For a queryset with a `customer` column: the partner's tag `tag_pk` is on that customer."""
    through = CustomerTag.customers.through
    return Exists(through.objects.filter(customertag_id=tag_pk, customertag__partner=partner, customer_id=OuterRef("customer_id")))


def tags_by_customer(*, partner: Partner, customer_ids: Iterable[int]) -> dict[int, list[str]]:
    """The partner's tag names on each of these customers, by name (one query, whatever the number)."""
    through = CustomerTag.customers.through
    rows = (through.objects.filter(customertag__partner=partner, customer_id__in=list(customer_ids))
            .values_list("customer_id", "customertag__name").order_by(Lower("customertag__name")))
    tags: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in rows:
        tags[customer_id].append(name)
    return dict(tags)


def tag_names_of_customer(*, partner: Partner) -> ArraySubquery:
    """For a queryset with a `customer` column: the partner's tag names on that customer, in the order
    of `tags_by_customer` (an array sub-select, so a list page reads its rows' tags in its one query)."""
    through = CustomerTag.customers.through
    return ArraySubquery(through.objects.filter(customertag__partner=partner, customer_id=OuterRef("customer_id"))
                         .order_by(Lower("customertag__name")).values("customertag__name"))


def customer_tags_of(*, partner: Partner, customer: Customer) -> list[CustomerTag]:
    return list(CustomerTag.objects.filter(partner=partner, customers=customer).order_by(Lower("name"), "pk"))


def customer_notes_for(*, partner: Partner, customer: Customer) -> QuerySet[CustomerNote]:
    """The partner's notes on the customer, newest first (only this partner's)."""
    return CustomerNote.objects.filter(partner=partner, customer=customer).select_related("author", "customer").order_by("-created_at", "-pk")


def customer_note_get(*, partner: Partner, customer: Customer, note_pk: int) -> CustomerNote:
    note = CustomerNote.objects.filter(partner=partner, customer=customer, pk=note_pk).select_related("customer").first()
    if note is None:
        raise Http404
    return note


class _JoinedNames(Aggregate):
    """The names joined with ", " in name order (PostgreSQL STRING_AGG; SQLite GROUP_CONCAT)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ', ')", **extra_context)


def customer_tag_names(*, partner: Partner) -> Subquery:
    """For a queryset with a `customer` column: the partner's tag names on that customer as one text
    ("Renewal, VIP"), computed in the same statement (the export streams it without a query per row)."""
    through = CustomerTag.customers.through
    names = (through.objects.filter(customertag__partner=partner, customer_id=OuterRef("customer_id")).order_by()
             .values("customer_id").annotate(names=_JoinedNames("customertag__name")).values("names"))  # type: ignore[misc]  # django-stubs does not see the annotation
    return Subquery(names, output_field=CharField())
