"""Partner console → Activity log (its own events) and its CSV export.

Each page and its CSV export read the same selector with the same filters, so the export holds
exactly the rows the filtered list shows. Lists are paginated by keyset (audit.keyset) in a constant number of queries, whatever the
log's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from audit.activity_filters import ActivityFilterForm, activity_context
from audit.exports import audit_csv_response
from audit.models import AuditEvent
from audit.selectors import (
    audit_actor_labels_for_partner,
    audit_customers_for_partner,
    audit_events_for_partner,
)
from console.mixins import PartnerConsoleMixin
from partners.permissions import PartnerPermission

if TYPE_CHECKING:
    from customers.models import Customer


CUSTOMER_CHOICES = 200


class PartnerActivityMixin(PartnerConsoleMixin):
    permission = PartnerPermission.VIEW_ACTIVITY
    nav_section = "activity"

    def filter_form(self) -> ActivityFilterForm:
        # audit returns `Model` rows (Customer sits above audit); they are customers. Up to
        # CUSTOMER_CHOICES of them are a list; past that the filter takes a tenant id, so the page
        # reads at most CUSTOMER_CHOICES + 1 of them whatever the partner's size (issue 25).
        found = cast("QuerySet[Customer]", audit_customers_for_partner(partner=self.partner, limit=CUSTOMER_CHOICES + 1))
        customers = [(str(c.tenant_id), c.company_name) for c in found]
        actors = audit_actor_labels_for_partner(partner=self.partner)
        if len(customers) > CUSTOMER_CHOICES:
            return ActivityFilterForm(self.request.GET or None, actors=actors, customer_by_tenant_id=True)
        return ActivityFilterForm(self.request.GET or None, actors=actors, customers=customers)

    def events(self, form: ActivityFilterForm) -> QuerySet[AuditEvent]:
        return audit_events_for_partner(partner=self.partner, filters=form.filters())


class PartnerActivityView(PartnerActivityMixin, TemplateView):
    """Partner console → Activity log: who did what in this partner's name, filtered, paginated."""

    template_name = "audit/partner_activity.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        context.update(activity_context(self.request, form, self.events(form)), show_ip=True, show_customer=True)
        return context


class PartnerActivityExportView(PartnerActivityMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        events = self.events(self.filter_form())
        return audit_csv_response(
            events, filename=f"activity-{self.partner.partner_id}-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
        )
