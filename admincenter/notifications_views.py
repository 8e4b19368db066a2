"""Notifications in the customer admin center (issue 24 item 6): the person's own list (mark read
one or all, POST only), the bell's unread count, and their email preferences per kind. Another
person's notification, or one of another customer, answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View

from admincenter.customers_views import CustomerAdminCenterMixin
from notifications.choices import NotificationAudience, NotificationDelivery
from notifications.inbox import notification_mark_all_read, notification_mark_read, notifications_for, unread_count
from notifications.kinds import KINDS, notification_title
from notifications.preferences import notification_preferences, notification_preferences_set
from partnercenter.errors import DomainError

PAGE_SIZE = 50


class CustomerNotificationListView(CustomerAdminCenterMixin, TemplateView):
    template_name = "notifications/customer_list.html"
    nav_section = "notifications"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.request.user.is_authenticated
        customer = self.membership.customer
        page = Paginator(notifications_for(user=self.request.user, customer_id=customer.pk), PAGE_SIZE).get_page(
            self.request.GET.get("page"))
        context.update(
            page=page,
            rows=[(n, notification_title(audience=NotificationAudience.CUSTOMER, kind=n.kind, params=n.params))
                  for n in page.object_list],
            unread=unread_count(user=self.request.user, customer_id=customer.pk),
        )
        return context


class CustomerNotificationUnreadView(CustomerAdminCenterMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        count = unread_count(user=request.user, customer_id=self.membership.customer_id)
        label = ngettext("%(n)s unread notification", "%(n)s unread notifications", count) % {"n": count}
        response = JsonResponse({"unread": count, "label": label})
        response["Cache-Control"] = "no-store"
        return response


class CustomerNotificationReadView(CustomerAdminCenterMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        if notification_mark_read(user=request.user, notification_id=kwargs["notification_pk"],
                                  customer_id=self.membership.customer_id) is None:
            raise Http404
        return redirect("customer_inbox:list", tenant_id=self.membership.customer.tenant_id)


class CustomerNotificationReadAllView(CustomerAdminCenterMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        count = notification_mark_all_read(user=request.user, customer_id=self.membership.customer_id)
        messages.success(request, ngettext("%(n)s notification marked as read.", "%(n)s notifications marked as read.",
                                           count) % {"n": count})
        return redirect("customer_inbox:list", tenant_id=self.membership.customer.tenant_id)


class CustomerNotificationPreferencesView(CustomerAdminCenterMixin, TemplateView):
    template_name = "notifications/customer_preferences.html"
    nav_section = "notifications"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.request.user.is_authenticated
        context.update(rows=notification_preferences(user=self.request.user, audience=NotificationAudience.CUSTOMER,
                                                     customer_id=self.membership.customer_id),
                       deliveries=NotificationDelivery.choices)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        choices = {spec.kind.value: request.POST[f"kind-{spec.kind}"] for spec in KINDS[NotificationAudience.CUSTOMER]
                   if f"kind-{spec.kind}" in request.POST}
        try:
            changed = notification_preferences_set(user=request.user, audience=NotificationAudience.CUSTOMER,
                                                   customer_id=self.membership.customer_id, choices=choices)
        except DomainError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(request, _("Your notification emails are saved.") if changed else _("Nothing changed."))
        return redirect("customer_inbox:preferences", tenant_id=self.membership.customer.tenant_id)
