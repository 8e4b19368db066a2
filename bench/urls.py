"""The product's URLs plus the reference rungs R2-R5 under /bench/ (never in partnercenter.urls)."""

from django.urls import path

from bench import rungs
from partnercenter.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/r2", rungs.constant_json, name="bench_r2"),
    path("bench/r3", rungs.indexed_select, name="bench_r3"),
    path("bench/r4", rungs.one_insert, name="bench_r4"),
    path("bench/r5", rungs.tenant_list, name="bench_r5"),
    *product_urlpatterns,
]
