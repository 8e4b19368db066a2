"""Which network addresses a webhook may reach: public unicast only, in every notation.

A host in a subscription URL is one of three things, and each is judged here:

- an IP literal, in any spelling the resolver would accept: dotted IPv4, the inet_aton short and
  numeric forms (`127.1`, `2130706433`, `0x7f.1`, `017700000001`), bracketed IPv6 with or without a
  zone id (`[fe80::1%25eth0]`), IPv4 embedded in IPv6 (`::ffff:127.0.0.1`, `::127.0.0.1`,
  NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`);
- a host name, which is resolved once (`resolve_public`) and every answer judged like a literal;
- something else (a last label that looks numeric but is no IPv4 address, e.g. `1.2.3.4.5`):
  refused, because resolvers disagree about what it means.

An address is public when Python calls it global *and* it is in none of the blocks below. The blocks
are written out rather than left to `ipaddress.is_global` alone, whose tables change between Python
versions (3.11 calls `::127.0.0.1`, `64:ff9b::7f00:1`, `2002:7f00:1::`, `fec0::1` and `224.0.0.1`
global). Addresses that carry an IPv4 address inside (mapped, compatible, translated, NAT64, 6to4,
Teredo) are judged by what they would reach: the translation prefixes by the embedded IPv4, the
tunnelling ones (6to4, Teredo, compatible) refused outright — no receiver needs them.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4_REFUSED = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8",  # "this network", unspecified
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private
    "100.64.0.0/10",  # shared address space (CGNAT)
    "127.0.0.0/8",  # loopback
    "169.254.0.0/16",  # link-local (cloud metadata lives here)
    "192.0.0.0/24", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",  # IETF protocol, documentation
    "192.88.99.0/24",  # 6to4 relay anycast
    "198.18.0.0/15",  # benchmarking
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
))
_V6_REFUSED = tuple(ipaddress.IPv6Network(n) for n in (
    "::/96",  # unspecified, loopback, IPv4-compatible (deprecated)
    "::ffff:0:0/96",  # IPv4-mapped (judged by the embedded address before this list is read)
    "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
    "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation
    "100::/64",  # discard-only
    "2001::/32",  # Teredo: a tunnel to an IPv4 address of anyone's choosing
    "2001:db8::/32", "3fff::/20",  # documentation
    "2002::/16",  # 6to4: the same, through a relay
    "fc00::/7",  # unique-local
    "fe80::/10",  # link-local
    "fec0::/10",  # site-local (deprecated)
    "ff00::/8",  # multicast
))
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix: judged by the IPv4 address inside

_NUMERIC_LABEL = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")


class RefusedAddressError(ValueError):
    """The host is, or resolves to, an address a webhook may not reach (or no address at all)."""


def address_is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False  # a zone id names an interface of ours: link-local by construction
        if ip.ipv4_mapped is not None:
            return address_is_public(ip.ipv4_mapped)
        if ip in _NAT64:
            return address_is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(ip in network for network in _V6_REFUSED):
            return False
    elif any(ip in network for network in _V4_REFUSED):
        return False
    return ip.is_global and not ip.is_multicast


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address the C resolver reads in `host` (`127.1`, `0x7f.1`, `017700000001`), else None.

    Same rules as inet_aton(3): one to four parts, each decimal, octal (leading 0) or hex (0x); the
    last part fills the remaining bytes. Written out so the answer does not depend on the libc.
    """
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        if not _NUMERIC_LABEL.match(part):
            return None
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                return None
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def literal_address(host: str) -> IPAddress | None:
    """The address `host` spells (in any notation), or None when it is a name.

    Raises RefusedAddressError for hosts that look numeric but spell no address (`1.2.3.4.5`,
    `example.0x1`): the WHATWG URL parser rejects them, and resolvers do not agree on them.
    """
    host = host[:-1] if host.endswith(".") else host  # the root label: `127.0.0.1.` is 127.0.0.1
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if ":" in host or "%" in host:
        raise RefusedAddressError(host)  # not a valid IPv6 literal, and no name has a colon
    address = _inet_aton(host)
    if address is not None:
        return address
    if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        raise RefusedAddressError(host)
    return None


@dataclass(frozen=True)
class Destination:
    """Where one attempt connects: the host name for Host/SNI/certificate, the address checked."""

    host: str
    address: str
    port: int


def resolve_pinned(host: str, port: int, *, allow_private: bool) -> Destination:
    """Resolve `host` once and return the address to connect to.

    Every answer must be public (unless `allow_private`): a name that resolves to a public and a
    private address is refused, so a resolver cannot steer the choice. The caller connects to
    `address` and nowhere else — the name is never resolved a second time (DNS rebinding).
    """
    literal = literal_address(host)
    if literal is not None:
        if not allow_private and not address_is_public(literal):
            raise RefusedAddressError(host)
        return Destination(host=host, address=str(literal), port=port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise RefusedAddressError(host) from exc
    addresses = [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]
    if not addresses:
        raise RefusedAddressError(host)
    if not allow_private:
        for address in addresses:
            try:
                public = address_is_public(ipaddress.ip_address(address))
            except ValueError:
                public = False
            if not public:
                raise RefusedAddressError(host)
    return Destination(host=host, address=addresses[0], port=port)
