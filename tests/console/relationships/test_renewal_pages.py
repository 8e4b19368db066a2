"""Partner console: grants ending within 30/60/90 days, renewing a selection, and the renewal status (issue 24 item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invitation_batches.models import DelegatedAdminBatch
from partnercenter.directory_roles import BUNDLES
from relationships.models import Relationship
from tests.factories import CustomerFactory, CustomerMembershipFactory, DelegatedAdminGrantFactory

pytestmark = pytest.mark.django_db

ROLES = list(BUNDLES["helpdesk"][1])


def ending_in(partner, days, name):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company_name=name, primary_domain=f"{name.lower()}.example")
    Relationship.objects.create(partner=partner, customer=customer)
    CustomerMembershipFactory(customer=customer)
    now = timezone.now()
    return DelegatedAdminGrantFactory(partner=partner, customer=customer, roles=ROLES, duration_days=180,
                                      starts_at=now - timedelta(days=180 - days), ends_at=now + timedelta(days=days, hours=1))


def url(name, tenant, **params):  # type: ignore[no-untyped-def]
    path = reverse(f"relationships:{name}", kwargs={"partner_id": tenant.partner.partner_id})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_list_filters_grants_ending_within_a_window_and_counts_each(client, partner_a, agent):  # type: ignore[no-untyped-def]
    soon, later = ending_in(partner_a.partner, 20, "Soon"), ending_in(partner_a.partner, 75, "Later")
    ending_in(partner_a.partner, 300, "Far")
    client.force_login(agent.user)
    body = client.get(url("grants", partner_a, ending="30")).content.decode()
    assert soon.display_name in body and later.display_name not in body
    assert 'data-renewal="not_renewed"' in body and f'name="grant" value="{soon.pk}"' in body
    counts = client.get(url("grants", partner_a, ending="90")).content.decode()
    assert later.display_name in counts and "Far" not in counts
    for days, count in ((30, 1), (60, 1), (90, 2)):
        assert f'data-ending="{days}"' in counts and f"data-ending-count>{count}<" in counts
    # An unknown window is no filter, never an error.
    assert client.get(url("grants", partner_a, ending="7")).status_code == 200


def test_renewing_the_selection_makes_one_batch_and_the_status_follows(client, partner_a, agent, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    first, second = ending_in(partner_a.partner, 20, "First"), ending_in(partner_a.partner, 40, "Second")
    client.force_login(agent.user)
    page = client.get(url("grant_renew", partner_a) + f"?grant={first.pk}&grant={second.pk}&grant=nope")
    assert page.status_code == 200 and "First" in page.content.decode() and "Second" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("grant_renew", partner_a), {"grant": [first.pk, second.pk], "duration_days": "", "auto_extend": "",
                                                              "language": "en"})
    batch = DelegatedAdminBatch.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/customers/delegated-admin/{batch.pk}/")
    assert (batch.source, batch.created_rows) == ("renewal", 2)
    listed = client.get(url("grants", partner_a, ending="60")).content.decode()
    assert listed.count('data-renewal="requested"') == 2
    customer_page = client.get(reverse("relationships:customer", kwargs={"partner_id": partner_a.partner.partner_id,
                                                                         "tenant_id": first.customer.tenant_id})).content.decode()
    assert 'data-renewal="requested"' in customer_page


def test_the_renewal_page_refuses_without_permission_and_hides_other_partners_grants(client, partner_a, partner_b, agent):  # type: ignore[no-untyped-def]
    theirs = ending_in(partner_b.partner, 20, "Theirs")
    client.force_login(partner_a.sales.user)
    assert client.get(url("grant_renew", partner_a)).status_code == 403
    client.force_login(agent.user)
    page = client.get(url("grant_renew", partner_a) + f"?grant={theirs.pk}").content.decode()
    assert "Theirs" not in page
    response = client.post(url("grant_renew", partner_a), {"grant": [theirs.pk], "language": "en"})
    assert response.status_code == 200 and not DelegatedAdminBatch.objects.exists()  # not a choice: the form says so
    client.force_login(partner_b.admin.user)
    assert client.get(url("grant_renew", partner_a)).status_code == 404


def test_the_funnel_links_to_each_renewal_window(client, partner_a, agent):  # type: ignore[no-untyped-def]
    ending_in(partner_a.partner, 20, "Soon")
    client.force_login(partner_a.admin.user)
    body = client.get(reverse("invitations:funnel", kwargs={"partner_id": partner_a.partner.partner_id})).content.decode()
    assert "data-renewal-links" in body and "delegated-admin/?ending=30" in body and "Ending within 30 days" in body
