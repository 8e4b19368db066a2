"""Partner settings → Security groups (issue 23): the access containers of delegated admin access.

Account admins (MANAGE_USERS) list, create, rename and delete the partner's groups and choose their
members; a customer's roles are then assigned to a group (Graph's accessAssignments, /api/v1). Every
change goes through partners.security_group_services; GET never changes anything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from console.mixins import PartnerConsoleMixin
from console.security_groups_forms import SecurityGroupForm, SecurityGroupMemberForm
from partnercenter.errors import DomainError
from partners.models import PartnerSecurityGroup
from partners.permissions import PartnerPermission
from partners.security_group_selectors import (
    membership_for_partner,
    security_group_for_partner,
    security_group_members,
    security_groups_for_partner,
)
from partners.security_group_services import (
    security_group_add_member,
    security_group_create,
    security_group_delete,
    security_group_remove_member,
    security_group_update,
)
from partners.selectors import partner_user_list


class SecurityGroupListView(PartnerConsoleMixin, TemplateView):
    """The partner's groups with their member counts, and the form creating one."""

    template_name = "partners/security_groups.html"
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "security_groups"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["groups"] = security_groups_for_partner(partner=self.partner)
        context.setdefault("form", SecurityGroupForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SecurityGroupForm(request.POST)
        if form.is_valid():
            try:
                group = security_group_create(actor=self.membership, partner=self.partner, name=form.cleaned_data["name"],
                                              description=form.cleaned_data["description"])
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Security group %(name)s created. Add its members.") % {"name": group.name})
                return redirect("partners:security_group", partner_id=self.partner.partner_id, object_id=group.object_id)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SecurityGroupView(PartnerConsoleMixin, TemplateView):
    """One group: rename it, add and remove members, delete it (POST `action`: save, add, remove, delete)."""

    template_name = "partners/security_group.html"
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "security_groups"

    def group(self) -> PartnerSecurityGroup:
        return security_group_for_partner(partner=self.partner, object_id=self.kwargs["object_id"])

    def member_form(self, group: PartnerSecurityGroup, data: Any = None) -> SecurityGroupMemberForm:
        inside = set(group.members.values_list("pk", flat=True))
        choices = [(m.pk, m.user.email) for m in partner_user_list(partner=self.partner) if m.pk not in inside]
        return SecurityGroupMemberForm(data, choices=choices)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        group = kwargs.get("group") or self.group()
        context["group"] = group
        context["members"] = security_group_members(group=group)
        context["assignments"] = group.access_assignments.select_related("grant", "grant__customer").order_by("grant__display_name")
        context.setdefault("form", SecurityGroupForm(initial={"name": group.name, "description": group.description}))
        context.setdefault("member_form", self.member_form(group))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.group()
        action = request.POST.get("action", "")
        here = redirect("partners:security_group", partner_id=self.partner.partner_id, object_id=group.object_id)
        try:
            if action == "save":
                form = SecurityGroupForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(group=group, form=form), status=400)
                try:
                    security_group_update(actor=self.membership, group=group, name=form.cleaned_data["name"],
                                          description=form.cleaned_data["description"])
                except DomainError as error:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                    return self.render_to_response(self.get_context_data(group=group, form=form), status=400)
                messages.success(request, _("Security group saved."))
            elif action == "add":
                member_form = self.member_form(group, request.POST)
                if not member_form.is_valid():
                    return self.render_to_response(self.get_context_data(group=group, member_form=member_form), status=400)
                member = membership_for_partner(partner=self.partner, membership_pk=member_form.cleaned_data["member"])
                security_group_add_member(actor=self.membership, group=group, membership=member)
                messages.success(request, _("%(email)s added to the group.") % {"email": member.user.email})
            elif action == "remove":
                member = membership_for_partner(partner=self.partner, membership_pk=request.POST.get("member", ""))
                security_group_remove_member(actor=self.membership, group=group, membership=member)
                messages.success(request, _("%(email)s removed from the group.") % {"email": member.user.email})
            elif action == "delete":
                security_group_delete(actor=self.membership, group=group)
                messages.success(request, _("Security group %(name)s deleted.") % {"name": group.name})
                return redirect("partners:security_groups", partner_id=self.partner.partner_id)
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            messages.error(request, error.message)
        return here
