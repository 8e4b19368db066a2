"""Partner console → Customers: the customers who accepted, searchable, each row expandable."""

from __future__ import annotations

import html
import uuid
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView

from console.exports import ExportColumn, ListExportMixin
from console.mixins import PartnerConsoleMixin
from console.relationships_forms import GrantRequestForm, ReasonForm
from console.saved_views import ListToolsMixin
from invitation_batches.renewals import RENEWABLE_STATUSES, renewal_attach
from invitations.choices import InvitationKind
from invitations.create_services import invitation_create
from partnercenter.country_options import country_options_html, country_pairs
from partnercenter.directory_roles import BUNDLES, BY_ID, CATALOG
from partnercenter.errors import DomainError
from partnercenter.pagination import CappedCountPaginator
from partnercenter.params import refuse_nul, text_param
from partnercenter.template_builtins import date_filter, isodatetime
from partners.authz import can
from partners.choices import PartnerRole, PartnerType, SavedViewList
from partners.defaults_services import defaults_initial
from partners.permissions import PartnerPermission
from partners.security_group_selectors import security_group_for_partner, security_groups_for_partner
from relationships.choices import GrantStatus, RelationshipType
from relationships.customer_note_selectors import (
    customer_notes_for,
    customer_tag_list_for_partner,
    customer_tag_names,
    customer_tags_for_partner,
    customer_tags_of,
    tags_by_customer,
)
from relationships.ending import relationship_terminate_for_partner
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.removal import RemovalBlockedError, removal_blockers
from relationships.selectors import (
    CUSTOMER_SORTS,
    DELEGATED_ADMIN_FILTERS,
    RENEWAL_WINDOWS,
    active_customers_for_partner,
    customer_count_for_partner,
    customer_countries_for_partner,
    grant_get_for_partner,
    grant_list_for_partner,
    grants_ending_counts,
    grants_for,
    indirect_reseller_customers_for_provider,
    relationship_for_partner_customer,
)
from relationships.services import (
    access_assignment_for_group_remove,
    access_assignment_for_group_set,
    access_assignments_set,
    grant_terminate,
)
from workflows.customer_360 import CustomerRows, customer_details_attach, customer_rows_for_partner
from workflows.export_columns import customer_export_columns, grant_export_columns

URL_PLACEHOLDER = uuid.UUID(int=0)
# The Customers page counts its rows up to this many; beyond, it says "more than 10,000" (issue 25).
CUSTOMER_COUNT_CAP = 10_000


# One row of the Customers table (and its hidden details row), as the template's loop wrote it: 25
# rows of a dozen variables each were a third of the page's cost in the template engine (issue 25).
# tests/console/relationships/test_customer_rows_html.py renders the loop it replaced and compares.
_ROW_HTML = (
    '\n        \n        <tr>\n          {select}\n          <td class="expand-cell"><button class="btn btn-sm btn-link p-0 expand-toggle" '
    'type="button" aria-expanded="false" aria-controls="details-{tenant}" data-details-url="{url}"><i class="bi bi-chevron-down" '
    'aria-hidden="true"></i><span class="visually-hidden">{details_label}</span></button></td>\n          <th scope="row" class="fw-medium">'
    '<a href="{url}">{company}</a><div class="small fw-normal text-body-secondary text-break">{domain}</div>{tags}</th>\n          '
    '<td class="d-none d-md-table-cell">{country}</td>\n          <td class="small d-none d-md-table-cell">{type}</td>\n          '
    '<td class="small d-none d-lg-table-cell">{subscriptions}</td>\n          <td>{grant}</td>\n          '
    '<td class="text-nowrap d-none d-sm-table-cell"><time datetime="{iso}">{day}</time></td>\n        </tr>\n        '
    '<tr class="details-row" id="details-{tenant}" hidden><td colspan="{colspan}" class="bg-body-tertiary"><div class="details-body">'
    '</div></td></tr>\n        \n      '
)
_SELECT_HTML = ('<td class="select-cell"><input class="form-check-input" type="checkbox" form="bulk-gdap" name="customer" value="{tenant}" '
                'id="select-{tenant}" aria-label="{label}"></td>')
_TAG_HTML = '<span class="badge rounded-pill text-bg-light border fw-normal me-1"><i class="bi bi-tag" aria-hidden="true"></i> {}</span>'


