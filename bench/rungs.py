"""Reference rungs: the least work each kind of request can do through our full middleware stack.

R2 constant JSON; R3 R2 + one indexed SELECT; R4 R2 + one committed INSERT; R5 R2 + a 50-row
tenant-filtered list. R0 (plain WSGI, no Django) lives in bench.wsgi. F2-F5 (floors) below.
"""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import PartnerApiMixin
from audit.services import audit_record
from bench.models import BenchWrite
from console.mixins import PartnerConsoleMixin
from customers.models import Customer
from notifications.services import RenderedEmail, email_enqueue_row, email_outbox_row
from partners.choices import Cloud
from partners.clouds import portal_for
from partners.permissions import ApiScope
from relationships.models import Relationship

if TYPE_CHECKING:
    from accounts.models import User

CONSTANT = {"status": "ok", "service": "partnercenter"}
# Which rows R3 and R5 read: chosen by bench_seed, handed over through the environment.
LOOKUP_TENANT_ID = os.environ.get("BENCH_TENANT_ID", "")
LIST_PARTNER_PK = int(os.environ.get("BENCH_PARTNER_PK", "0") or 0)
_counter = itertools.count()


@require_GET
def constant_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT)


@require_GET
def indexed_select(request: HttpRequest) -> JsonResponse:
    row = Customer.objects.filter(tenant_id=LOOKUP_TENANT_ID).values("company_name", "primary_domain").first()
    return JsonResponse({"customer": row})


@csrf_exempt
@require_POST
def one_insert(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        row = BenchWrite.objects.create(note=f"r4-{next(_counter)}")
    return JsonResponse({"id": row.pk}, status=201)


def _tenant_rows(partner_id: int) -> list[dict[str, Any]]:
    """R5's 50 rows (also what F2 and F2h show)."""
    return list(
        Relationship.objects.filter(partner_id=partner_id)
        # The order of the (partner, status, customer) index: the least work a 50-row tenant list can be.
        .order_by("status", "customer_id")
        .values("id", "status", "established_at", "customer__tenant_id", "customer__company_name", "customer__primary_domain")[:50]
    )


@require_GET
def tenant_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"results": _tenant_rows(LIST_PARTNER_PK)})


# --- Floors: not targets, a yardstick for them --------------------------------------------------
# What the least product-shaped request of each kind costs on this stack: R5's list through the API's
# key authentication and DRF (F2: the API P2's floor), R5's list as a table in the partner console
# for a signed-in member (F2h: the HTML P2's floor), a signed-in page in the acceptance layout (F3:
# P3's floor, and the least any signed-in page can cost), and an audited write that queues an email, through a signed-in
# form POST (F4: P4's floor) or the API (F5: P5's floor). A target below its floor cannot be met by
# cutting product work alone. They reuse the product's own audit and outbox services.
FLOOR_ACTION = "bench.floor_write"  # not an AuditAction: no webhook, no label; pc_bench only
FLOOR_EMAIL = RenderedEmail(subject="Bench floor", text="A queued email.", html="<p>A queued email.</p>")


class ApiKeyTenantList(PartnerApiMixin, APIView):
    """R5's 50 rows, for the API key's own partner, through DRF."""

    required_scopes = {"get": ApiScope.CUSTOMERS_READ}

    def get(self, request: Request) -> Response:
        return Response({"results": _tenant_rows(self.partner.pk)})


class ConsoleTenantList(PartnerConsoleMixin, TemplateView):
    """R5's 50 rows as a table in the partner console, for a signed-in member of the partner."""

    template_name = "bench/floor_console_list.html"
    nav_section = "customers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = _tenant_rows(self.partner.pk)
        return context


@require_GET
def signed_in_page(request: HttpRequest) -> HttpResponse:
    row = Customer.objects.filter(tenant_id=LOOKUP_TENANT_ID).values("company_name", "primary_domain").first()
    return render(request, "bench/floor_page.html", {"row": row, "portal": portal_for(Cloud.PUBLIC)})


def _audited_write(*, actor: User, partner_id: int | None) -> BenchWrite:
    with transaction.atomic():
        row = BenchWrite.objects.create(note=f"floor-{next(_counter)}")
        audit_record(action=FLOOR_ACTION, actor=actor, partner_id=partner_id, target=row)  # type: ignore[arg-type]
        email_enqueue_row(email_outbox_row(to=actor.email, template="bench/floor", rendered=FLOOR_EMAIL, language="en",
                                           topic=f"bench:{row.pk}"), new_key=True)
    return row


@require_POST
def signed_in_audited_write(request: HttpRequest) -> HttpResponse:
    """CSRF-checked like every form POST; answers with a redirect as the accept POST does."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in"}, status=403)
    _audited_write(actor=request.user, partner_id=None)
    return HttpResponseRedirect("/bench/f3")


class AuditedApiWrite(PartnerApiMixin, APIView):
    """The product's API key authentication, scope check and JSON parsing, then the audited write."""

    required_scopes = {"post": ApiScope.INVITATIONS_WRITE}

    def post(self, request: Request) -> Response:
        row = _audited_write(actor=request.user, partner_id=self.partner.pk)
        return Response({"id": row.pk, "note": str(request.data.get("note", ""))[:32]}, status=201)
