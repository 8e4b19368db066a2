"""Partner console: Request a reseller relationship, the email draft, Invitations, reusable link."""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from console.exports import ExportColumn, ListExportMixin
from console.invitations_forms import EXPIRING_SOON, DraftForm, InvitationFilterForm, RequestOptionsForm
from console.mixins import PartnerConsoleMixin
from console.saved_views import ListToolsMixin
from invitations.closing import invitation_cancel
from invitations.create_services import indirect_providers_for, invitation_create
from invitations.drafts import invitation_draft, invitation_draft_save
from invitations.errors import InvitationError
from invitations.links import invitation_url, relationship_link_url
from invitations.models import Invitation, RelationshipLink
from invitations.relationship_links import relationship_link_revoke, relationship_link_rotate
from invitations.selectors import invitation_get_for_partner, invitation_list_for_partner
from invitations.send_services import invitation_resend, invitation_send
from partnercenter.directory_roles import role_names
from partnercenter.errors import DomainError
from partnercenter.no_store import carries_secret
from partnercenter.params import refuse_nul
from partners.choices import SOVEREIGN_CLOUDS, PartnerType, SavedViewList
from partners.permissions import PartnerPermission
from workflows.export_columns import invitation_export_columns


def apply_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


class RequestRelationshipView(PartnerConsoleMixin, FormView):
    """Step 1: options (delegated admin, pinning, language)."""

    template_name = "invitations/request.html"
    form_class = RequestOptionsForm
    permission = PartnerPermission.REQUEST_RELATIONSHIP
    nav_section = "customers"

    def get_initial(self) -> dict[str, Any]:
        return {"include_delegated_admin": True, "language": translation.get_language() or "en"}

    def get_form(self, form_class: Any = None) -> RequestOptionsForm:
        form = super().get_form(form_class)
        if self.partner.partner_type == PartnerType.INDIRECT_RESELLER:
            form.fields["indirect_provider_id"].choices = [("", _("Choose your indirect provider")), *(
                (p.partner_id, f"{p.name} ({p.partner_id})") for p in indirect_providers_for(partner=self.partner))]
        else:
            del form.fields["indirect_provider_id"]
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sovereign"] = self.partner.cloud in SOVEREIGN_CLOUDS
        context["default_roles"] = role_names(self.partner.default_grant_roles)
        context["duplicate_findings"] = getattr(self, "duplicate_findings", [])
        return context

    def form_valid(self, form: RequestOptionsForm) -> HttpResponse:
        try:
            invitation = invitation_create(
                membership=self.membership,
                include_delegated_admin=form.cleaned_data["include_delegated_admin"],
                recipient_email=form.cleaned_data["recipient_email"] or "",
                target_domain=form.cleaned_data["target_domain"] or "",
                language=form.cleaned_data["language"],
                indirect_provider_id=form.cleaned_data.get("indirect_provider_id") or "",
                auto_extend=self.partner.default_grant_auto_extend and form.cleaned_data["include_delegated_admin"],
            )
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            # issue 10: say what exists, with links (only an InvitationError carries findings)
            self.duplicate_findings = list(error.findings) if isinstance(error, InvitationError) else []
            apply_error(form, error)
            return self.form_invalid(form)
        # The service's own duplicate check, run before the invitation existed: information only.
        for finding in invitation.duplicate_findings:  # type: ignore[attr-defined]  # set by invitation_create
            messages.info(self.request, finding.message)
        return redirect("invitations:draft", partner_id=self.partner.partner_id, invitation_pk=invitation.pk)


@carries_secret
class DraftView(PartnerConsoleMixin, FormView):
    """Step 2: the email draft — edit it, open it in the mail app, copy it, or send it; then Done."""

    template_name = "invitations/draft.html"
    form_class = DraftForm
    permission = PartnerPermission.REQUEST_RELATIONSHIP
    nav_section = "customers"

    def get_invitation(self) -> Invitation:
        if not hasattr(self, "_invitation"):
            self._invitation = invitation_get_for_partner(partner=self.partner, invitation_pk=self.kwargs["invitation_pk"])
        return self._invitation

    def get_initial(self) -> dict[str, Any]:
        subject, body = invitation_draft(self.get_invitation())
        invitation = self.get_invitation()
        return {"subject": subject, "body": body, "recipient_email": invitation.recipient_email or invitation.sent_to}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        invitation = self.get_invitation()
        subject, body = invitation_draft(invitation)
        context.update(
            invitation=invitation,
            link=invitation_url(invitation),
            mailto=f"mailto:{quote(invitation.recipient_email)}?subject={quote(subject)}&body={quote(body)}",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == "done":
            messages.success(request, _("Invitation ready. Its status appears here when the customer answers."))
            return redirect("invitations:list", partner_id=self.partner.partner_id)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: DraftForm) -> HttpResponse:
        invitation = self.get_invitation()
        try:
            if self.request.POST.get("action") == "send":
                invitation_send(
                    invitation=invitation, membership=self.membership, subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"], recipient_email=form.cleaned_data["recipient_email"] or "",
                )
                messages.success(self.request, _("Email queued for %(email)s. Its delivery state shows on the Invitations page.")
                                 % {"email": form.cleaned_data["recipient_email"] or invitation.recipient_email})
            else:
                invitation_draft_save(invitation=invitation, membership=self.membership,
                                      subject=form.cleaned_data["subject"], body=form.cleaned_data["body"])
                messages.success(self.request, _("Draft saved."))
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            apply_error(form, error)
            return self.form_invalid(form)
        return redirect("invitations:draft", partner_id=self.partner.partner_id, invitation_pk=invitation.pk)