def _escape(value: Any) -> str:
    """conditional_escape's text (Django's escape is html.escape), without a SafeString per value."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


@lru_cache(maxsize=64)
def _grant_badges(language: str | None) -> dict[str, str]:
    """The rows' delegated admin badges in the viewer's language: two rendered templates, once per process and language."""
    return {
        "active_badge": render_to_string("includes/status_badge.html", {"status": "active", "label": _("Active")}),
        "pending_badge": render_to_string("includes/status_badge.html", {"status": "approval_pending", "label": _("Approval pending")}),
        "no_grant_label": _("None"),
    }


def customer_rows_html(rows: Any, *, can_request_dap: bool, active_badge: str, pending_badge: str, no_grant_label: str) -> SafeString:
    """The Customers table's rows (what the view attached to each relationship), escaped as the template escaped them."""
    esc = _escape
    grant_none = f'<span class="text-body-secondary">{esc(no_grant_label)}</span>'
    colspan = "8" if can_request_dap else "7"
    out = []
    repeated: dict[tuple[type, Any], str] = {}  # the page's countries, types, counts and days repeat: each escaped once

    def once(value: Any) -> str:
        key = (type(value), value)  # a SafeString and a str of the same text escape differently
        text = repeated.get(key)
        if text is None:
            text = repeated[key] = esc(value)
        return text

    for row in rows:
        customer = row.customer
        tenant = esc(row.tenant)
        established = row.established_at
        out.append(_ROW_HTML.format(
            select=_SELECT_HTML.format(tenant=tenant, label=esc(row.select_label)) if can_request_dap else "",
            tenant=tenant, url=esc(row.details_url), details_label=esc(row.details_label), company=esc(customer.company_name),
            domain=esc(customer.primary_domain),
            tags=('<div class="customer-tags">' + "".join(_TAG_HTML.format(esc(name)) for name in row.tag_names) + "</div>"
                  if row.tag_names else ""),
            country=once(row.country_name), type=once(row.type_label), subscriptions=once(row.subscriptions_label),
            grant=active_badge if row.has_active_grant else pending_badge if row.has_pending_grant else grant_none,
            iso=esc(isodatetime(established)),
            day=once(date_filter(template_localtime(established), "DATE_FORMAT")) if established is not None else "",
            colspan=colspan,
        ))
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above, the badges are rendered templates


