"""The product catalog, kept as data: what a partner can provision for a customer.

Each product has a stable `sku` (stored on the subscription, never renamed), a translatable name
and description, and whether its quantity is a number of user licenses (`licensable`) or a single
service with no seats. Adding a product is adding a row here; removing one is not allowed while
subscriptions reference it (their pages would lose the name).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Product:
    sku: str
    name: str | Promise
    description: str | Promise
    licensable: bool
    max_quantity: int


PRODUCTS: tuple[Product, ...] = (
    Product("productivity-suite-business", _("Productivity Suite Business"),
            _("Desktop and web office apps, email, chat and 1 TB of storage per user."), True, 300),
    Product("email-plan-1", _("Email Plan 1"), _("A 50 GB mailbox and calendar per user."), True, 10000),
    Product("cloud-platform", _("Cloud platform subscription"),
            _("Pay-as-you-go cloud infrastructure for the whole tenant (no user licenses)."), False, 1),
)

BY_SKU: dict[str, Product] = {product.sku: product for product in PRODUCTS}
SKU_CHOICES = [(product.sku, product.name) for product in PRODUCTS]


def product_for(sku: str) -> Product | None:
    return BY_SKU.get(sku)
