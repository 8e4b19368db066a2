"""Checking the rows of a bulk upload before anything is sent.

Field checks need no database; the market, cloud and duplicate checks load what they need for a
whole chunk of rows at once (a constant number of queries per chunk), and duplicates within the
file are found afterwards in SQL, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models import Count, Min
from django_countries import countries

from customers.models import Customer
from invitation_batches.choices import RowStatus
from invitation_batches.csv_format import MAX_FIELD_CHARS, ParsedLine, parse_bool
from invitation_batches.models import InvitationBatch, InvitationBatchRow
from invitation_batches.wording import words
from invitations.duplicates import OTHER_PARTNERS, clean_domain, duplicate_index
from invitations.rules import rule_violation, target_rule_violation
from partnercenter.directory_roles import BUNDLES
from partners.choices import SOVEREIGN_CLOUDS

if TYPE_CHECKING:
    from partners.models import Partner

COUNTRY_CODES = frozenset(code for code, _name in countries)
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
LIMITS = {"company": 200, "recipient_email": 254, "domain": 253, "country": 8, "role_bundle": 32, "language": 8}


def _error(field: str, code: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """A problem as the row keeps it: its rule's code and parameters (worded for the reader by
    `invitation_batches.wording`), and its words now (for the API and older readers)."""
    params = params or {}
    return {"field": field, "code": code, "params": params, "message": words(code, params)}


def domain_is_valid(value: str) -> bool:
    """A well-formed (IDNA-normalisable, letters-digits-hyphens) domain."""
    key = clean_domain(value)
    labels = key.split(".")
    return not (len(labels) < 2 or len(key) > 253 or not all(LABEL.match(label) for label in labels) or labels[-1].isdigit())


def row_from_line(*, batch: InvitationBatch, partner: Partner, parsed: ParsedLine) -> InvitationBatchRow:
    """A row with the values as given and the errors found in the line itself (no database)."""
    v = parsed.values
    errors: list[dict[str, str]] = []
    if parsed.extra_cells:
        errors.append(_error("", "malformed_row", {"n": parsed.extra_cells}))
    for name, limit in LIMITS.items():
        if len(v.get(name, "")) > min(limit, MAX_FIELD_CHARS):
            errors.append(_error(name, "too_long", {"limit": limit}))
            v[name] = v[name][:limit]
    company, email, domain = v.get("company", ""), v.get("recipient_email", ""), v.get("domain", "")
    country = v.get("country", "").upper()
    if not company:
        errors.append(_error("company", "company_required"))
    if not email:
        errors.append(_error("recipient_email", "email_required"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_error("recipient_email", "invalid_email", {"value": email[:100]}))
    if not domain:
        errors.append(_error("domain", "domain_required"))
    elif not domain_is_valid(domain):
        errors.append(_error("domain", "invalid_domain", {"value": domain[:100]}))
    if not country:
        errors.append(_error("country", "country_required"))
    elif country not in COUNTRY_CODES:
        errors.append(_error("country", "invalid_country", {"value": country}))
    include = parse_bool(v.get("include_delegated_admin", ""))
    if include is None:
        errors.append(_error("include_delegated_admin", "invalid_boolean", {"value": v.get("include_delegated_admin", "")}))
    elif not include and partner.cloud in SOVEREIGN_CLOUDS:
        errors.append(_error("include_delegated_admin", "sovereign_requires_admin"))
    bundle = v.get("role_bundle", "").strip().lower()
    if bundle and bundle not in BUNDLES:
        errors.append(_error("role_bundle", "unknown_role_bundle", {"value": bundle, "bundles": ", ".join(BUNDLES)}))
    elif bundle and include is False:
        errors.append(_error("role_bundle", "bundle_without_admin"))
    language = v.get("language", "").strip().lower() or "en"
    if language not in dict(settings.LANGUAGES):
        errors.append(_error("language", "invalid_language",
                             {"value": language, "languages": ", ".join(code for code, _n in settings.LANGUAGES)}))
    return InvitationBatchRow(
        batch=batch, line=parsed.line, company=company, recipient_email=email, domain=domain, country=country,
        include_delegated_admin=include, role_bundle=bundle, language=language,
        email_key=email.strip().lower(), domain_key=clean_domain(domain), errors=errors, notices=[],
    )


def check_chunk(*, partner: Partner, rows: list[InvitationBatchRow]) -> None:
    """The market and cloud rules and existing customers / pending invitations, for a chunk of rows."""
    field_errors = {id(row): {e["field"] for e in row.errors} for row in rows}
    domains = {row.domain_key for row in rows if "domain" not in field_errors[id(row)]}
    tenants: dict[str, list[Customer]] = {}
    for customer in Customer.objects.filter(primary_domain__in=domains).order_by("pk"):
        tenants.setdefault(customer.primary_domain.lower(), []).append(customer)
    index = duplicate_index(partner=partner, emails=[r.email_key for r in rows if "recipient_email" not in field_errors[id(r)]],
                            domains=domains)
    for row in rows:
        bad = field_errors[id(row)]
        if "domain" not in bad and "country" not in bad:
            found = tenants.get(row.domain_key, [])
            same_cloud = [t for t in found if t.cloud == partner.cloud]
            if same_cloud or found:
                violation = target_rule_violation(partner=partner, customer=(same_cloud or found)[0], target=row.domain)
            else:
                violation = rule_violation(partner=partner, customer_country=row.country, customer_cloud=partner.cloud,
                                           customer_name=row.company or row.domain)
            if violation is not None:
                row.errors.append(_error("country" if violation.code == "market_mismatch" else "domain", violation.code, violation.params))
        findings = index.findings(recipient_email=row.email_key if "recipient_email" not in bad else "",
                                  target_domain=row.domain_key if "domain" not in bad else "")
        for finding in findings:
            if finding.blocking:
                row.errors.append(_finding_error(finding, row))
            elif finding.code == OTHER_PARTNERS:
                row.notices.append({"code": finding.code, "params": finding.params, "message": finding.message})
        row.status = RowStatus.INVALID if row.errors else RowStatus.VALID


def _finding_error(finding: Any, row: InvitationBatchRow) -> dict[str, Any]:
    error = _error("domain" if finding.customer else "recipient_email", finding.code, finding.params)
    if finding.customer is not None:
        error["customer_tenant_id"] = str(finding.customer.tenant_id)
    if finding.invitation is not None:
        error["invitation_id"] = finding.invitation.pk
    return error


def mark_duplicates_in_file(*, batch: InvitationBatch) -> None:
    """Every repeat of a recipient email or domain after its first line gets an error naming that line."""
    for key, field, code in (
        ("email_key", "recipient_email", "duplicate_email_in_file"),
        ("domain_key", "domain", "duplicate_domain_in_file"),
    ):
        repeated = (
            InvitationBatchRow.objects.filter(batch=batch).exclude(**{key: ""}).values(key)
            .annotate(n=Count("pk"), first=Min("line")).filter(n__gt=1).order_by("first")
        )
        if connection.vendor == "postgresql":
            _mark_repeats_in_sql(batch=batch, key=key, field=field, code=code, template=words(code, {"line": "{line}"}))
            continue
        for group in repeated.iterator(chunk_size=500):
            later = InvitationBatchRow.objects.filter(batch=batch, **{key: group[key]}, line__gt=group["first"]).order_by("line")
            for row in later.iterator(chunk_size=500):
                row.errors = [*row.errors, _error(field, code, {"line": group["first"]})]
                row.status = RowStatus.INVALID
                row.save(update_fields=["errors", "status"])


def _mark_repeats_in_sql(*, batch: InvitationBatch, key: str, field: str, code: str, template: str) -> None:
    """PostgreSQL: one UPDATE for all repeats (a file with one address on every line stays cheap);
    `template` is the message with `{line}` where the first line's number goes."""
    table = InvitationBatchRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS r
               SET errors = r.errors::jsonb || jsonb_build_array(jsonb_build_object(
                       'field', %s::text, 'code', %s::text, 'params', jsonb_build_object('line', d.first),
                       'message', replace(%s::text, '{{line}}', d.first::text))),
                   status = %s
              FROM (SELECT id, line, min(line) OVER (PARTITION BY {key}) AS first
                      FROM {table} WHERE batch_id = %s AND {key} <> '') AS d
             WHERE r.id = d.id AND d.line > d.first
            """,  # noqa: S608 - table and column names are ours, values are parameters
            [field, code, template, RowStatus.INVALID, batch.pk],
        )
