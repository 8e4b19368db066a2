"""A tiny authoritative DNS responder on 127.0.0.1 for the domain-verification tests.

Built with dnspython's message API over a plain UDP socket, on the first free port of this
project's test range (7750-7799), in a daemon thread. `records` maps a lower-case name (no
trailing dot) to its TXT strings; every other name answers NXDOMAIN.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

PORTS = range(7750, 7800)


@dataclass
class LocalDnsServer:
    records: dict[str, list[str]] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    port: int = 0

    def start(self) -> LocalDnsServer:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for port in PORTS:
            try:
                self._sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            self.port = port
            break
        else:
            raise RuntimeError("no free UDP port in 7750-7799")
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, address = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            self.queries.append(name)
            values = self.records.get(name)
            if values is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif question.rdtype == dns.rdatatype.TXT and values:
                quoted = ['"' + value.replace('"', '\\"') + '"' for value in values]
                response.answer.append(dns.rrset.from_text(question.name, 300, dns.rdataclass.IN, dns.rdatatype.TXT, *quoted))
            self._sock.sendto(response.to_wire(), address)
