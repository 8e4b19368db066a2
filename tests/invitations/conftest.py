from __future__ import annotations

import pytest

from invitations.create_services import invitation_create
from invitations.links import invitation_url


@pytest.fixture
def make_invitation(partner_a):  # type: ignore[no-untyped-def]
    def _make(**kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("include_delegated_admin", True)
        return invitation_create(membership=kwargs.pop("membership", partner_a.admin), **kwargs)

    return _make


@pytest.fixture
def open_link(client):  # type: ignore[no-untyped-def]
    """Open the invitation's link as the customer would; returns the review page response."""

    def _open(invitation, follow: bool = True):  # type: ignore[no-untyped-def]
        path = invitation_url(invitation).split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path)
        assert response.status_code == 302
        return client.get(response.url) if follow else response

    return _open
