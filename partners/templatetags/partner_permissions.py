"""`{% load partner_permissions %}` … `{% if membership.roles|role_allows:"view_activity" %}`: the console
menu shows only what the member's roles may open (issue 21 item 6), with the same rule the views check
(partners.permissions.roles_allow)."""

from __future__ import annotations

from django import template

from partners.permissions import PartnerPermission, roles_allow

register = template.Library()


@register.filter
def role_allows(roles: list[str] | None, permission: str) -> bool:
    if not roles:
        return False
    return roles_allow(roles, PartnerPermission(permission))


# Pages whose view sets another menu section than the one their address and breadcrumb belong to.
_SECTION_BY_VIEW = {"invitations:draft": "invitations"}


@register.filter
def console_section(nav_section: str, request: object) -> str:
    """The menu item to highlight: an invitation's draft page lives under Invitations (issue 22 item 6)."""
    match = getattr(request, "resolver_match", None)
    view_name = getattr(match, "view_name", "") or ""
    if view_name.startswith("invitation_batches:"):
        return "invitations"
    return _SECTION_BY_VIEW.get(view_name, nav_section)
