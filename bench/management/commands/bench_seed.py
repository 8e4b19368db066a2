"""Seed a benchmark database fast (bulk_create): partners, customers, relationships, grants, acceptors.

    manage.py bench_seed --partners 100 --customers 1000 --acceptors 3000 --out var/bench/fixtures.json

- `--partners` partners with `--customers` customers each (reseller relationship, every other one
  with an active delegated admin grant); the first partner is the one measured.
- three more partners with 1, 50 and 500 customers, for the query-count check of P2.
- `--acceptors` customer global admins, each with a tenant and a pending invitation from the
  second partner (so P4's accepts never grow the measured partner's customers, which P2 lists),
  and a signed-in session holding the invitation's token (acceptance pages).
- an API key for the measured partner, a signed-in session for its account admin, the agreement.

Everything the load generator needs (cookies, keys, ids) is written to `--out` as JSON, and the
acceptor sessions one per line next to it. Use on an empty, migrated database only.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from admincenter.accept_views import SESSION_KEY as OFFER_SESSION_KEY
from customers.choices import CustomerRole
from customers.models import AgreementVersion, Customer, CustomerMembership
from invitations.models import Invitation
from invitations.tokens import derive_token, derived_hash, new_nonce
from partnercenter.session_secrets import session_put_token
from partners.api_key_services import api_key_create
from partners.choices import Cloud, PartnerRole, PartnerType
from partners.markets import market_region_for
from partners.models import Partner, PartnerMembership
from partners.permissions import ApiScope
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.models import DelegatedAdminGrant, Relationship

BATCH = 2000
PASSWORD = "bench-password-not-secret"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
QUERY_COUNT_SIZES = (1, 50, 500)


def _session(user: User, **extra: Any) -> tuple[str, Session]:
    """A signed-in session for `user`, built without a request (as login() would store it)."""
    store = SessionStore()
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: AUTH_BACKEND, HASH_SESSION_KEY: user.get_session_auth_hash(), **extra}
    key = secrets.token_hex(16)
    return key, Session(session_key=key, session_data=store.encode(data), expire_date=timezone.now() + timedelta(days=7))


class Command(BaseCommand):
    help = "Seed benchmark data (bulk inserts) and write what the load generator needs to a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partners", type=int, default=100)
        parser.add_argument("--customers", type=int, default=1000, help="customers per partner")
        parser.add_argument("--acceptors", type=int, default=3000, help="pending invitations with a signed-in session each")
        parser.add_argument("--out", default=str(settings.VAR_DIR / "bench" / "fixtures.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        partners, per_partner, acceptors = options["partners"], options["customers"], options["acceptors"]
        if partners < 1 or per_partner < 1 or acceptors < 0:
            raise CommandError("--partners and --customers must be at least 1, --acceptors at least 0.")
        if Partner.objects.exists():
            raise CommandError("The database already has partners: bench_seed fills an empty, migrated database.")
        started = timezone.now()
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        password = make_password(PASSWORD)  # hashed once, shared by every seeded user
        with transaction.atomic():
            fixtures = self._seed(partners, per_partner, acceptors, password, out)
        # Bulk-loaded tables have no statistics until autovacuum gets to them: the planner would
        # estimate one row everywhere. Production tables grow slowly and are analysed as they do.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seconds = (timezone.now() - started).total_seconds()
        fixtures["seed_seconds"] = round(seconds, 1)
        out.write_text(json.dumps(fixtures, indent=2))
        self.stdout.write(
            f"Seeded {partners} partners x {per_partner} customers (+{sum(QUERY_COUNT_SIZES)} for query counts), "
            f"{acceptors} acceptors in {seconds:.1f}s -> {out}"
        )

    def _seed(self, partners: int, per_partner: int, acceptors: int, password: str, out: Path) -> dict[str, Any]:
        now = timezone.now()
        sizes = [per_partner] * partners + list(QUERY_COUNT_SIZES)
        partner_rows = Partner.objects.bulk_create(
            [
                Partner(name=f"Bench Partner {i}", partner_id=str(7_000_000 + i), country="JP", market_region=market_region_for("JP"),
                        cloud=Cloud.PUBLIC, partner_type=PartnerType.DIRECT_BILL, verified_domain=f"bench-partner{i}.example")
                for i in range(len(sizes))
            ]
        )
        admins = User.objects.bulk_create(
            [User(email=f"admin@bench-partner{i}.example", full_name=f"Admin {i}", password=password) for i in range(len(sizes))],
            batch_size=BATCH,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in admins], batch_size=BATCH
        )
        PartnerMembership.objects.bulk_create(
            [PartnerMembership(partner=p, user=u, roles=[PartnerRole.ACCOUNT_ADMIN.value]) for p, u in zip(partner_rows, admins, strict=True)],
            batch_size=BATCH,
        )
        for index, (partner, size) in enumerate(zip(partner_rows, sizes, strict=True)):
            self._customers_of(partner, index, size, now)
        measured = partner_rows[0]
        AgreementVersion.objects.create(version="bench-1", language="en", title="Customer Agreement", text="Terms.",
                                        effective_at=now - timedelta(days=1))
        membership = PartnerMembership.objects.get(partner=measured, user=admins[0])
        issued = api_key_create(membership=membership, name="bench", scopes=[s.value for s in ApiScope])
        partner_session_key, partner_session = _session(admins[0])
        sessions_file = out.with_name("acceptors.txt")
        inviting = partner_rows[1] if partners > 1 else measured
        review_session = self._acceptors(inviting, acceptors + 1, password, now, sessions_file)
        Session.objects.bulk_create([partner_session])
        probe_customer = Customer.objects.filter(relationships__partner=measured).order_by("pk")[per_partner // 2]
        return {
            "partner_pk": measured.pk,
            "partner_id": measured.partner_id,
            "partner_customers": per_partner,
            "api_key": issued.token,
            "partner_session": partner_session_key,
            "review_session": review_session,
            "acceptors_file": str(sessions_file),
            "acceptors": acceptors,
            "lookup_tenant_id": str(probe_customer.tenant_id),
            "query_count_partners": {
                str(size): {"partner_id": p.partner_id, "session": self._partner_session(p), "api_key": self._api_key(p)}
                for p, size in zip(partner_rows, sizes, strict=True)
                if p is measured or p in partner_rows[partners:]
            },
            "partners": partners,
        }

    def _partner_session(self, partner: Partner) -> str:
        admin = PartnerMembership.objects.select_related("user").get(partner=partner).user
        key, session = _session(admin)
        session.save()
        return key

    def _api_key(self, partner: Partner) -> str:
        membership = PartnerMembership.objects.select_related("user", "partner").get(partner=partner)
        return api_key_create(membership=membership, name="bench-query-count", scopes=[ApiScope.CUSTOMERS_READ.value]).token

    def _customers_of(self, partner: Partner, index: int, size: int, now: Any) -> None:
        customers = Customer.objects.bulk_create(
            [
                Customer(company_name=f"Customer {index}-{n}", primary_domain=f"c{n}.p{index}.bench.example", country="JP", cloud=Cloud.PUBLIC)
                for n in range(size)
            ],
            batch_size=BATCH,
        )
        Relationship.objects.bulk_create(
            [
                Relationship(partner=partner, customer=c, status=RelationshipStatus.ACTIVE, established_at=now - timedelta(minutes=n))
                for n, c in enumerate(customers)
            ],
            batch_size=BATCH,
        )
        DelegatedAdminGrant.objects.bulk_create(
            [
                DelegatedAdminGrant(
                    partner=partner, customer=c, display_name=f"Grant {n}", roles=list(partner.default_grant_roles), duration_days=730,
                    status=GrantStatus.ACTIVE, request_expires_at=now + timedelta(days=90), starts_at=now - timedelta(days=1),
                    ends_at=now + timedelta(days=729),
                )
                for n, c in enumerate(customers)
                if n % 2 == 0
            ],
            batch_size=BATCH,
        )

    def _acceptors(self, partner: Partner, count: int, password: str, now: Any, sessions_file: Path) -> str:
        """Customer global admins with a pending invitation each; one line per signed-in session.

        Line format: `<session key> <csrf secret> <tenant id> <email>`. The first one is kept for the
        acceptance page GET (P3) and not written to the file.
        """
        users = User.objects.bulk_create(
            [User(email=f"admin{n}@acceptor{n}.bench.example", full_name=f"Acceptor {n}", password=password) for n in range(count)],
            batch_size=BATCH,
        )
        EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=BATCH)
        customers = Customer.objects.bulk_create(
            [Customer(company_name=f"Acceptor {n}", primary_domain=f"acceptor{n}.bench.example", country="JP", cloud=Cloud.PUBLIC) for n in range(count)],
            batch_size=BATCH,
        )
        CustomerMembership.objects.bulk_create(
            [CustomerMembership(customer=c, user=u, role=CustomerRole.GLOBAL_ADMIN) for c, u in zip(customers, users, strict=True)],
            batch_size=BATCH,
        )
        invitations = Invitation.objects.bulk_create(
            [
                Invitation(
                    partner=partner, include_delegated_admin=True, requested_roles=list(partner.default_grant_roles),
                    grant_duration_days=partner.default_grant_duration_days, recipient_email=u.email, language="en",
                    token_nonce=new_nonce(), token_hash=f"unissued-{new_nonce()}", created_at=now, link_issued_at=now,
                    expires_at=now + timedelta(days=30), sent_at=now, sent_to=u.email,
                )
                for u in users
            ],
            batch_size=BATCH,
        )
        for invitation in invitations:
            invitation.token_hash = derived_hash(purpose="invitation", row_id=invitation.pk, nonce=invitation.token_nonce)
        Invitation.objects.bulk_update(invitations, ["token_hash"], batch_size=BATCH)
        sessions, lines = [], []
        for user, customer, invitation in zip(users, customers, invitations, strict=True):
            token = derive_token(purpose="invitation", row_id=invitation.pk, nonce=invitation.token_nonce)
            offer: dict[str, str] = {}
            session_put_token(offer, OFFER_SESSION_KEY, token)  # sealed, as admincenter.accept_views stores it
            key, session = _session(user, **offer)
            sessions.append(session)
            lines.append(f"{key} {secrets.token_hex(16)} {customer.tenant_id} {user.email}")
        Session.objects.bulk_create(sessions, batch_size=BATCH)
        sessions_file.write_text("\n".join(lines[1:]) + ("\n" if len(lines) > 1 else ""))
        return lines[0].split()[0]
