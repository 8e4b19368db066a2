"""Rotating TOKEN_PEPPER (keyed-hash versions): live links and API keys keep working, and are rehashed on use."""

from __future__ import annotations

import pytest

from invitations.links import invitation_url, relationship_link_url
from invitations.models import Invitation, RelationshipLink
from invitations.relationship_links import relationship_link_rotate
from invitations.selectors import offer_for_token
from partnercenter.tokens import peppers, token_hash, token_hashes, token_matches, token_rehash
from partners.api_key_selectors import api_key_for_token
from partners.api_key_services import api_key_create
from partners.models import ApiKey, PartnerUserInvitation
from partners.selectors import partner_user_invitation_by_token
from partners.services import partner_user_invite

OLD, NEW = "old-pepper-" + "a" * 40, "new-pepper-" + "b" * 40


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def old_pepper(settings):  # type: ignore[no-untyped-def]
    settings.TOKEN_PEPPER, settings.TOKEN_PEPPER_PREVIOUS = OLD, []
    return settings


def rotate(settings, previous=(OLD,)) -> None:  # type: ignore[no-untyped-def]
    settings.TOKEN_PEPPER, settings.TOKEN_PEPPER_PREVIOUS = NEW, list(previous)


def test_peppers_are_current_first_without_repeats(settings):
    settings.TOKEN_PEPPER, settings.TOKEN_PEPPER_PREVIOUS = NEW, [OLD, "", NEW, OLD]
    assert peppers() == [NEW, OLD]
    assert token_hashes("t") == [token_hash("t"), token_hashes("t")[1]]
    assert token_matches("t", token_hashes("t")[1]) and not token_matches("u", token_hashes("t")[1])
    settings.TOKEN_PEPPER = ""
    assert peppers()[0] == settings.SECRET_KEY


def test_a_live_invitation_link_survives_the_rotation_and_is_rehashed_on_use(db, old_pepper, partner_a, make_invitation):
    invitation = make_invitation(recipient_email="it@northwind.example")
    emailed = token_of(invitation_url(invitation))
    assert offer_for_token(emailed).invitation == invitation

    rotate(old_pepper)
    invitation.refresh_from_db()
    assert token_of(invitation_url(invitation)) == emailed  # the draft page and reminders show the same link
    before = invitation.token_hash
    offer = offer_for_token(emailed)
    assert offer is not None and offer.invitation.pk == invitation.pk
    invitation.refresh_from_db()
    assert invitation.token_hash != before and invitation.token_hash == token_hash(emailed)  # rehashed with NEW

    rotate(old_pepper, previous=())  # the old pepper retired: the rehashed link still works
    assert offer_for_token(emailed).invitation.pk == invitation.pk
    fresh = make_invitation(recipient_email="ops@tailspin.example")
    assert offer_for_token(token_of(invitation_url(fresh))).invitation.pk == fresh.pk


def test_without_the_previous_pepper_an_old_link_is_refused_and_nothing_changes(db, old_pepper, make_invitation):
    invitation = make_invitation(recipient_email="it@northwind.example")
    emailed = token_of(invitation_url(invitation))
    before = Invitation.objects.get(pk=invitation.pk).token_hash
    rotate(old_pepper, previous=())
    assert offer_for_token(emailed) is None
    assert Invitation.objects.get(pk=invitation.pk).token_hash == before


def test_the_reusable_link_keeps_its_url_through_the_rotation(db, old_pepper, partner_a):
    link = relationship_link_rotate(membership=partner_a.admin, include_delegated_admin=False)
    url = relationship_link_url(link)
    rotate(old_pepper)
    link.refresh_from_db()
    assert relationship_link_url(link) == url
    assert offer_for_token(token_of(url)).link.pk == link.pk
    assert RelationshipLink.objects.get(pk=link.pk).token_hash == token_hash(token_of(url))


def test_api_keys_and_partner_user_invitations_survive_the_rotation(db, old_pepper, partner_a):
    issued = api_key_create(membership=partner_a.admin, name="ERP", scopes=["invitations:read"], expires_in_days=None)
    invited = partner_user_invite(partner=partner_a.partner, email="new@contoso.example", roles=["sales_agent"],
                                  invited_by=partner_a.admin)
    rotate(old_pepper)
    assert api_key_for_token(token=issued.token).pk == issued.api_key.pk
    assert ApiKey.objects.get(pk=issued.api_key.pk).key_hash == token_hash(issued.token)
    assert partner_user_invitation_by_token(token=invited.token).pk == invited.invitation.pk
    assert PartnerUserInvitation.objects.get(pk=invited.invitation.pk).token_hash == token_hash(invited.token)
    assert api_key_for_token(token=issued.token[:-2] + "xx") is None


def test_rehash_is_conditional_and_refuses_a_token_that_does_not_match(db, old_pepper, partner_a):
    issued = api_key_create(membership=partner_a.admin, name="ERP", scopes=["invitations:read"], expires_in_days=None)
    old_hash = issued.api_key.key_hash
    rotate(old_pepper)
    assert not token_rehash(issued.api_key, field="key_hash", token="not-the-token")
    stale_copy = ApiKey.objects.get(pk=issued.api_key.pk)
    assert token_rehash(issued.api_key, field="key_hash", token=issued.token)
    assert issued.api_key.key_hash == token_hash(issued.token) != old_hash  # in memory and in the row
    assert ApiKey.objects.get(pk=issued.api_key.pk).key_hash == token_hash(issued.token)
    assert not token_rehash(issued.api_key, field="key_hash", token=issued.token)  # already current
    assert not token_rehash(stale_copy, field="key_hash", token=issued.token)  # another process did it first
