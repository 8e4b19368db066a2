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

    compiled = CompiledQuery(lambda pks: User.objects.filter(pk__in=pks).order_by("pk"), kind=int)
    users = list(User.objects.order_by("pk")[:2])
    for pks in ((users[0].pk,), (users[0].pk, users[1].pk), (-1,)):
        expected = list(User.objects.filter(pk__in=pks).order_by("pk"))
        got = compiled.fetch(pks)
        assert [(u.pk, u.email, u.password, u.is_active) for u in got] == [(u.pk, u.email, u.password, u.is_active) for u in expected]
    with pytest.raises(CompiledQueryError):
        compiled.fetch([str(users[0].pk)])  # a string is not an integer value
    with pytest.raises(CompiledQueryError):
        compiled.fetch([True])
