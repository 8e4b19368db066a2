"""Partner console → Invitations → Bulk invitations: upload, preview, confirm, live progress, result."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from console.invitation_batches_forms import BatchUploadForm, BulkGdapForm
from console.mixins import PartnerConsoleMixin
from invitation_batches.choices import BatchStatus, GdapRowStatus, RowStatus
from invitation_batches.csv_format import COLUMNS, EXAMPLE_ROW, template_csv
from invitation_batches.gdap_selectors import (
    gdap_batch_get_for_partner,
    gdap_batch_list_for_partner,
    gdap_batch_progress,
    gdap_batch_result_lines,
    gdap_batch_rows,
)
from invitation_batches.gdap_services import delegated_admin_batch_create, identifiers_from_csv, identifiers_from_text
from invitation_batches.selectors import (
    batch_get_for_partner,
    batch_list_for_partner,
    batch_progress,
    batch_result_lines,
    batch_rows,
)
from invitation_batches.services import invitation_batch_confirm, invitation_batch_upload
from partnercenter.directory_roles import BUNDLES, BY_ID, CATALOG
from partnercenter.errors import DomainError
from partners.defaults_services import defaults_initial
from partners.permissions import PartnerPermission
from relationships.selectors import active_customers_for_partner


class BatchUploadView(PartnerConsoleMixin, FormView):
    """Upload a CSV; it is checked at once and the preview page shows every row's problems."""

    template_name = "invitation_batches/upload.html"
    form_class = BatchUploadForm
    permission = PartnerPermission.REQUEST_RELATIONSHIP
    nav_section = "invitations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            batches=batch_list_for_partner(partner=self.partner)[:10],
            columns=COLUMNS, example=EXAMPLE_ROW, bundles=[(key, label) for key, (label, _r) in BUNDLES.items()],
        )
        return context

    def form_valid(self, form: BatchUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        replaces = None
        if form.cleaned_data.get("replaces"):
            replaces = batch_list_for_partner(partner=self.partner).filter(pk=form.cleaned_data["replaces"]).first()
        try:
            batch = invitation_batch_upload(membership=self.membership, stream=upload, filename=upload.name or "", replaces=replaces)
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            form.add_error("file", error.message)
            return self.form_invalid(form)
        if batch.invalid_rows:
            messages.warning(self.request, _("%(bad)s of %(total)s rows have errors. Nothing was sent: fix them in your file and upload it again.")
                             % {"bad": batch.invalid_rows, "total": batch.total_rows})
        else:
            messages.success(self.request, _("All %(total)s rows passed the checks. Review them, then confirm to send.") % {"total": batch.total_rows})
        return redirect("invitation_batches:detail", partner_id=self.partner.partner_id, batch_pk=batch.pk)


class BatchTemplateView(PartnerConsoleMixin, View):
    permission = PartnerPermission.REQUEST_RELATIONSHIP

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="bulk-invitations-template.csv"'
        return response


class BatchDetailView(PartnerConsoleMixin, TemplateView):
    """Preview (rows and their errors, Confirm), live progress while running, per-row result when done."""

    template_name = "invitation_batches/detail.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "invitations"
    page_size = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch = batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        only = self.request.GET.get("only", "")
        only = only if only in RowStatus.values else ""
        page = Paginator(batch_rows(batch=batch, only=only).select_related("invitation"), self.page_size).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            batch=batch, page=page, only=only, querystring=query.urlencode(), progress=batch_progress(batch=batch),
            can_request=self.can(PartnerPermission.REQUEST_RELATIONSHIP),
            in_progress=batch.status in {BatchStatus.QUEUED, BatchStatus.RUNNING},
            upload_form=BatchUploadForm(initial={"replaces": batch.pk}),
            status_filters=[("", _("All rows")), (RowStatus.INVALID, _("With errors")), (RowStatus.CREATED, _("Sent")),
                            (RowStatus.FAILED, _("Failed"))],
        )
        return context


class BatchConfirmView(PartnerConsoleMixin, View):
    permission = PartnerPermission.REQUEST_RELATIONSHIP
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        try:
            invitation_batch_confirm(batch=batch, membership=self.membership)
            messages.success(request, _("Sending %(count)s invitations. You can leave this page: the work continues.") % {"count": batch.to_process})
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            messages.error(request, error.message)
        return redirect("invitation_batches:detail", partner_id=self.partner.partner_id, batch_pk=batch.pk)


class BatchProgressView(PartnerConsoleMixin, View):
    """The small JSON document the progress bar polls (GET, never changes anything)."""

    permission = PartnerPermission.VIEW_CUSTOMERS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        response = JsonResponse(batch_progress(batch=batch))
        response["Cache-Control"] = "no-store"
        return response


