"""Graph-compatible API fixtures: partner A (Contoso) resells to Northwind, with API keys; a client
of the official msgraph-sdk aimed at the live test server's /v1.0 with a key as bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient

from customers.choices import CustomerRole
from invitations.relationship_links import relationship_link_for_new_partner
from partners.api_key_services import api_key_create
from partners.security_group_services import security_group_create
from relationships.models import Relationship
from tests.factories import CustomerFactory, CustomerMembershipFactory, UserFactory
from tests.graphcompat import microsoft_examples as ms


class ApiKeyTokenProvider(AccessTokenProvider):
    """Hands the SDK a partner API key as its access token."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def get_authorization_token(self, uri: str, additional_authentication_context: dict[str, Any] | None = None) -> str:
        return self.token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return AllowedHostsValidator(["localhost", "127.0.0.1"])


def graph_client(base_url: str, token: str) -> GraphServiceClient:
    """A GraphServiceClient whose base URL is `<server>/v1.0` (what integrators change, with the token)."""
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(ApiKeyTokenProvider(token)))
    adapter.base_url = f"{base_url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


@dataclass
class GraphWorld:
    partner: Any
    membership: Any
    customer: Any
    customer_admin: Any
    relationship: Relationship
    token: str  # grants:write + invitations:read
    read_token: str  # grants:read only


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def graph_world(partner_a, customer_a) -> GraphWorld:  # type: ignore[no-untyped-def]
    relationship = Relationship.objects.create(partner=partner_a.partner, customer=customer_a.customer)
    token = api_key_create(membership=partner_a.admin, name="Graph scripts", scopes=["grants:write", "invitations:read"]).token
    read_token = api_key_create(membership=partner_a.admin, name="Graph reader", scopes=["grants:read"]).token
    return GraphWorld(partner=partner_a.partner, membership=partner_a.admin, customer=customer_a.customer,
                      customer_admin=customer_a.user, relationship=relationship, token=token, read_token=read_token)


@pytest.fixture
def example_world(partner_a) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Partner A resells to the three customers Microsoft's examples name, by their tenant ids."""
    customers = {}
    for tenant_id, name in ms.EXAMPLE_TENANTS.items():
        customer = CustomerFactory(tenant_id=tenant_id, company_name=name)
        CustomerMembershipFactory(customer=customer, user=UserFactory(), role=CustomerRole.GLOBAL_ADMIN)
        Relationship.objects.create(partner=partner_a.partner, customer=customer)
        customers[tenant_id] = customer
    with transaction.atomic():  # its reusable link, as partner_create makes it (the factory makes a bare row)
        relationship_link_for_new_partner(partner=partner_a.partner, actor=None)
    token = api_key_create(membership=partner_a.admin, name="GDAP automation", scopes=["grants:write", "invitations:read"]).token
    # The security group Microsoft's create-access-assignment example names by object id.
    group = security_group_create(actor=partner_a.admin, partner=partner_a.partner, name="Contoso helpdesk agents",
                                  object_id=ms.EXAMPLE_GROUP_OBJECT_ID)
    return {"partner": partner_a, "customers": customers, "token": token, "group": group}
