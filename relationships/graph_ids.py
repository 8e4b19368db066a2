"""Graph-style ids of grants: `{grant guid}-{partner tenant guid}`, stable for the grant's life.

Partners have no directory tenant of their own here, so their "tenant GUID" is derived from the
public Partner ID (uuid5): stable, unique per partner, and nothing to migrate.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partners.models import Partner
    from relationships.models import DelegatedAdminGrant

PARTNER_TENANT_NAMESPACE = uuid.UUID("0b9f3b1e-7d0c-4f45-9a0e-5c1f4f1d2a11")


def partner_tenant_guid(partner: Partner) -> str:
    return str(uuid.uuid5(PARTNER_TENANT_NAMESPACE, f"partner:{partner.partner_id}"))


def grant_graph_id(grant: DelegatedAdminGrant) -> str:
    return f"{grant.graph_guid}-{partner_tenant_guid(grant.partner)}"


def parse_grant_graph_id(value: str) -> tuple[uuid.UUID, str] | None:
    """(grant guid, partner tenant guid) of a well-formed id, else None."""
    if len(value) != 73 or value[36] != "-":
        return None
    try:
        return uuid.UUID(value[:36]), str(uuid.UUID(value[37:]))
    except ValueError:
        return None
