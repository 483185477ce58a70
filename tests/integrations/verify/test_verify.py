"""Email verification: syntax, disposable, role, DNS via dnspython against a loopback DNS server, and the
opt-in SMTP RCPT probe against an aiosmtpd loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from salesos.integrations.verify import DnsEmailVerifier, VerificationStatus
from salesos.integrations.verify.checks import disposable_domains, is_disposable, is_role_address
from salesos.integrations.verify.patterns import candidate_addresses, first_verified
from tests.integrations.verify.fake_dns import FakeDns, fake_dns
from tests.support.servers import free_port, settings_with


@pytest.fixture
def zone() -> Iterator[FakeDns]:
    with fake_dns() as server:
        server.add("acme.example", "MX", "10 mx1.acme.example.", "20 mx2.acme.example.")
        server.add("mx1.acme.example", "A", "127.0.0.1")
        server.add("bare.example", "A", "192.0.2.10")
        server.add("nomail.example", "MX", "0 .")
        server.add("catchall.example", "MX", "10 mx.catchall.example.")
        server.add("mx.catchall.example", "A", "127.0.0.1")
        server.nxdomain.add("gone.example")
        server.silent.add("slow.example")
        yield server


def verifier(zone: FakeDns, **kw) -> DnsEmailVerifier:  # type: ignore[no-untyped-def]
    return DnsEmailVerifier(resolver=zone.resolver(lifetime=kw.pop("lifetime", 2.0)), **kw)


def test_syntax_is_checked_without_dns(zone):
    result = verifier(zone).verify("not an address@")
    assert result.status is VerificationStatus.INVALID and result.email is None
    assert zone.queries == []


def test_disposable_domains_are_data_and_match_subdomains(zone):
    assert len(disposable_domains()) >= 200
    assert is_disposable("mailinator.com") and is_disposable("eu.mailinator.com")
    assert not is_disposable("acme.example") and not is_disposable("com")
    result = verifier(zone).verify("Someone@Mailinator.com")
    assert (result.status, result.disposable, result.email) == (
        VerificationStatus.INVALID, True, "someone@mailinator.com",
    )  # fmt: skip
    assert zone.queries == []


@pytest.mark.parametrize(
    ("address", "role"),
    [("info@acme.example", True), ("Sales@acme.example", True), ("support+eu@acme.example", True),
     ("front.desk@acme.example", True), ("hello@acme.example", True), ("office@acme.example", True),
     ("jane.doe@acme.example", False), ("ceo.jane@acme.example", False)],
)  # fmt: skip
def test_role_addresses(address, role):
    assert is_role_address(address) is role


def test_mx_found_but_probe_off_is_unknown_with_the_route(zone):
    result = verifier(zone).verify("jane@acme.example")
    assert result.status is VerificationStatus.UNKNOWN and result.domain_accepts_mail
    assert result.mail_hosts == ("mx1.acme.example", "mx2.acme.example")
    assert "not probed" in result.reason and result.smtp_checked is False
    assert zone.queries == [("acme.example", "MX")]


def test_no_mx_falls_back_to_address_records(zone):
    result = verifier(zone).verify("info@bare.example")
    assert result.domain_accepts_mail and result.mail_hosts == ("bare.example",) and result.role
    assert ("bare.example", "MX") in zone.queries and ("bare.example", "A") in zone.queries


@pytest.mark.parametrize(
    ("address", "reason"),
    [("a@gone.example", "does not exist"), ("a@nomail.example", "null MX"),
     ("a@empty.example", "no MX and no address records")],
)  # fmt: skip
def test_domains_that_cannot_take_mail_are_invalid(zone, address, reason):
    result = verifier(zone).verify(address)
    assert result.status is VerificationStatus.INVALID and reason in result.reason


def test_dns_timeout_is_unknown_not_invalid(zone):
    result = verifier(zone, lifetime=0.3).verify("a@slow.example")
    assert result.status is VerificationStatus.UNKNOWN and "failed" in result.reason


@dataclass
class Mailboxes:
    """An SMTP server that knows some mailboxes; a catch-all domain accepts everything."""

    known: set[str] = field(default_factory=lambda: {"jane@acme.example"})
    catch_all: set[str] = field(default_factory=lambda: {"catchall.example"})
    rcpts: list[str] = field(default_factory=list)
    greylist: bool = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        self.rcpts.append(address)
        if self.greylist:
            return "451 4.7.1 greylisted, try again later"
        if address in self.known or address.rpartition("@")[2] in self.catch_all:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return "550 5.1.1 no such user"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        raise AssertionError("a probe never sends a message")


@pytest.fixture
def smtp() -> Iterator[tuple[Mailboxes, int]]:
    boxes = Mailboxes()
    port = free_port()
    controller = Controller(boxes, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield boxes, port
    finally:
        controller.stop()


def probing(zone: FakeDns, port: int) -> DnsEmailVerifier:
    return verifier(zone, smtp_probe=True, smtp_port=port, helo="probe.salesos.example",
                    mail_from="verify@salesos.example", timeout=5.0)  # fmt: skip


def test_probe_is_off_by_default(zone, smtp):
    boxes, _port = smtp
    assert DnsEmailVerifier.from_settings(settings_with(), resolver=zone.resolver()).smtp_probe is False
    DnsEmailVerifier.from_settings(settings_with(), resolver=zone.resolver()).verify("jane@acme.example")
    assert boxes.rcpts == []


def test_probe_accepts_a_known_mailbox_and_refuses_a_made_up_one(zone, smtp):
    boxes, port = smtp
    result = probing(zone, port).verify("jane@acme.example")
    assert result.status is VerificationStatus.VALID and result.smtp_checked, result.reason
    assert boxes.rcpts[0] == "jane@acme.example" and boxes.rcpts[1].startswith("salesos-")
    ghost = probing(zone, port).verify("ghost@acme.example")
    assert ghost.status is VerificationStatus.INVALID and "550" in ghost.reason


def test_probe_detects_catch_all(zone, smtp):
    _boxes, port = smtp
    result = probing(zone, port).verify("anyone@catchall.example")
    assert result.status is VerificationStatus.CATCH_ALL


def test_greylisting_and_unreachable_servers_are_unknown(zone, smtp):
    boxes, port = smtp
    boxes.greylist = True
    assert probing(zone, port).verify("jane@acme.example").status is VerificationStatus.UNKNOWN
    nobody = probing(zone, free_port()).verify("jane@acme.example")
    assert nobody.status is VerificationStatus.UNKNOWN and "no mail server reachable" in nobody.reason


def test_guessed_addresses_are_kept_only_when_the_probe_says_valid(zone, smtp):
    _boxes, port = smtp
    guesses = candidate_addresses("Jane", "Doe", "acme.example")
    assert guesses[:3] == ["jane.doe@acme.example", "jane@acme.example", "janedoe@acme.example"]
    assert candidate_addresses("José", "Núñez", "x.example")[0] == "jose.nunez@x.example"
    found = first_verified(probing(zone, port), guesses)
    assert found is not None and found.email == "jane@acme.example"
    assert first_verified(probing(zone, port), candidate_addresses("Any", "One", "catchall.example")) is None
    # Without the probe nothing can be verified, so no guess is kept.
    assert first_verified(verifier(zone), guesses) is None
