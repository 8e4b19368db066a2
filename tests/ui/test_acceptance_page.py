"""The acceptance page preselects "Create a new tenant" when it is the only choice (issue 22 item 5)."""

from __future__ import annotations

import re

from tests.factories import UserFactory
from tests.invitations.conftest import make_invitation, open_link  # noqa: F401 - fixtures


def _new_tenant_radio(html: str) -> str:
    return re.search(r'<input[^>]*id="tenant-new"[^>]*>', html).group(0)  # type: ignore[union-attr]


def test_new_tenant_is_preselected_when_the_user_has_no_tenant(client, make_invitation, open_link, agreement):  # noqa: F811
    client.force_login(UserFactory(email="ada@northwind.example"))
    html = open_link(make_invitation()).content.decode()
    assert "checked" in _new_tenant_radio(html)


def test_new_tenant_is_not_preselected_when_an_existing_tenant_can_accept(client, make_invitation, open_link, customer_a,  # noqa: F811
                                                                          agreement):
    client.force_login(customer_a.user)
    html = open_link(make_invitation()).content.decode()
    if 'id="tenant-1"' in html and "disabled" not in re.search(r'<input[^>]*id="tenant-1"[^>]*>', html).group(0):  # type: ignore[union-attr]
        assert "checked" not in _new_tenant_radio(html)
