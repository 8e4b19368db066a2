"""Proving a partner controls its domain: the TXT record it publishes and the DNS lookup.

The record is `_partnercenter-challenge.<domain>  TXT  "partnercenter-verification=<code>"`, where
code = HMAC-SHA256(server key, "domain:<partner pk>:<domain>")[:32 hex]. It is public once
published and proves only control of the domain; it cannot be computed without the server key,
so nobody can pre-publish it for another partner, and it changes if the domain does.

Lookups use dnspython (a maintained resolver library) against settings.DOMAIN_VERIFICATION_NAMESERVERS
(or the system's), outside any database transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dns.exception
import dns.name
import dns.nameserver
import dns.resolver
from django.conf import settings

if TYPE_CHECKING:
    from partners.models import Partner

RECORD_PREFIX = "_partnercenter-challenge"
VALUE_PREFIX = "partnercenter-verification="


class DnsUnavailableError(Exception):
    """The lookup could not be answered (timeout, no nameserver): neither a yes nor a no."""


@dataclass(frozen=True)
class TxtRecord:
    name: str
    value: str


def domain_txt_record(partner: Partner) -> TxtRecord:
    domain = partner.verified_domain.strip().lower().rstrip(".")
    secret = settings.TOKEN_PEPPER or settings.SECRET_KEY
    key = hashlib.sha256(f"partnercenter-domain-verification:{secret}".encode()).digest()
    code = hmac.new(key, f"domain:{partner.pk}:{domain}".encode(), hashlib.sha256).hexdigest()[:32]
    return TxtRecord(name=f"{RECORD_PREFIX}.{domain}", value=f"{VALUE_PREFIX}{code}")


def _resolver() -> dns.resolver.Resolver:
    servers = settings.DOMAIN_VERIFICATION_NAMESERVERS
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        nameservers: list[dns.nameserver.Nameserver] = []
        for entry in servers:
            host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
            nameservers.append(dns.nameserver.Do53Nameserver(host, int(port) if port else 53))
        resolver.nameservers = nameservers
    resolver.lifetime = settings.DOMAIN_VERIFICATION_DNS_TIMEOUT_SECONDS
    resolver.timeout = settings.DOMAIN_VERIFICATION_DNS_TIMEOUT_SECONDS
    return resolver


def txt_values(name: str) -> list[str]:
    """Every TXT string published at `name` ([] when the name or the record does not exist)."""
    try:
        answer = _resolver().resolve(dns.name.from_text(name), "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.LifetimeTimeout) as exc:
        raise DnsUnavailableError(str(exc)) from exc
    # A TXT record may be split into several <=255-byte strings: they form one value.
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def domain_record_published(partner: Partner) -> bool:
    expected = domain_txt_record(partner)
    return any(hmac.compare_digest(value.strip(), expected.value) for value in txt_values(expected.name))
