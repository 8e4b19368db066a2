"""Customer admin center → Activity (everything recorded about the tenant) and its CSV export.

Each page and its CSV export read the same selector with the same filters, so the export holds
exactly the rows the filtered list shows. Lists are paginated by keyset (audit.keyset) in a constant number of queries, whatever the
log's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from admincenter.customers_views import CustomerAdminCenterMixin
from audit.activity_filters import ActivityFilterForm, activity_context
from audit.exports import audit_csv_response
from audit.models import AuditEvent
from audit.selectors import (
    audit_actor_labels_for_customer,
    audit_events_for_customer,
    audit_partners_for_customer,
)
from customers.choices import CustomerRole

if TYPE_CHECKING:
    from partners.models import Partner


class CustomerActivityMixin(CustomerAdminCenterMixin):
    nav_section = "activity"

    def filter_form(self) -> ActivityFilterForm:
        customer = self.membership.customer
        # audit returns `Model` rows (Partner sits above audit); they are partners
        found = cast("QuerySet[Partner]", audit_partners_for_customer(customer=customer))
        partners = [(p.partner_id, p.name) for p in found]
        actors = audit_actor_labels_for_customer(customer=customer)
        return ActivityFilterForm(self.request.GET or None, actors=actors, partners=partners)

    def events(self, form: ActivityFilterForm) -> QuerySet[AuditEvent]:
        return audit_events_for_customer(customer=self.membership.customer, filters=form.filters())


class CustomerActivityView(CustomerActivityMixin, TemplateView):
    """Customer admin center → Activity: everything recorded about this tenant, partner actions included.

    Any member of the tenant may read it; IP addresses are shown to global admins only.
    """

    template_name = "audit/customer_activity.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        context.update(
            activity_context(self.request, form, self.events(form)),
            show_ip=self.membership.role == CustomerRole.GLOBAL_ADMIN,
            show_partner=True,
        )
        return context


class CustomerActivityExportView(CustomerActivityMixin, View):
    """CSV of the filtered activity; for global admins only (it carries IP addresses)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        if self.membership.role != CustomerRole.GLOBAL_ADMIN:
            raise PermissionDenied
        events = self.events(self.filter_form())
        tenant = self.membership.customer.tenant_id
        return audit_csv_response(events, filename=f"activity-{tenant}-{timezone.localtime():%Y%m%d-%H%M%S}.csv")
