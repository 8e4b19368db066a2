"""Building blocks for the staff console (Django admin) shared by every app's admin.py.

- Read-only admins and inlines: rows change only through services, never by editing a form.
- `support_action`: an admin action that asks for a reason on a confirmation page (like Django's
  delete confirmation), then calls a service once per selected object. The service writes the
  audit event with the staff user as actor; a refusal (`DomainError`) is shown with the service's
  own message and changes nothing. Only staff holding `audit.run_support_actions` (the operator
  group) or superusers see and run these actions.
- `AuditTrailMixin`: a link from an object's admin page to its audit events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.staff_groups import SUPPORT_ACTIONS_PERMISSION
from partnercenter.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.http import AuthenticatedHttpRequest

MAX_OBJECTS_PER_ACTION = 100

M = TypeVar("M", bound=Model)
Perform = Callable[[Any, "AuthenticatedHttpRequest", Any, str], object]


class ReadOnlyAdminMixin:
    """Nobody adds, edits or deletes these rows in admin (superusers included): services do."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class SupportActionsMixin:
    """Gives a ModelAdmin the `support` action permission used by `support_action`."""

    def has_support_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active and request.user.is_staff and request.user.has_perm(SUPPORT_ACTIONS_PERMISSION)
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy("Recorded in the audit log with your name; the partner and the customer may see it."),
    )


def _too_many_selected(modeladmin: Any, request: HttpRequest, objects: list[Any]) -> bool:
    """More objects than one action may touch: say so (nothing is done)."""
    if len(objects) <= MAX_OBJECTS_PER_ACTION:
        return False
    modeladmin.message_user(
        request,
        _("Select at most %(count)d objects for this action.") % {"count": MAX_OBJECTS_PER_ACTION},
        messages.ERROR,
    )
    return True


def _perform_each(
    modeladmin: Any, request: HttpRequest, objects: list[Any], perform: Perform, reason: str, done: Callable[[int], str]
) -> None:
    """Run `perform` for each object (each in its service's own transaction); refusals reported per object."""
    succeeded = 0
    for obj in objects:
        try:
            # The staff console signs staff in before any action runs.
            perform(modeladmin, cast("AuthenticatedHttpRequest", request), obj, reason)
        except DomainError as error:
            modeladmin.message_user(
                request,
                _("%(object)s: %(message)s") % {"object": obj, "message": error.message},
                messages.ERROR,
            )
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done(succeeded), messages.SUCCESS)


def _confirmation_page(
    modeladmin: Any, request: HttpRequest, objects: list[Any], form: ReasonForm | None, perform: Perform,
    texts: dict[str, StrOrPromise],
) -> TemplateResponse:
    """The page naming the objects and the consequence; its POST carries the reason back."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": texts["title"],
        "subtitle": None,
        "consequence": texts["consequence"],
        "button": texts["button"],
        "objects": objects,
        "form": form,
        "opts": opts,
        "app_label": opts.app_label,
        "action_name": perform.__name__,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/support_action_confirmation.html", context)


def support_action(
    *,
    description: StrOrPromise,
    title: StrOrPromise,
    consequence: StrOrPromise,
    button: StrOrPromise,
    done: Callable[[int], str],
    ask_reason: bool = True,
) -> Callable[[Perform], Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]]:
    """Decorate `perform(modeladmin, request, obj, reason)`, which calls one service for one object.

    The first POST (from the changelist) renders the confirmation page naming the objects and the
    consequence; its POST carries the reason back and runs `perform` for each object, each in the
    service's own transaction. Refusals are reported per object with the service's message.
    """
    texts = {"title": title, "consequence": consequence, "button": button}

    def decorator(perform: Perform) -> Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]:
        @admin.action(description=description, permissions=["support"])
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
            objects = list(queryset[: MAX_OBJECTS_PER_ACTION + 1])
            if _too_many_selected(modeladmin, request, objects):
                return None
            form = ReasonForm(request.POST if request.POST.get("post") == "yes" else None)
            if request.POST.get("post") == "yes" and (form.is_valid() or not ask_reason):
                reason = form.cleaned_data.get("reason", "") if ask_reason else ""
                _perform_each(modeladmin, request, objects, perform, reason, done)
                return None
            return _confirmation_page(modeladmin, request, objects, form if ask_reason else None, perform, texts)

        action.__name__ = perform.__name__
        action.__doc__ = perform.__doc__
        return action

    return decorator


class AuditTrailMixin:
    """Adds a read-only "Audit events" link (this object's events) to the change page."""

    audit_trail_filter: str = "target"  # or "partner" / "customer" (the tenant's events), "actor" (what a user did)

    @admin.display(description=gettext_lazy("Audit events"))
    def audit_trail(self, obj: Model) -> str:
        if obj is None or obj.pk is None:
            return "—"
        if self.audit_trail_filter == "partner":
            query = {"partner": obj.partner_id}  # type: ignore[attr-defined]
        elif self.audit_trail_filter == "customer":
            query = {"customer": str(obj.tenant_id)}  # type: ignore[attr-defined]
        elif self.audit_trail_filter == "actor":
            query = {"actor": obj.email}  # type: ignore[attr-defined]
        else:
            query = {"target": f"{obj._meta.label_lower}:{obj.pk}"}
        url = f"{reverse('admin:audit_auditevent_changelist')}?{urlencode(query)}"
        return format_html('<a href="{}">{}</a>', url, _("Show the audit events"))
