"""Saved views and exports on the console's lists (issue 24, item 3).

`ListToolsMixin` goes on a list view (before PartnerConsoleMixin's view class): it names the list
(`saved_view_list`), opens the member's default view when the list is opened without any query
parameter (a redirect to the same list with the view's filters: GET changes nothing), and gives the
page the member's saved views and the current filters for the Export buttons and the Save form
(`includes/list_tools.html`). `SavedViewActionView` saves, makes default and deletes (POST only).
`?view=all` opens the list without filters even when a default exists. The views are read with the
user's memberships (partners.saved_view_selectors.memberships_with_saved_views): no query of their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from console.mixins import PartnerConsoleMixin
from partnercenter.errors import DomainError
from partnercenter.params import refuse_nul
from partners.choices import SavedViewList
from partners.models import PartnerMembership
from partners.permissions import PartnerPermission
from partners.saved_view_selectors import saved_view_rows
from partners.saved_view_services import (
    saved_view_clean_query,
    saved_view_delete,
    saved_view_save,
    saved_view_set_default,
)

LIST_URLS: dict[str, tuple[str, str]] = {
    SavedViewList.CUSTOMERS: ("relationships:customers", "relationships:customers_export"),
    SavedViewList.INVITATIONS: ("invitations:list", "invitations:export"),
    SavedViewList.GRANTS: ("relationships:grants", "relationships:grants_export"),
    SavedViewList.SERVICE_REQUESTS: ("service_requests:list", "service_requests:export"),
}


def list_url(list_name: str, partner_id: str) -> str:
    return reverse(LIST_URLS[list_name][0], kwargs={"partner_id": partner_id})


class ListToolsMixin:
    saved_view_list: str = ""
    request: HttpRequest
    kwargs: dict[str, Any]
    membership: PartnerMembership

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.GET and "tenant_id" not in self.kwargs:
            default = next((view for view in saved_view_rows(self.membership) if view.is_default), None)
            if default is not None and default.query_string:
                return HttpResponseRedirect(f"{request.path}?{default.query_string}")
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        partner_id = self.membership.partner.partner_id
        current = saved_view_clean_query(list_name=self.saved_view_list, query_string=self.request.GET.urlencode())
        export_url = reverse(LIST_URLS[self.saved_view_list][1], kwargs={"partner_id": partner_id, "fmt": "csv"})
        views = saved_view_rows(self.membership)
        context.update(
            saved_view_list=self.saved_view_list,
            saved_views=views,
            current_view=next((view for view in views if view.query_string == current), None),
            current_filters=current,
            export_csv_url=f"{export_url}?{current}" if current else export_url,
            export_xlsx_url=(f"{export_url[:-3]}xlsx?{current}" if current else f"{export_url[:-3]}xlsx"),
            saved_view_action_url=reverse("saved_views:action", kwargs={"partner_id": partner_id}),
        )
        return context


class SavedViewActionView(PartnerConsoleMixin, View):
    """POST: `action` = save (name, filters, default) | default | undefault | delete (view)."""

    permission = PartnerPermission.VIEW_CUSTOMERS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        list_name = request.POST.get("list", "")
        if list_name not in SavedViewList.values:
            messages.error(request, _("Unknown list."))
            return HttpResponseRedirect(reverse("relationships:customers", kwargs={"partner_id": self.partner.partner_id}))
        back = list_url(list_name, self.partner.partner_id)
        action = request.POST.get("action", "")
        try:
            if action == "save":
                view = saved_view_save(membership=self.membership, list_name=list_name,
                                       name=refuse_nul("name", request.POST.get("name", "")),
                                       query_string=refuse_nul("filters", request.POST.get("filters", "")),
                                       make_default=request.POST.get("make_default") == "on")
                messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
                return HttpResponseRedirect(f"{back}?{view.query_string}" if view.query_string else f"{back}?view=all")
            view_pk = int(request.POST.get("view", "") or 0)
            if action in ("default", "undefault"):
                view = saved_view_set_default(membership=self.membership, view_pk=view_pk, is_default=action == "default")
                messages.success(request, _("“%(name)s” now opens when you open this list.") % {"name": view.name}
                                 if view.is_default else _("This list now opens without filters."))
            elif action == "delete":
                saved_view_delete(membership=self.membership, view_pk=view_pk)
                messages.success(request, _("View deleted."))
            else:
                messages.error(request, _("Unknown action."))
        except ValueError:
            messages.error(request, _("Unknown view."))
        except DomainError as error:
            messages.error(request, error.message)
        current = saved_view_clean_query(list_name=list_name, query_string=request.POST.get("filters", "").replace("\x00", ""))
        return HttpResponseRedirect(f"{back}?{current}" if current else f"{back}?view=all")
