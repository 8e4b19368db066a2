"""Reference rungs: the least work each kind of request can do through our full middleware stack.

R2 constant JSON; R3 R2 + one indexed SELECT; R4 R2 + one committed INSERT; R5 R2 + a 50-row
tenant-filtered list. R0 (plain WSGI, no Django) lives in bench.wsgi.
"""

from __future__ import annotations

import itertools
import os

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.models import BenchWrite
from customers.models import Customer
from relationships.models import Relationship

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


@require_GET
def tenant_list(request: HttpRequest) -> JsonResponse:
    rows = list(
        Relationship.objects.filter(partner_id=LIST_PARTNER_PK)
        # The order of the (partner, status, customer) index: the least work a 50-row tenant list can be.
        .order_by("status", "customer_id")
        .values("id", "status", "established_at", "customer__tenant_id", "customer__company_name", "customer__primary_domain")[:50]
    )
    return JsonResponse({"results": rows})