class InvitationListView(ListToolsMixin, PartnerConsoleMixin, TemplateView):
    template_name = "invitations/list.html"
    nav_section = "invitations"
    permission = PartnerPermission.VIEW_CUSTOMERS
    page_size = 25
    saved_view_list = SavedViewList.INVITATIONS
    export_filename = "invitations"

    @cached_property
    def filter_form(self) -> InvitationFilterForm:
        return InvitationFilterForm(self.request.GET or None)

    def filtered_queryset(self) -> QuerySet[Invitation]:
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return invitation_list_for_partner(partner=self.partner, status=filters.get("status", ""), q=filters.get("q", ""),
                                           expiring=filters.get("expiring") == EXPIRING_SOON)

    def export_columns(self) -> list[ExportColumn]:
        return invitation_export_columns()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = self.filter_form
        page = Paginator(self.filtered_queryset(), self.page_size).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(page=page, filter_form=form, querystring=query.urlencode(),
                       can_request=self.can(PartnerPermission.REQUEST_RELATIONSHIP))
        return context


class InvitationExportView(ListExportMixin, InvitationListView):  # type: ignore[misc]  # get() answers a streamed file, not an HttpResponse
    """The Invitations list as CSV or XLSX, with its status and search filters."""


class InvitationActionView(PartnerConsoleMixin, View):
    """POST-only: resend (new link, new expiry) or cancel (the link dies)."""

    permission = PartnerPermission.REQUEST_RELATIONSHIP
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invitation = invitation_get_for_partner(partner=self.partner, invitation_pk=self.kwargs["invitation_pk"])
        back = refuse_nul("next", request.POST.get("next", ""))  # read before acting: a refusal writes nothing
        try:
            if self.kwargs["action"] == "resend":
                invitation = invitation_resend(invitation=invitation, membership=self.membership)
                if not invitation.sent_to:
                    messages.success(request, _("New link created; the previous one no longer works. Copy the new draft."))
                    return redirect("invitations:draft", partner_id=self.partner.partner_id, invitation_pk=invitation.pk)
                messages.success(request, _("Invitation sent again to %(email)s with a new link; the previous link no longer works.")
                                 % {"email": invitation.sent_to})
            else:
                invitation_cancel(invitation=invitation, membership=self.membership)
                messages.success(request, _("Invitation cancelled: its link no longer works."))
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            messages.error(request, error.message)
        if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                                    require_https=request.is_secure()):
            return HttpResponseRedirect(back)  # e.g. the onboarding funnel's one-click resend (a path, never a view name)
        return redirect("invitations:list", partner_id=self.partner.partner_id)


@carries_secret
class RelationshipLinkView(PartnerConsoleMixin, TemplateView):
    """Partner settings → Reusable relationship link: show, rotate, revoke."""

    template_name = "invitations/link.html"
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "link"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        link = RelationshipLink.objects.filter(partner=self.partner).first()
        context.update(link=link, url=relationship_link_url(link) if link and link.status == "active" else "",
                       sovereign=self.partner.cloud in SOVEREIGN_CLOUDS)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.POST.get("action") == "revoke":
                relationship_link_revoke(membership=self.membership)
                messages.success(request, _("Reusable link revoked: it no longer works."))
            else:
                relationship_link_rotate(membership=self.membership,
                                         include_delegated_admin=request.POST.get("include_delegated_admin") == "on")
                messages.success(request, _("New reusable link created; any previous link no longer works."))
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            messages.error(request, error.message)
        return redirect("invitations:link", partner_id=self.partner.partner_id)
