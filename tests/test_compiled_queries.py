"""partnercenter.compiled_queries: the same rows and instances as the queryset, compiled once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext

from partnercenter.compiled_queries import CompiledQuery, CompiledQueryError
from partners.models import PartnerMembership


def _memberships(values: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return (PartnerMembership.objects.annotate(email_lower=Lower("user__email")).filter(email_lower__in=values)
            .select_related("partner", "user").order_by("pk"))


def test_rows_instances_and_related_models_are_the_querysets(partner_a, partner_b) -> None:  # type: ignore[no-untyped-def]
    compiled = CompiledQuery(_memberships)
    for emails in (("admin@contoso.example",), ("sales@fabrikam.example",), ("admin@contoso.example", "admin@fabrikam.example"),
                   ("nobody@example.com",)):
        expected = list(_memberships(emails))
        with CaptureQueriesContext(connection) as queries:
            got = compiled.fetch(emails)
        assert len(queries) == 1
        assert [m.pk for m in got] == [m.pk for m in expected]
        for mine, theirs in zip(got, expected, strict=True):
            # Every column through its converters (roles is JSON), the annotation, and the joined models cached.
            assert {f.attname: getattr(mine, f.attname) for f in PartnerMembership._meta.concrete_fields} == {
                f.attname: getattr(theirs, f.attname) for f in PartnerMembership._meta.concrete_fields}
            assert mine.email_lower == theirs.email_lower  # type: ignore[attr-defined]
            assert PartnerMembership.partner.is_cached(mine) and PartnerMembership.user.is_cached(mine)
            assert (mine.partner.name, mine.user.email) == (theirs.partner.name, theirs.user.email)


def test_the_statement_is_the_querysets_with_the_new_values(partner_a) -> None:  # type: ignore[no-untyped-def]
    compiled = CompiledQuery(_memberships)
    compiled.fetch(["first@example.com"])
    with CaptureQueriesContext(connection) as mine:
        compiled.fetch(["admin@contoso.example"])
    with CaptureQueriesContext(connection) as theirs:
        list(_memberships(("admin@contoso.example",)))
    assert mine[0]["sql"] == theirs[0]["sql"]


def test_a_value_that_is_not_a_parameter_as_given_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    compiled = CompiledQuery(lambda values: PartnerMembership.objects.filter(user__email__in=[v.upper() for v in values]))
    with pytest.raises(CompiledQueryError):
        compiled.fetch(["a@example.com"])


def test_integer_values_read_by_primary_key(partner_a) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    compiled = CompiledQuery(lambda pks: User.objects.filter(pk__in=pks).order_by("pk"))
    users = list(User.objects.order_by("pk")[:2])
    for pks in ((users[0].pk,), (users[0].pk, users[1].pk), (-1,)):
        expected = list(User.objects.filter(pk__in=pks).order_by("pk"))
        got = compiled.fetch(pks)
        assert [(u.pk, u.email, u.password, u.is_active) for u in got] == [(u.pk, u.email, u.password, u.is_active) for u in expected]
    with pytest.raises(CompiledQueryError):
        compiled.fetch([str(users[0].pk)])  # a string is not an integer value
    with pytest.raises(CompiledQueryError):
        compiled.fetch([True])


def test_integers_uuids_and_aware_datetimes_are_values_too_and_reach_the_statement_as_given(customer_a) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.db.models import BooleanField, ExpressionWrapper, Q
    from django.utils import timezone

    from customers.models import CustomerMembership

    def build(values):  # type: ignore[no-untyped-def]
        user_pk, tenant_id, now = values
        return (CustomerMembership.objects.select_related("customer")
                .annotate(recent=ExpressionWrapper(Q(customer__created_at__gt=now), output_field=BooleanField()))
                .filter(user_id=user_pk, customer__tenant_id=tenant_id))

    compiled = CompiledQuery(build)
    for values in ((customer_a.user.pk, customer_a.customer.tenant_id, timezone.now() - timedelta(days=1)),
                   (customer_a.user.pk, customer_a.customer.tenant_id, timezone.now() + timedelta(days=1)),
                   (customer_a.user.pk + 1000, customer_a.customer.tenant_id, timezone.now())):
        expected = list(build(values))
        got = compiled.fetch(values)
        assert [(m.pk, m.customer.company_name, m.recent) for m in got] == [  # type: ignore[attr-defined]
            (m.pk, m.customer.company_name, m.recent) for m in expected]  # type: ignore[attr-defined]
    assert [m.recent for m in compiled.fetch((customer_a.user.pk, customer_a.customer.tenant_id,  # type: ignore[attr-defined]
                                               timezone.now() - timedelta(days=1)))] == [True]


@pytest.mark.parametrize("value", [True, 1.5, None, b"x"])
def test_values_of_other_kinds_are_refused(db, value) -> None:  # type: ignore[no-untyped-def]
    compiled = CompiledQuery(lambda values: PartnerMembership.objects.filter(pk=values[0]))
    with pytest.raises(CompiledQueryError):
        compiled.fetch([value])


def test_a_naive_datetime_is_refused_rather_than_converted(db) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    compiled = CompiledQuery(lambda values: PartnerMembership.objects.filter(created_at__lt=values[0]))
    with pytest.raises(CompiledQueryError):
        compiled.fetch([datetime(2026, 1, 1)])


def test_a_lookup_that_rewrites_its_value_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    # LIKE lookups escape %, _ and \\: a compiled statement would not escape later values.
    compiled = CompiledQuery(lambda values: PartnerMembership.objects.filter(user__email__contains=values[0]))
    with pytest.raises(CompiledQueryError):
        compiled.fetch(["a_b"])


def test_a_locking_query_still_refuses_to_run_outside_a_transaction(transactional_db) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    compiled = CompiledQuery(lambda values: PartnerMembership.objects.select_for_update().filter(pk=values[0]))
    with transaction.atomic():
        assert compiled.fetch([1]) == []
    with pytest.raises(TransactionManagementError):
        compiled.fetch([1])


# --- Integers, slices, .values() rows, counts and shapes (issue 25) ------------------------------------

def _relationships(values, shape=None):  # type: ignore[no-untyped-def]
    from relationships.models import Relationship

    partner_pk, offset, limit = values
    rows = Relationship.objects.filter(partner=partner_pk).select_related("customer").order_by(shape or "pk")
    return rows[int(offset):int(offset) + int(limit)]


@pytest.fixture
def seven_customers(partner_a):  # type: ignore[no-untyped-def]
    from relationships.models import Relationship
    from tests.factories import CustomerFactory

    Relationship.objects.bulk_create(Relationship(partner=partner_a.partner, customer=c) for c in CustomerFactory.create_batch(7))
    return partner_a.partner


def test_a_slice_is_one_statement_with_its_bounds_as_parameters(seven_customers) -> None:  # type: ignore[no-untyped-def]
    compiled = CompiledQuery(_relationships)
    for offset, limit in ((0, 3), (3, 3), (6, 3), (2, 1), (0, 50), (9, 5)):
        expected = list(_relationships((seven_customers.pk, offset, limit)))
        with CaptureQueriesContext(connection) as queries:
            got = compiled.fetch([seven_customers.pk, offset, limit])
        assert len(queries) == 1 and "LIMIT" in queries[0]["sql"]
        assert [(r.pk, r.customer.company_name) for r in got] == [(r.pk, r.customer.company_name) for r in expected]
    assert len(compiled._statements) == 1  # one statement for every page
    for shape in ("-pk", "customer__company_name"):  # a shape: its own statement
        assert [r.pk for r in compiled.fetch([seven_customers.pk, 1, 4], shape)] == [
            r.pk for r in _relationships((seven_customers.pk, 1, 4), shape)]
    assert len(compiled._statements) == 3


def test_values_rows_flat_values_and_counts_are_the_querysets(seven_customers) -> None:  # type: ignore[no-untyped-def]
    from partnercenter.compiled_queries import CompiledCount
    from relationships.models import Relationship

    def rows(values):  # type: ignore[no-untyped-def]
        return Relationship.objects.filter(partner=values[0]).order_by("-pk").values("pk", "customer__tenant_id", "established_at")[:int(values[1])]

    def codes(values):  # type: ignore[no-untyped-def]
        return Relationship.objects.filter(partner=values[0]).order_by("pk").values_list("customer__country", flat=True)[:int(values[1])]

    for limit in (1, 5, 100):
        assert CompiledQuery(rows).fetch([seven_customers.pk, limit]) == list(rows((seven_customers.pk, limit)))
        assert CompiledQuery(codes).fetch([seven_customers.pk, limit]) == list(codes((seven_customers.pk, limit)))
    counted = CompiledCount(lambda values: Relationship.objects.filter(partner=values[0]).order_by()[:int(values[1])])
    for limit in (1, 5, 100):
        with CaptureQueriesContext(connection) as queries:
            assert counted.count([seven_customers.pk, limit]) == min(7, limit)
        assert len(queries) == 1 and queries[0]["sql"].startswith("SELECT COUNT(*)")
    assert counted.count([seven_customers.pk + 1000, 10]) == 0


def test_compiling_a_count_runs_nothing_and_logs_nothing(seven_customers) -> None:  # type: ignore[no-untyped-def]
    from partnercenter.compiled_queries import CompiledCount
    from relationships.models import Relationship

    counted = CompiledCount(lambda values: Relationship.objects.filter(partner=values[0]))
    wrappers = list(connection.execute_wrappers)
    with CaptureQueriesContext(connection) as queries:
        assert counted.count([seven_customers.pk]) == 7
    assert len(queries) == 1  # the count itself: compiling it twice ran and logged no statement
    assert connection.execute_wrappers == wrappers


def test_an_integer_that_is_transformed_or_dropped_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    from relationships.models import Relationship

    with pytest.raises(CompiledQueryError):
        CompiledQuery(lambda values: Relationship.objects.filter(partner=int(values[0]) + 1)).fetch([5])
    with pytest.raises(CompiledQueryError):
        CompiledQuery(lambda values: Relationship.objects.filter(partner=5)).fetch([5])
    with pytest.raises(CompiledQueryError):  # a value that decides the shape (here: whether to filter) is not a value
        CompiledQuery(lambda values: Relationship.objects.filter(relationship_type=values[0])
                      if values[0] in ("reseller",) else Relationship.objects.all()).fetch(["reseller"])


def test_past_max_shapes_the_orm_runs_the_queryset(seven_customers) -> None:  # type: ignore[no-untyped-def]
    compiled = CompiledQuery(_relationships, max_shapes=1)
    compiled.fetch([seven_customers.pk, 0, 2], "pk")
    assert [r.pk for r in compiled.fetch([seven_customers.pk, 0, 2], "-pk")] == [
        r.pk for r in _relationships((seven_customers.pk, 0, 2), "-pk")]
    assert len(compiled._statements) == 1
