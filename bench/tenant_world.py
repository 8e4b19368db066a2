"""A big two-tier tenant, seeded set-based: one indirect provider, its indirect resellers, their customers.

    world = seed_indirect_provider(customers=100_000, resellers=1_000)

Used by `bench/tenants_scale.py` (make bench-tenants: 1,000 vs 100,000 customers) and by
tests/bench/test_big_tenant_queries.py (query counts at two sizes). PostgreSQL only: each table is
filled by one `INSERT ... SELECT ... FROM generate_series` that copies a template row made through
the ORM (so every NOT NULL column gets the model's value) and replaces the columns that must vary.

The shape, for n customers and r resellers (customer g belongs to reseller g % r):
- the provider (`indirect_provider`) with an account admin; r resellers (`indirect_reseller`);
- n customers, each with two active `indirect_reseller` relationships naming the provider: one of
  its reseller, one of the provider (as acceptance.py establishes them);
- n accepted two-tier invitations (partner = the reseller, indirect provider = the provider), and
  n / 10 of the provider's own invitations (a third accepted, a third pending, a third expired),
  spread over the last year: the provider's funnel;
- a delegated admin grant of the provider on every other customer, ending over the next two years;
- one audit event per customer in the provider's log (`relationship.established`, by one of 20
  people), plus one per own invitation (`invitation.created`).
Names are deterministic: customer g is "Customer <first 10 hex digits of md5(g)> KK" at
`c<g>.tenants.example`, so a search for part of one customer's hash finds that customer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Model
from django.utils import timezone

PROVIDER_USERS = 20


@dataclass(frozen=True)
class TenantWorld:
    provider_pk: int
    provider_partner_id: str
    admin_pk: int
    customers: int
    resellers: int

    @staticmethod
    def search_text(g: int) -> str:
        """A fragment of customer g's name only that customer has (as users search: part of a name)."""
        return hashlib.md5(str(g).encode(), usedforsecurity=False).hexdigest()[:8]


