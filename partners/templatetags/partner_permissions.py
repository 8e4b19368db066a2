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