class CustomerListView(ListToolsMixin, PartnerConsoleMixin, TemplateView):
    template_name = "relationships/customers.html"
    saved_view_list = SavedViewList.CUSTOMERS
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"
    page_size = 25

    export_filename = "customers"

    def filters(self) -> dict[str, Any]:
        params = self.request.GET
        tag = params.get("tag", "")
        return {
            "q": text_param(params, "q"),
            "sort": params.get("sort", "name") if params.get("sort", "name") in CUSTOMER_SORTS else "name",
            "relationship_type": params.get("type", "") if params.get("type", "") in RelationshipType.values else "",
            "delegated_admin": params.get("dap", "") if params.get("dap", "") in DELEGATED_ADMIN_FILTERS else "",
            "country": text_param(params, "country", max_length=2).upper(),
            # A tag id (issue 24, item 5); anything else is no filter, another partner's id matches nothing.
            "tag": int(tag) if tag.isascii() and tag.isdigit() and len(tag) < 10 else None,
        }

    def filtered_queryset(self) -> QuerySet[Relationship]:
        return customer_rows_for_partner(partner=self.partner, **self.filters()).annotate(
            tag_names=customer_tag_names(partner=self.partner))

    def export_columns(self) -> list[ExportColumn]:
        return customer_export_columns()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        filters = self.filters()
        # The total is exact up to CUSTOMER_COUNT_CAP; beyond, "more than 10,000" (issue 25): an exact
        # COUNT(*) of 100,000 relationships (or a semi-join over 50,000 grants) would cost the page
        # the partner's size.
        limit = CappedCountPaginator.count_limit(params.get("page"), self.page_size, CUSTOMER_COUNT_CAP)
        counted = customer_count_for_partner(partner=self.partner, **filters, up_to=limit)
        paginator = CappedCountPaginator(CustomerRows(partner=self.partner, **filters), self.page_size,
                                         count=counted, cap=CUSTOMER_COUNT_CAP, capped=counted >= limit)
        page = paginator.get_page(params.get("page"))
        query = {"q": filters["q"], "type": filters["relationship_type"], "dap": filters["delegated_admin"], "country": filters["country"],
                 "tag": "" if filters["tag"] is None else str(filters["tag"])}
        filter_qs = urlencode({k: v for k, v in query.items() if v})
        language = translation.get_language()
        countries = country_pairs(language, tuple(customer_countries_for_partner(partner=self.partner)))
        # What the rows show, computed once per page rather than once per row in the template (the
        # page's main cost): each country's name (looked up for the filter anyway), each type's label,
        # each distinct subscription count's label, the details URL (reversed once with a placeholder
        # tenant id, then filled in), and the two delegated admin badges (an include per row costs more
        # than the rest of the row).
        names = dict(countries)
        type_labels = {value: str(label) for value, label in RelationshipType.choices}  # translated once per page
        subscription_labels: dict[int, str] = {}
        details_url = reverse("relationships:customer", kwargs={"partner_id": self.partner.partner_id, "tenant_id": URL_PLACEHOLDER})
        # The two per-row labels, as {% blocktranslate with name=… %} rendered them: the translation
        # once per page, the customer's name escaped into it (the same msgids, in every language).
        select_text, details_text = _("Select %(name)s"), _("Show details of %(name)s")
        customer_tags = customer_tag_list_for_partner(partner=self.partner)
        tags = (tags_by_customer(partner=self.partner, customer_ids=[row.customer_id for row in page.object_list])
                if customer_tags else {})
        for relationship in page.object_list:
            customer = relationship.customer
            relationship.tag_names = tags.get(relationship.customer_id, [])
            relationship.tenant = str(customer.tenant_id)
            relationship.country_name = names.get(relationship.country_code) or customer.country.name
            relationship.type_label = type_labels.get(relationship.relationship_type, relationship.relationship_type)
            count = relationship.subscription_count
            if count not in subscription_labels:
                subscription_labels[count] = ngettext("%(n)s subscription", "%(n)s subscriptions", count) % {"n": count}
            relationship.subscriptions_label = subscription_labels[count]
            relationship.details_url = details_url.replace(str(URL_PLACEHOLDER), relationship.tenant)
            name = {"name": conditional_escape(customer.company_name)}
            relationship.select_label = mark_safe(select_text % name)  # noqa: S308 — our translation, the name escaped
            relationship.details_label = mark_safe(details_text % name)  # noqa: S308 — our translation, the name escaped
        badges = _grant_badges(translation.get_language())
        can_request_dap = self.can(PartnerPermission.REQUEST_DELEGATED_ADMIN)
        context.update(badges, rows_html=customer_rows_html(page.object_list, can_request_dap=can_request_dap, **badges))
        context.update(
            page=page, has_rows=bool(page.object_list), q=filters["q"], sort=filters["sort"], type=filters["relationship_type"], dap=filters["delegated_admin"],
            country=filters["country"], countries=countries, relationship_types=RelationshipType.choices,
            country_options=country_options_html(countries, filters["country"], language),
            filtered=any(query.values()), filter_qs=filter_qs,
            querystring=urlencode({**{k: v for k, v in query.items() if v}, "sort": filters["sort"]}),
            can_request=self.can(PartnerPermission.REQUEST_RELATIONSHIP),
            can_request_dap=can_request_dap,
            can_manage=self.can(PartnerPermission.MANAGE_CUSTOMERS),
            can_remove=self.can(PartnerPermission.REMOVE_RELATIONSHIP),
            customer_tags=customer_tags, tag=query["tag"],
            can_manage_tags=self.can(PartnerPermission.MANAGE_CUSTOMER_TAGS),
        )
        context["can_create_customer"] = self.can(PartnerPermission.MANAGE_CUSTOMERS)

        if self.partner.partner_type == PartnerType.INDIRECT_PROVIDER:  # two-tier: its resellers' customers, apart
            context["indirect_customers"] = list(indirect_reseller_customers_for_provider(provider=self.partner)[:200])
        return context


