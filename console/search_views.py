"""Partner console → the header's search box (issue 24, item 4): one results page, grouped by kind."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from console.mixins import PartnerConsoleMixin
from partnercenter.params import text_param
from partners.permissions import PartnerPermission
from workflows.search import MIN_TEXT_LENGTH, SEARCH_LIMIT, partner_search


class SearchView(PartnerConsoleMixin, TemplateView):
    """GET ?q=…: the partner's customers, invitations, grants and service requests matching it
    (at most SEARCH_LIMIT of each; four queries whatever the partner's size)."""

    template_name = "partners/search.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "search"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        q = text_param(self.request.GET, "q", max_length=100)
        context.update(q=q, results=partner_search(partner=self.partner, q=q) if q else None,
                       limit=SEARCH_LIMIT, min_length=MIN_TEXT_LENGTH)
        return context
