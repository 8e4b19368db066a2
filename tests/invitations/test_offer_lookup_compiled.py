"""The offer lookups, compiled once per process (issue 25), return what the ORM's querysets return."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from invitations.choices import InvitationStatus, LinkStatus
from invitations.models import Invitation, RelationshipLink
from invitations.selectors import _invitation_lookup, _link_lookup, offer_for_token
from partnercenter.tokens import new_token, token_hash, token_hashes
from tests.factories import InvitationFactory, PartnerFactory, RelationshipLinkFactory

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in Invitation._meta.concrete_fields]
LINK_FIELDS = [f.attname for f in RelationshipLink._meta.concrete_fields]


def _row(obj, fields, annotations):  # type: ignore[no-untyped-def]
    return ({name: getattr(obj, name) for name in fields}, {name: getattr(obj, name, "absent") for name in annotations},
            {f.attname: getattr(obj.partner, f.attname) for f in obj.partner._meta.concrete_fields})


def test_the_compiled_lookups_return_the_querysets_rows_fields_and_annotations(partner_a) -> None:  # type: ignore[no-untyped-def]
    from invitations import selectors

    now = timezone.now()
    tokens = {name: new_token() for name in ("pending", "expired", "cancelled", "active link", "revoked link", "unknown")}
    InvitationFactory(partner=partner_a.partner, token_hash=token_hash(tokens["pending"]))
    InvitationFactory(partner=PartnerFactory(), token_hash=token_hash(tokens["expired"]), expires_at=now - timedelta(minutes=1))
    InvitationFactory(partner=PartnerFactory(), token_hash=token_hash(tokens["cancelled"]), status=InvitationStatus.CANCELLED, cancelled_at=now)
    RelationshipLinkFactory(partner=partner_a.partner, token_hash=token_hash(tokens["active link"]))
    RelationshipLinkFactory(partner=PartnerFactory(), token_hash=token_hash(tokens["revoked link"]), status=LinkStatus.REVOKED)
    for viewer in (None, partner_a.sales.user, partner_a.partner and None):
        for token in tokens.values():
            hashes = token_hashes(token)
            viewer_pk = viewer.pk if viewer is not None else None
            annotations = ["usable", "viewer_works_for_partner"]
            expected = [_row(i, FIELDS, annotations) for i in _invitation_lookup(hashes, now=now, viewer_pk=viewer_pk)]
            compiled = (selectors._INVITATION_BY_HASH.fetch([*hashes, now]) if viewer is None
                        else selectors._INVITATION_BY_HASH_FOR_VIEWER.fetch([*hashes, now, viewer.pk]))
            assert [_row(i, FIELDS, annotations) for i in compiled] == expected
            expected_links = [_row(link, LINK_FIELDS, annotations) for link in _link_lookup(hashes, viewer_pk=viewer_pk)]
            compiled_links = (selectors._LINK_BY_HASH.fetch(hashes) if viewer is None
                              else selectors._LINK_BY_HASH_FOR_VIEWER.fetch([*hashes, viewer.pk]))
            assert [_row(link, LINK_FIELDS, annotations) for link in compiled_links] == expected_links


def test_offers_are_found_for_their_own_tokens_only_and_expired_revoked_and_used_ones_are_none(partner_a, partner_b) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    mine, theirs, expired, used, revoked = (new_token() for _ in range(5))
    invitation = InvitationFactory(partner=partner_a.partner, token_hash=token_hash(mine))
    other = InvitationFactory(partner=partner_b.partner, token_hash=token_hash(theirs))
    InvitationFactory(partner=partner_a.partner, token_hash=token_hash(expired), expires_at=now - timedelta(seconds=1))
    InvitationFactory(partner=partner_a.partner, token_hash=token_hash(used), status=InvitationStatus.DECLINED, declined_at=now)
    RelationshipLinkFactory(partner=partner_a.partner, token_hash=token_hash(revoked), status=LinkStatus.REVOKED)
    offer = offer_for_token(mine)
    assert offer is not None and offer.invitation == invitation and offer.partner == partner_a.partner
    assert offer.viewer_works_for_partner is None
    theirs_offer = offer_for_token(theirs)
    assert theirs_offer is not None and theirs_offer.invitation == other and theirs_offer.partner == partner_b.partner
    assert offer_for_token(mine, viewer=partner_a.sales.user).viewer_works_for_partner is True  # type: ignore[union-attr]
    assert offer_for_token(mine, viewer=partner_b.sales.user).viewer_works_for_partner is False  # type: ignore[union-attr]
    for token in (expired, used, revoked, new_token(), mine[:-1] + ("A" if mine[-1] != "A" else "B")):
        assert offer_for_token(token) is None
        assert offer_for_token(token, viewer=partner_a.sales.user) is None
