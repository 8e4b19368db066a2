"""Notifications in the partner console (issue 24 item 6): the person's own list (mark read one or
all, POST only), the unread count for the header's bell, and their email preferences per kind —
with the partner's defaults for account admins. Nobody reads another person's notifications: a
notification of someone else, or of another partner, answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View

from console.mixins import PartnerConsoleMixin
from notifications.choices import NotificationAudience, NotificationDelivery
from notifications.inbox import notification_mark_all_read, notification_mark_read, notifications_for, unread_count
from notifications.kinds import KINDS, notification_title
from notifications.preferences import notification_preferences, notification_preferences_set, partner_defaults
from partnercenter.errors import DomainError
from partners.notification_defaults import partner_notification_defaults_set
from partners.permissions import PartnerPermission

PAGE_SIZE = 50


class NotificationListView(PartnerConsoleMixin, TemplateView):
    template_name = "notifications/console_list.html"
    nav_section = "notifications"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.request.user.is_authenticated
        mine = notifications_for(user=self.request.user, partner_id=self.partner.pk)
        page = Paginator(mine, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            rows=[(n, notification_title(audience=NotificationAudience.PARTNER, kind=n.kind, params=n.params))
                  for n in page.object_list],
            unread=unread_count(user=self.request.user, partner_id=self.partner.pk),
        )
        return context


class NotificationUnreadView(PartnerConsoleMixin, View):
    """The bell's count (JSON, read by static/js/notifications.js): never cached, reads only."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        count = unread_count(user=request.user, partner_id=self.partner.pk)
        label = ngettext("%(n)s unread notification", "%(n)s unread notifications", count) % {"n": count}
        response = JsonResponse({"unread": count, "label": label})
        response["Cache-Control"] = "no-store"
        return response


class NotificationReadView(PartnerConsoleMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        if notification_mark_read(user=request.user, notification_id=kwargs["notification_pk"],
                                  partner_id=self.partner.pk) is None:
            raise Http404
        return redirect("inbox:list", partner_id=self.partner.partner_id)


class NotificationReadAllView(PartnerConsoleMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        count = notification_mark_all_read(user=request.user, partner_id=self.partner.pk)
        messages.success(request, ngettext("%(n)s notification marked as read.", "%(n)s notifications marked as read.",
                                           count) % {"n": count})
        return redirect("inbox:list", partner_id=self.partner.partner_id)


def _choices_from(post: Any, kinds: list[str], *, allow_blank: bool) -> dict[str, str]:
    """The posted choice per kind (only the kinds of this page; the service refuses anything else)."""
    allowed = set(NotificationDelivery.values) | ({""} if allow_blank else set())
    choices = {}
    for kind in kinds:
        value = post.get(f"kind-{kind}")
        if value is None:
            continue
        if value not in allowed:
            raise DomainError("unknown_delivery", _("Choose right away, daily digest or no email."), field=kind)
        choices[kind] = value
    return choices


class NotificationPreferencesView(PartnerConsoleMixin, TemplateView):
    """The person's own choice per kind (or the partner's default); account admins also see and set the defaults."""

    template_name = "notifications/console_preferences.html"
    nav_section = "notifications"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.request.user.is_authenticated
        context.update(
            rows=notification_preferences(user=self.request.user, audience=NotificationAudience.PARTNER,
                                          partner_id=self.partner.pk),
            deliveries=NotificationDelivery.choices,
            can_set_defaults=self.can(PartnerPermission.MANAGE_USERS),
        )
        if context["can_set_defaults"]:
            defaults = partner_defaults(partner_id=self.partner.pk)
            context["default_rows_view"] = [{"spec": spec, "current": defaults[spec.kind]}
                                            for spec in KINDS[NotificationAudience.PARTNER]]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert request.user.is_authenticated
        kinds = [spec.kind.value for spec in KINDS[NotificationAudience.PARTNER]]
        scope = request.POST.get("scope", "mine")
        try:
            if scope == "partner":
                if not self.can(PartnerPermission.MANAGE_USERS):
                    raise DomainError("forbidden", _("Only account admins set the partner's defaults."))
                changed = partner_notification_defaults_set(membership=self.membership,
                                                            choices=_choices_from(request.POST, kinds, allow_blank=False))
            else:
                changed = notification_preferences_set(user=request.user, audience=NotificationAudience.PARTNER,
                                                       partner_id=self.partner.pk,
                                                       choices=_choices_from(request.POST, kinds, allow_blank=True))
        except DomainError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(), status=400)
        if not changed:
            messages.info(request, _("Nothing changed."))
        elif scope == "partner":
            messages.success(request, _("The partner's default notification emails are saved. "
                                        "A user's own choice still wins over them."))
        else:
            messages.success(request, _("Your notification emails are saved."))
        return redirect("inbox:preferences", partner_id=self.partner.partner_id)
