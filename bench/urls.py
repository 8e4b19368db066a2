"""The product's URLs plus the reference rungs R2-R5 and floors F2-F5 (and F2h) under /bench/ (never in partnercenter.urls)."""

from django.urls import path

from bench import rungs
from partnercenter.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/r2", rungs.constant_json, name="bench_r2"),
    path("bench/r3", rungs.indexed_select, name="bench_r3"),
    path("bench/r4", rungs.one_insert, name="bench_r4"),
    path("bench/r5", rungs.tenant_list, name="bench_r5"),
    path("bench/f2", rungs.ApiKeyTenantList.as_view(), name="bench_f2"),
    path("bench/f2h/<str:partner_id>/", rungs.ConsoleTenantList.as_view(), name="bench_f2h"),
    path("bench/f3", rungs.signed_in_page, name="bench_f3"),
    path("bench/f4", rungs.signed_in_audited_write, name="bench_f4"),
    path("bench/f5", rungs.AuditedApiWrite.as_view(), name="bench_f5"),
    *product_urlpatterns,
]