def _clone(model: type[Model], template_pk: int, count: int, overrides: dict[str, str]) -> None:
    """Insert `count` copies of the template row, g = 1..count, with `overrides` (column -> SQL over g, t).
    The template stays (the caller deletes it)."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    select = ", ".join(overrides.get(c, f't."{c}"') for c in columns).replace("%", "%%")  # overrides take no parameters
    names = ", ".join(f'"{c}"' for c in columns)
    sql = (f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" AS t, '  # noqa: S608 (names from the model)
           'generate_series(1, %(count)s) AS g WHERE t.id = %(template)s')
    with connection.cursor() as cursor:
        cursor.execute(sql, {"count": count, "template": template_pk})


def seed_indirect_provider(*, customers: int, resellers: int, prefix: str = "71") -> TenantWorld:
    """Seed the world described above in the current database (in the caller's transaction). `prefix`
    keeps Partner IDs apart when two worlds share a database."""
    from accounts.models import User
    from audit.models import AuditEvent
    from customers.models import Customer
    from invitations.choices import InvitationKind, InvitationStatus
    from invitations.models import Invitation
    from partners.choices import PartnerRole, PartnerType
    from partners.models import Partner, PartnerMembership
    from relationships.choices import GrantStatus, RelationshipType
    from relationships.models import DelegatedAdminGrant, Relationship

    if connection.vendor != "postgresql":
        raise RuntimeError("seed_indirect_provider needs PostgreSQL (INSERT ... SELECT generate_series)")
    now = timezone.now()
    provider = Partner.objects.create(name=f"Provider {prefix}", partner_id=f"{prefix}00000", country="JP",
                                      partner_type=PartnerType.INDIRECT_PROVIDER, verified_domain=f"provider{prefix}.example")
    admin = User.objects.create_user(email=f"admin@provider{prefix}.example")
    PartnerMembership.objects.create(partner=provider, user=admin, roles=[PartnerRole.ACCOUNT_ADMIN.value])

    template = Partner.objects.create(name="template", partner_id=f"{prefix}template", country="JP",
                                      partner_type=PartnerType.INDIRECT_RESELLER, verified_domain="template.example")
    _clone(Partner, template.pk, resellers, {
        "name": "'Reseller ' || lpad(g::text, 5, '0')", "partner_id": f"'{prefix}' || lpad(g::text, 6, '0')",
        "verified_domain": f"'r' || g || '.p{prefix}.example'",
    })
    reseller_min = Partner.objects.get(partner_id=f"{prefix}000001").pk

    template_customer = Customer.objects.create(company_name="template", primary_domain=f"template.p{prefix}.example", country="JP")
    _clone(Customer, template_customer.pk, customers, {
        "tenant_id": "gen_random_uuid()",
        "company_name": "'Customer ' || left(md5(g::text), 10) || ' KK'",
        "primary_domain": f"'c' || g || '.p{prefix}.tenants.example'",
        "country": "(ARRAY['JP','US','GB','DE','FR','AU','CA','SG'])[1 + g % 8]",
    })
    customer_min = Customer.objects.filter(primary_domain=f"c1.p{prefix}.tenants.example").get().pk
    reseller_of = f"{reseller_min} + (g % {resellers})"
    customer_of = f"{customer_min} + g - 1"
    since = "now() - ((g * 7919) % 31536000) * interval '1 second'"

    # Two-tier invitations from the resellers, all accepted.
    base = dict(partner=provider, kind=InvitationKind.INDIRECT_RESELLER, indirect_provider=provider, recipient_email="t@template.example",
                language="en", token_nonce="template", created_at=now, link_issued_at=now, expires_at=now + timedelta(days=30))
    template_invitation = Invitation.objects.create(**base, token_hash=f"template-{prefix}", status=InvitationStatus.ACCEPTED,
                                                    accepted_at=now, customer=template_customer)
    _clone(Invitation, template_invitation.pk, customers, {
        "partner_id": reseller_of, "customer_id": customer_of, "token_hash": f"'tenants-{prefix}-r-' || g",
        "recipient_email": f"'admin@c' || g || '.p{prefix}.tenants.example'", "sent_to": f"'admin@c' || g || '.p{prefix}.tenants.example'",
        "created_at": f"{since} - interval '2 days'", "link_issued_at": f"{since} - interval '2 days'", "sent_at": f"{since} - interval '2 days'",
        "expires_at": f"{since} + interval '28 days'", "accepted_at": since,
    })
    # The provider's own invitations: accepted (on the first customers), pending, expired.
    own = max(customers // 10, 3)
    own_created = "now() - ((g * 104729) % 31536000) * interval '1 second'"
    _clone(Invitation, template_invitation.pk, own, {
        "kind": f"'{InvitationKind.RESELLER}'", "indirect_provider_id": "NULL",
        "token_hash": f"'tenants-{prefix}-p-' || g",
        "recipient_email": f"'it' || g || '@prospect.p{prefix}.example'", "sent_to": f"'it' || g || '@prospect.p{prefix}.example'",
        "created_at": own_created, "link_issued_at": own_created, "sent_at": own_created,
        "expires_at": f"{own_created} + interval '30 days'",
        "status": f"(ARRAY['{InvitationStatus.ACCEPTED}','{InvitationStatus.PENDING}','{InvitationStatus.EXPIRED}'])[1 + g % 3]",
        "accepted_at": f"CASE WHEN g % 3 = 0 THEN {own_created} + (g % 200) * interval '1 hour' END",
        "customer_id": f"CASE WHEN g % 3 = 0 THEN {customer_of} END",
        "expired_at": f"CASE WHEN g % 3 = 2 THEN {own_created} + interval '30 days' END",
        "first_opened_at": f"CASE WHEN g % 3 <> 1 THEN {own_created} + interval '1 minute' END",
    })

    template_relationship = Relationship.objects.create(partner=provider, customer=template_customer,
                                                        relationship_type=RelationshipType.INDIRECT_RESELLER, indirect_provider=provider)
    _clone(Relationship, template_relationship.pk, customers,  # the resellers' rows, then the provider's
           {"partner_id": reseller_of, "customer_id": customer_of, "established_at": since})
    _clone(Relationship, template_relationship.pk, customers, {"customer_id": customer_of, "established_at": since})

    template_grant = DelegatedAdminGrant.objects.create(
        partner=provider, customer=template_customer, display_name=f"template-{prefix}", roles=list(provider.default_grant_roles),
        duration_days=730, status=GrantStatus.ACTIVE, request_expires_at=now, starts_at=now, ends_at=now + timedelta(days=730))
    _clone(DelegatedAdminGrant, template_grant.pk, customers // 2, {
        "customer_id": f"{customer_min} + 2 * g - 2", "display_name": "'Admin ' || g", "graph_guid": "gen_random_uuid()",
        "requested_at": since, "starts_at": since, "ends_at": "now() + ((g * 7919) % 63072000) * interval '1 second'",
    })
    DelegatedAdminGrant.objects.filter(pk=template_grant.pk).delete()
    Relationship.objects.filter(pk=template_relationship.pk).delete()
    Invitation.objects.filter(pk=template_invitation.pk).delete()
    Customer.objects.filter(pk=template_customer.pk).delete()
    Partner.objects.filter(pk=template.pk).delete()

    actor = f"'agent' || (g % {PROVIDER_USERS}) || '@provider{prefix}.example'"
    events = """INSERT INTO audit_auditevent (occurred_at, actor_id, actor_label, partner_id, customer_id, action, target_type,
                    target_id, target_label, data, ip_address, user_agent, request_id)
                SELECT {at}, NULL, {actor}, %(provider)s, {customer}, %(action)s, %(target_type)s, g::text, 'row ' || g,
                       '{{}}'::jsonb, '203.0.113.7'::inet, 'bench', 'req-' || g
                FROM generate_series(1, %(count)s) AS g"""
    with connection.cursor() as cursor:
        cursor.execute(events.format(at=since, actor=actor, customer=customer_of).replace("% ", "%% "),
                       {"provider": provider.pk, "count": customers, "action": "relationship.established",
                        "target_type": "relationships.relationship"})
        cursor.execute(events.format(at=own_created, actor=actor, customer="NULL").replace("% ", "%% "),
                       {"provider": provider.pk, "count": own, "action": "invitation.created", "target_type": "invitations.invitation"})
    assert AuditEvent.objects.filter(partner=provider).exists()
    return TenantWorld(provider_pk=provider.pk, provider_partner_id=provider.partner_id, admin_pk=admin.pk,
                       customers=customers, resellers=resellers)
