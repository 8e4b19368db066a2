"""Partner console → Customers: the partner's private tags and notes on a customer (issue 24, item 5).

The customer's page shows its tags (one comma-separated field, existing tags offered) and its notes
(newest first, who wrote them and when; edit and delete for their author or an account admin);
Customers → Tags renames and deletes the partner's tags. Every write is a POST through
relationships.customer_notes; another partner's customer, tag or note answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from console.mixins import PartnerConsoleMixin
from partnercenter.errors import DomainError
from partnercenter.params import id_value, refuse_nul
from partners.permissions import PartnerPermission
from relationships.customer_note_selectors import customer_note_get, customer_tag_get, customer_tags_for_partner
from relationships.customer_notes import (
    customer_note_add,
    customer_note_delete,
    customer_note_edit,
    customer_tag_delete,
    customer_tag_rename,
    customer_tags_set,
)
from relationships.models import Relationship
from relationships.selectors import relationship_for_partner_customer


def tag_names(text: str) -> list[str]:
    """"VIP, Renewal Q3" → ["VIP", "Renewal Q3"] (empty parts dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]


class CustomerAnnotationView(PartnerConsoleMixin, View):
    """POST only: `tags` (set the customer's tags), `note` (add), `note_edit` / `note_delete` (one note)."""

    permission = PartnerPermission.ANNOTATE_CUSTOMERS
    http_method_names = ["post"]
    action = ""

    def relationship(self) -> Relationship:
        return relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        relationship = self.relationship()
        back = reverse("relationships:customer", kwargs={"partner_id": self.partner.partner_id,
                                                          "tenant_id": relationship.customer.tenant_id})
        try:
            if self.action == "tags":
                tags = customer_tags_set(actor=self.membership, relationship=relationship,
                                         names=tag_names(refuse_nul("tags", request.POST.get("tags", ""))))
                messages.success(request, _("Tags saved: %(tags)s.") % {"tags": ", ".join(t.name for t in tags)}
                                 if tags else _("The customer has no tags now."))
                return HttpResponseRedirect(f"{back}#tags")
            if self.action == "note":
                customer_note_add(actor=self.membership, relationship=relationship, body=refuse_nul("body", request.POST.get("body", "")))
                messages.success(request, _("Note added."))
                return HttpResponseRedirect(f"{back}#notes")
            note = customer_note_get(partner=self.partner, customer=relationship.customer,
                                     note_pk=id_value("note", self.kwargs.get("note_pk")))
            if request.POST.get("action") == "delete":
                customer_note_delete(actor=self.membership, note=note)
                messages.success(request, _("Note deleted."))
            else:
                customer_note_edit(actor=self.membership, note=note, body=refuse_nul("body", request.POST.get("body", "")))
                messages.success(request, _("Note saved."))
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(f"{back}#notes" if self.action != "tags" else f"{back}#tags")


class CustomerTagsView(PartnerConsoleMixin, TemplateView):
    """Customers → Tags: the partner's tags with how many customers carry each; rename, delete (POST)."""

    template_name = "relationships/customer_tags.html"
    permission = PartnerPermission.MANAGE_CUSTOMER_TAGS
    nav_section = "customers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tags"] = customer_tags_for_partner(partner=self.partner)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        back = reverse("relationships:customer_tags", kwargs={"partner_id": self.partner.partner_id})
        try:
            tag = customer_tag_get(partner=self.partner, tag_pk=id_value("tag", request.POST.get("tag", "")))
            if request.POST.get("action") == "delete":
                name = tag.name
                customer_tag_delete(actor=self.membership, tag=tag)
                messages.success(request, _("Tag “%(name)s” deleted.") % {"name": name})
            else:
                before = tag.name
                renamed = customer_tag_rename(actor=self.membership, tag=tag, name=refuse_nul("name", request.POST.get("name", "")))
                if renamed.name != before:
                    messages.success(request, _("Tag “%(before)s” renamed to “%(after)s”.") % {"before": before, "after": renamed.name})
                else:
                    messages.info(request, _("Nothing changed."))
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(back)
