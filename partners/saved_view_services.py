"""Saved views (issue 24, item 3): a partner user's named filter sets for the console lists.

Personal preferences of one user in one partner: no audit event (nothing of the partner's changes),
but every action checks the membership through partners.authz (a member may save views of any list
they may open: the lists need VIEW_CUSTOMERS) and touches only the member's own rows.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partnercenter.errors import DomainError
from partners.authz import Permission, authorize
from partners.choices import SAVED_VIEW_PARAMETERS, SavedViewList
from partners.models import PartnerMembership, SavedView
from partners.saved_view_selectors import saved_view_get

MAX_VIEWS_PER_LIST = 50


class SavedViewError(DomainError):
    pass


def saved_view_clean_query(*, list_name: str, query_string: str) -> str:
    """Only the list's own parameters, non-empty, in a stable order (never `page`)."""
    allowed = SAVED_VIEW_PARAMETERS[list_name]
    pairs = [(key, value) for key, value in parse_qsl(query_string[:2000]) if key in allowed and value and "\x00" not in value]
    return urlencode(sorted(pairs, key=lambda pair: allowed.index(pair[0])))


@transaction.atomic
def saved_view_save(*, membership: PartnerMembership, list_name: str, name: str, query_string: str,
                    make_default: bool = False) -> SavedView:
    """Save (or overwrite, by name) the member's view of one list; optionally make it their default."""
    authorize(membership, Permission.VIEW_CUSTOMERS)
    if list_name not in SavedViewList.values:
        raise SavedViewError("invalid", _("Unknown list."), field="list_name")
    name = " ".join(name.split())
    if not name or len(name) > 80 or "\x00" in name:
        raise SavedViewError("invalid", _("Give the view a name of at most 80 characters."), field="name")
    query = saved_view_clean_query(list_name=list_name, query_string=query_string)
    owned = SavedView.objects.filter(user_id=membership.user_id, partner_id=membership.partner_id, list_name=list_name)
    if not owned.filter(name=name).exists() and owned.count() >= MAX_VIEWS_PER_LIST:
        raise SavedViewError("limit", _("You have saved the most views this list allows; delete one first."), field="name")
    if make_default:
        owned.filter(is_default=True).exclude(name=name).update(is_default=False)
    try:
        view, _created = owned.update_or_create(
            name=name, defaults={"query_string": query, **({"is_default": True} if make_default else {})},
            create_defaults={"user_id": membership.user_id, "partner_id": membership.partner_id, "list_name": list_name,
                             "name": name, "query_string": query, "is_default": make_default},
        )
    except IntegrityError as exc:  # a concurrent save of the same name or default
        raise SavedViewError("conflict", _("The view changed meanwhile; try again."), field="name") from exc
    return view


@transaction.atomic
def saved_view_set_default(*, membership: PartnerMembership, view_pk: int, is_default: bool = True) -> SavedView:
    """Make one of the member's views their default for its list (or stop it being the default)."""
    authorize(membership, Permission.VIEW_CUSTOMERS)
    view = saved_view_get(membership=membership, view_pk=view_pk, for_update=True)
    if is_default:
        (SavedView.objects.filter(user_id=membership.user_id, partner_id=membership.partner_id, list_name=view.list_name,
                                  is_default=True).exclude(pk=view.pk).update(is_default=False))
    SavedView.objects.filter(pk=view.pk).update(is_default=is_default)
    view.is_default = is_default
    return view


@transaction.atomic
def saved_view_delete(*, membership: PartnerMembership, view_pk: int) -> None:
    authorize(membership, Permission.VIEW_CUSTOMERS)
    saved_view_get(membership=membership, view_pk=view_pk, for_update=True).delete()
