"""Partner settings → Webhooks: subscriptions (secret shown once), deliveries, redeliver."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from console.mixins import PartnerConsoleMixin
from console.webhook_forms import DeliveryFilterForm, WebhookSubscriptionForm
from notifications.webhook_events import WebhookEventType
from notifications.webhook_selectors import (
    webhook_delivery_get_for_partner,
    webhook_delivery_list_for_partner,
    webhook_subscription_get_for_partner,
    webhook_subscription_list_for_partner,
)
from partnercenter.errors import DomainError
from partnercenter.no_store import carries_secret
from partnercenter.params import id_param
from partners.permissions import MANAGE_INTEGRATIONS
from partners.webhook_services import (
    webhook_delivery_redeliver,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)

SUBSCRIPTION_ACTIONS = {"rotate", "enable", "disable", "delete"}


@carries_secret
class WebhooksView(PartnerConsoleMixin, FormView):
    """Subscriptions, the form to add one, and recent deliveries. A new or rotated secret is
    shown once, on the response to that POST."""

    template_name = "notifications/webhooks.html"
    form_class = WebhookSubscriptionForm
    permission = MANAGE_INTEGRATIONS
    nav_section = "webhooks"
    page_size = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = DeliveryFilterForm(self.request.GET or None)
        status = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
        deliveries = webhook_delivery_list_for_partner(partner=self.partner, status=status)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            subscriptions=webhook_subscription_list_for_partner(partner=self.partner),
            page=Paginator(deliveries, self.page_size).get_page(self.request.GET.get("page")),
            filter_form=filters, querystring=query.urlencode(), event_labels=dict(WebhookEventType.choices),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "create")
        if action not in SUBSCRIPTION_ACTIONS:
            return super().post(request, *args, **kwargs)
        subscription = webhook_subscription_get_for_partner(partner=self.partner, subscription_pk=id_param(request.POST, "subscription"))
        try:
            if action == "rotate":
                issued = webhook_subscription_rotate_secret(subscription=subscription, membership=self.membership)
                return self.render_to_response(self.get_context_data(issued=issued, rotated=True))
            if action == "delete":
                webhook_subscription_delete(subscription=subscription, membership=self.membership)
                messages.success(request, _("Webhook subscription deleted."))
            else:
                webhook_subscription_update(subscription=subscription, membership=self.membership, active=action == "enable")
                messages.success(request, _("Webhook subscription enabled.") if action == "enable" else _("Webhook subscription paused."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("webhooks:list", partner_id=self.partner.partner_id)

    def form_valid(self, form: WebhookSubscriptionForm) -> HttpResponse:
        try:
            issued = webhook_subscription_create(
                membership=self.membership, url=form.cleaned_data["url"], event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=self.form_class(), issued=issued))


class WebhookRedeliverView(PartnerConsoleMixin, View):
    permission = MANAGE_INTEGRATIONS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        delivery = webhook_delivery_get_for_partner(partner=self.partner, delivery_pk=self.kwargs["delivery_pk"])
        try:
            webhook_delivery_redeliver(delivery=delivery, membership=self.membership)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Event %(event)s queued for delivery again.") % {"event": delivery.event_type})
        return redirect("webhooks:list", partner_id=self.partner.partner_id)
