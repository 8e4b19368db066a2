"""Every partner has a reusable link (as in Partner Center): made with the partner, and given by a data
migration to partners from before; a revoked link stays revoked."""

from __future__ import annotations

import importlib

from django.apps import apps

from invitations.choices import LinkStatus
from invitations.links import relationship_link_url
from invitations.models import RelationshipLink
from invitations.relationship_links import relationship_link_revoke, relationship_link_rotate
from partners.choices import Cloud
from tests.factories import PartnerFactory

migration = importlib.import_module("invitations.migrations.0006_partner_links_fixes")


def test_the_data_migration_gives_partners_without_a_link_an_active_one(partner_a, partner_b):  # type: ignore[no-untyped-def]
    relationship_link_rotate(membership=partner_a.admin)
    revoked = relationship_link_revoke(membership=partner_a.admin)
    bare = PartnerFactory(cloud=Cloud.PUBLIC)
    migration.give_every_partner_a_link(apps, None)
    migration.give_every_partner_a_link(apps, None)  # run twice: nothing more
    assert RelationshipLink.objects.count() == 3
    kept = RelationshipLink.objects.get(partner=partner_a.partner)
    assert (kept.status, kept.token_hash, kept.revoked_at) == (LinkStatus.REVOKED, revoked.token_hash, revoked.revoked_at)
    sovereign, public = RelationshipLink.objects.get(partner=partner_b.partner), RelationshipLink.objects.get(partner=bare)
    assert sovereign.status == public.status == LinkStatus.ACTIVE
    assert sovereign.include_delegated_admin and not public.include_delegated_admin  # partner_b is in the US Government cloud
    assert relationship_link_url(public) != relationship_link_url(sovereign)
    assert not public.token_hash.startswith("unissued-")
