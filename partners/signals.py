"""Seams partners offers to the apps above it (it imports none of them).

Sent inside the transaction that made the change, so what a receiver writes commits or rolls back
with it. Apps connect in their AppConfig.ready().
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: partner (Partner, just created by partners.services.partner_create), actor (User | None).
# invitations gives the new partner its reusable relationship link (Partner Center gives every partner one).
partner_created = Signal()
