"""A loopback DNS server (UDP) answering from a small zone, so dnspython's real resolver path is tested."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset


@dataclass
class FakeDns:
    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (name, type) → rdata texts
    nxdomain: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)  # names never answered (timeouts)
    queries: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    def add(self, name: str, rdtype: str, *values: str) -> None:
        self.records.setdefault((name.lower().rstrip("."), rdtype), []).extend(values)

    def resolver(self, lifetime: float = 2.0) -> dns.resolver.Resolver:
        """A dnspython resolver that asks only this server."""
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        resolver.lifetime = lifetime
        resolver.timeout = lifetime
        return resolver

    def answer(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        if name in self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if name in self.nxdomain:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif values := self.records.get((name, rdtype)):
            response.answer.append(
                dns.rrset.from_text(question.name, 300, dns.rdataclass.IN, rdtype, *values)
            )
        return response.to_wire()


@contextmanager
def fake_dns() -> Iterator[FakeDns]:
    """Serve a FakeDns on 127.0.0.1 (UDP) for the duration of the block."""
    zone = FakeDns()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    zone.port = sock.getsockname()[1]
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            reply = zone.answer(wire)
            if reply is not None:
                sock.sendto(reply, peer)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield zone
    finally:
        stop.set()
        thread.join()
        sock.close()
