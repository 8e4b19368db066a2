"""Saved views (issue 24, item 3): a user's named filter sets per list, their default, and privacy."""

from __future__ import annotations

import pytest
from django.http import Http404

from partners.choices import SavedViewList
from partners.models import SavedView
from partners.saved_view_selectors import saved_view_default, saved_views_for
from partners.saved_view_services import SavedViewError, saved_view_delete, saved_view_save, saved_view_set_default
from tests.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def test_save_keeps_only_the_lists_parameters_and_one_default(partner_a):
    member = partner_a.sales
    first = saved_view_save(membership=member, list_name=SavedViewList.CUSTOMERS, name="  No admin  ",
                            query_string="dap=none&page=4&evil=1&q=", make_default=True)
    assert (first.name, first.query_string, first.is_default) == ("No admin", "dap=none", True)
    second = saved_view_save(membership=member, list_name=SavedViewList.CUSTOMERS, name="Japan",
                             query_string="country=JP&sort=newest", make_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    assert saved_view_default(membership=member, list_name=SavedViewList.CUSTOMERS) == second
    again = saved_view_save(membership=member, list_name=SavedViewList.CUSTOMERS, name="Japan", query_string="country=US")
    assert again.pk == second.pk and again.query_string == "country=US" and again.is_default  # overwritten by name
    saved_view_set_default(membership=member, view_pk=second.pk, is_default=False)
    assert saved_view_default(membership=member, list_name=SavedViewList.CUSTOMERS) is None
    saved_view_delete(membership=member, view_pk=first.pk)
    assert list(saved_views_for(membership=member, list_name=SavedViewList.CUSTOMERS)) == [second]


def test_bad_input_is_a_clear_error(partner_a):
    with pytest.raises(SavedViewError):
        saved_view_save(membership=partner_a.sales, list_name="nope", name="x", query_string="")
    with pytest.raises(SavedViewError):
        saved_view_save(membership=partner_a.sales, list_name=SavedViewList.GRANTS, name="   ", query_string="status=active")


def test_other_users_and_other_partners_never_see_or_touch_a_view(partner_a, partner_b):
    view = saved_view_save(membership=partner_a.sales, list_name=SavedViewList.GRANTS, name="Mine", query_string="status=active",
                           make_default=True)
    colleague = partner_a.admin
    same_user_elsewhere = PartnerMembershipFactory(partner=partner_b.partner, user=partner_a.sales.user, roles=["admin_agent"])
    for other in (colleague, same_user_elsewhere, partner_b.admin):
        assert not saved_views_for(membership=other, list_name=SavedViewList.GRANTS).exists()
        assert saved_view_default(membership=other, list_name=SavedViewList.GRANTS) is None
        with pytest.raises(Http404):
            saved_view_delete(membership=other, view_pk=view.pk)
        with pytest.raises(Http404):
            saved_view_set_default(membership=other, view_pk=view.pk)
    assert SavedView.objects.filter(pk=view.pk, is_default=True).exists()