class CustomerRowView(PartnerConsoleMixin, TemplateView):
    """The expanded row, fetched when a row of the Customers page is first expanded (an HX-Request
    partial); also a plain page, which the customer's name links to (works without JavaScript)."""

    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"

    def partial(self) -> bool:
        return bool(self.request.headers.get("HX-Request"))

    def get_template_names(self) -> list[str]:
        if self.partial():
            return ["relationships/includes/customer_details.html"]
        return ["relationships/customer_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        relationship = relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))
        customer_details_attach(relationship=relationship, membership=self.membership)
        renewal_attach(partner_id=self.partner.pk, grants=relationship.grants)  # type: ignore[attr-defined]  # attached just above
        context.update(relationship=relationship, customer=relationship.customer, grants=relationship.grants,  # type: ignore[attr-defined]  # attached by customer_details_attach
                       # The history (audit timeline) is on the customer's page, not in the list's expanded row.
                       with_history=not self.partial(),
                       can_manage=self.can(PartnerPermission.MANAGE_CUSTOMERS),
                       can_remove=self.can(PartnerPermission.REMOVE_RELATIONSHIP))
        if not self.partial():  # the partner's private tags and notes, on the customer's page (issue 24, item 5)
            notes = list(customer_notes_for(partner=self.partner, customer=relationship.customer))
            for note in notes:
                note.can_change = can(self.membership, PartnerPermission.EDIT_CUSTOMER_NOTE, note)  # type: ignore[attr-defined]
            context.update(
                customer_tags=customer_tags_of(partner=self.partner, customer=relationship.customer),
                all_tags=customer_tags_for_partner(partner=self.partner), notes=notes,
                can_annotate=self.can(PartnerPermission.ANNOTATE_CUSTOMERS),
                can_manage_tags=self.can(PartnerPermission.MANAGE_CUSTOMER_TAGS),
            )
        return context


class GrantListView(ListToolsMixin, PartnerConsoleMixin, TemplateView):
    """Partner console → Delegated admin: every grant with its status and days left."""

    template_name = "relationships/grants.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "grants"
    export_filename = "delegated-admin"
    saved_view_list = SavedViewList.GRANTS

    def ending_within(self) -> int | None:
        """The renewal window asked for (`ending=30|60|90`), None for any other value."""
        value = self.request.GET.get("ending", "")
        return int(value) if value in {str(days) for days in RENEWAL_WINDOWS} else None

    def filtered_queryset(self) -> QuerySet[DelegatedAdminGrant]:
        return grant_list_for_partner(partner=self.partner, status=self.request.GET.get("status", ""), ending_within_days=self.ending_within())

    def export_columns(self) -> list[ExportColumn]:
        return grant_export_columns()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        ending = self.ending_within()
        page = Paginator(self.filtered_queryset(), 25).get_page(self.request.GET.get("page"))
        renewal_attach(partner_id=self.partner.pk, grants=page.object_list)
        counts = grants_ending_counts(partner=self.partner)
        context.update(page=page, status=status, statuses=GrantStatus.choices,
                       querystring=urlencode({k: v for k, v in {"status": status, "ending": ending or ""}.items() if v}),
                       ending=ending, ending_windows=[(days, counts[days]) for days in RENEWAL_WINDOWS],
                       renewable_statuses=RENEWABLE_STATUSES,
                       can_request=self.can(PartnerPermission.REQUEST_DELEGATED_ADMIN))
        return context


class GrantRequestView(PartnerConsoleMixin, FormView):
    """Request admin roles from an existing customer: becomes a `delegated_admin` invitation and its draft."""

    template_name = "relationships/grant_request.html"
    form_class = GrantRequestForm
    permission = PartnerPermission.REQUEST_DELEGATED_ADMIN
    nav_section = "grants"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["customers"] = [(str(c.tenant_id), f"{c.company_name} ({c.primary_domain})")
                               for c in active_customers_for_partner(partner=self.partner)]
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"language": translation.get_language() or "en", "customer": self.request.GET.get("customer", ""),
                **defaults_initial(self.partner)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["catalog"] = CATALOG
        context["bundles"] = [(key, label, [str(BY_ID[r].name) for r in roles]) for key, (label, roles) in BUNDLES.items()]
        return context

    def form_valid(self, form: GrantRequestForm) -> HttpResponse:
        data = form.cleaned_data
        customer = active_customers_for_partner(partner=self.partner).filter(tenant_id=data["customer"]).first()
        try:
            invitation = invitation_create(
                membership=self.membership, include_delegated_admin=True, kind=InvitationKind.DELEGATED_ADMIN,
                customer=customer, roles=data["roles"], duration_days=data["duration_days"], auto_extend=data["auto_extend"],
                recipient_email=data["recipient_email"] or "", language=data["language"],
            )
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        return redirect("invitations:draft", partner_id=self.partner.partner_id, invitation_pk=invitation.pk)


class GrantDetailView(PartnerConsoleMixin, TemplateView):
    """One grant: roles, window, access assignments (account admins edit them), remove roles."""

    template_name = "relationships/grant_detail.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "grants"

    def get_grant(self) -> DelegatedAdminGrant:
        return grant_get_for_partner(partner=self.partner, grant_pk=self.kwargs["grant_pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        grant = self.get_grant()
        assigned = {a.partner_role: set(a.roles) for a in grant.access_assignments.all()}
        matrix = [
            {"role": role, "label": str(role.label),
             "cells": [{"id": rid, "name": str(BY_ID[rid].name), "checked": rid in assigned.get(role.value, set())} for rid in grant.roles]}
            for role in PartnerRole
        ]
        context.update(grant=grant, matrix=matrix, granted=[BY_ID[r] for r in grant.roles],
                       group_assignments=grant.access_assignments.filter(security_group__isnull=False).select_related("security_group"),
                       security_groups=security_groups_for_partner(partner=self.partner),
                       can_assign=self.can(PartnerPermission.MANAGE_ACCESS_ASSIGNMENTS) and grant.status == GrantStatus.ACTIVE,
                       can_terminate=self.can(PartnerPermission.REQUEST_DELEGATED_ADMIN) and grant.status == GrantStatus.ACTIVE,
                       reason_form=ReasonForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        assert request.user.is_authenticated  # PartnerConsoleMixin.dispatch turns anonymous users away
        try:
            if request.POST.get("action") == "terminate":
                if not self.can(PartnerPermission.REQUEST_DELEGATED_ADMIN):
                    raise PermissionDenied
                grant_terminate(grant=grant, actor=self.membership, reason=refuse_nul("reason", request.POST.get("reason", "")))
                messages.success(request, _("Admin roles removed; %(customer)s has been told.") % {"customer": grant.customer_required.company_name})
            elif request.POST.get("action") in ("assign_group", "unassign_group"):
                if not self.can(PartnerPermission.MANAGE_ACCESS_ASSIGNMENTS):
                    raise PermissionDenied
                group = security_group_for_partner(partner=self.partner, object_id=request.POST.get("group", ""))
                if request.POST["action"] == "assign_group":
                    access_assignment_for_group_set(grant=grant, actor=self.membership, group=group, roles=request.POST.getlist("group_roles"))
                    messages.success(request, _("Roles assigned to %(group)s.") % {"group": group.name})
                else:
                    access_assignment_for_group_remove(grant=grant, actor=self.membership, group=group)
                    messages.success(request, _("%(group)s no longer receives these roles.") % {"group": group.name})
            else:
                if not self.can(PartnerPermission.MANAGE_ACCESS_ASSIGNMENTS):
                    raise PermissionDenied
                assignments = {role: request.POST.getlist(f"assign-{role}") for role in PartnerRole.values}
                access_assignments_set(grant=grant, actor=self.membership, assignments=assignments)
                messages.success(request, _("Access assignments saved."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("relationships:grant", partner_id=self.partner.partner_id, grant_pk=grant.pk)


class RelationshipRemoveView(PartnerConsoleMixin, TemplateView):
    """Remove the relationship with a customer: the blockers with links, or a confirmation."""

    template_name = "relationships/relationship_remove.html"
    permission = PartnerPermission.REMOVE_RELATIONSHIP
    nav_section = "customers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        relationship = relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))
        grants = grants_for(partner=self.partner, customer=relationship.customer).filter(
            status__in=[GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING])
        context.update(relationship=relationship, customer=relationship.customer, grants=grants,
                       blockers=removal_blockers(partner=self.partner, customer=relationship.customer),
                       reason_form=kwargs.get("reason_form") or ReasonForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        relationship = relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(reason_form=form), status=400)
        try:
            relationship_terminate_for_partner(relationship=relationship, membership=self.membership, reason=form.cleaned_data["reason"])
        except RemovalBlockedError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(reason_form=form), status=409)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("relationships:customer_remove", partner_id=self.partner.partner_id, tenant_id=relationship.customer.tenant_id)
        messages.success(request, _("The relationship with %(customer)s has ended; its admin roles ended with it and the customer has "
                                    "been told.") % {"customer": relationship.customer.company_name})
        return redirect("relationships:customers", partner_id=self.partner.partner_id)


class CustomerExportView(ListExportMixin, CustomerListView):  # type: ignore[misc]  # get() answers a streamed file, not an HttpResponse
    """The Customers list as CSV or XLSX: the rows its current filters show, in its order."""


class GrantExportView(ListExportMixin, GrantListView):  # type: ignore[misc]  # get() answers a streamed file, not an HttpResponse
    """The Delegated admin list as CSV or XLSX, with its status filter."""