class BatchResultCsvView(PartnerConsoleMixin, View):
    permission = PartnerPermission.VIEW_CUSTOMERS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        batch = batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        partner_id = self.partner.partner_id

        def invitation_url(invitation_id: int) -> str:
            return request.build_absolute_uri(reverse("invitations:draft", kwargs={"partner_id": partner_id, "invitation_pk": invitation_id}))

        response = StreamingHttpResponse(batch_result_lines(batch=batch, invitation_url=invitation_url), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bulk-invitations-{batch.pk}-result.csv"'
        return response


# --- Bulk delegated admin for existing customers (issue 24) -----------------------------------


def _tenant_ids(values: list[str]) -> list[uuid.UUID]:
    ids = []
    for value in values[:1000]:
        try:
            ids.append(uuid.UUID(value.strip()))
        except ValueError:
            continue
    return ids


class GdapBatchCreateView(PartnerConsoleMixin, FormView):
    """Request the same admin roles from many customers: the Customers page's selection, typed ids or a CSV."""

    template_name = "invitation_batches/gdap_new.html"
    form_class = BulkGdapForm
    permission = PartnerPermission.REQUEST_DELEGATED_ADMIN
    nav_section = "customers"

    def selected(self) -> list[tuple[str, str]]:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        customers = active_customers_for_partner(partner=self.partner).filter(tenant_id__in=_tenant_ids(source.getlist("customer")))
        return [(str(c.tenant_id), f"{c.company_name} ({c.primary_domain})") for c in customers]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["customers"] = self.selected()
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"language": translation.get_language() or "en", "customer": [value for value, _label in self.selected()],
                **defaults_initial(self.partner)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(catalog=CATALOG, bundles=[(key, label, [str(BY_ID[r].name) for r in roles]) for key, (label, roles) in BUNDLES.items()],
                       batches=gdap_batch_list_for_partner(partner=self.partner)[:10])
        return context

    def form_valid(self, form: BulkGdapForm) -> HttpResponse:
        data = form.cleaned_data

        def identifiers() -> Iterator[str]:
            return itertools.chain(data["customer"], identifiers_from_text(data.get("identifiers") or ""),
                                   identifiers_from_csv(data["file"]) if data.get("file") else ())

        try:
            batch = delegated_admin_batch_create(membership=self.membership, identifiers=identifiers(), roles=data["roles"],
                                                 duration_days=data["duration_days"], auto_extend=data["auto_extend"], language=data["language"])
        except DomainError as error:  # the app's errors, or a refusal (PermissionDeniedError)
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Requesting admin roles from %(count)s customer(s). You can leave this page: the work continues.")
                         % {"count": batch.total_rows})
        return redirect("invitation_batches:gdap_detail", partner_id=self.partner.partner_id, batch_pk=batch.pk)


class GdapBatchDetailView(PartnerConsoleMixin, TemplateView):
    """Live progress while running; each customer's result (created, already covered, not allowed) when done."""

    template_name = "invitation_batches/gdap_detail.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"
    page_size = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch = gdap_batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        only = self.request.GET.get("only", "")
        only = only if only in GdapRowStatus.values else ""
        page = Paginator(gdap_batch_rows(batch=batch, only=only), self.page_size).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            batch=batch, page=page, only=only, querystring=query.urlencode(), progress=gdap_batch_progress(batch=batch),
            in_progress=batch.status in {BatchStatus.QUEUED, BatchStatus.RUNNING},
            roles=[BY_ID[r] for r in batch.roles if r in BY_ID],
            status_filters=[("", _("All customers")), *GdapRowStatus.choices[1:]],
        )
        return context


class GdapBatchProgressView(PartnerConsoleMixin, View):
    """The small JSON document the progress bar polls (GET, never changes anything)."""

    permission = PartnerPermission.VIEW_CUSTOMERS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = gdap_batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        response = JsonResponse(gdap_batch_progress(batch=batch))
        response["Cache-Control"] = "no-store"
        return response


class GdapBatchResultCsvView(PartnerConsoleMixin, View):
    permission = PartnerPermission.VIEW_CUSTOMERS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        batch = gdap_batch_get_for_partner(partner=self.partner, batch_pk=self.kwargs["batch_pk"])
        partner_id = self.partner.partner_id

        def invitation_url(invitation_id: int) -> str:
            return request.build_absolute_uri(reverse("invitations:draft", kwargs={"partner_id": partner_id, "invitation_pk": invitation_id}))

        response = StreamingHttpResponse(gdap_batch_result_lines(batch=batch, invitation_url=invitation_url), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bulk-delegated-admin-{batch.pk}-result.csv"'
        return response
