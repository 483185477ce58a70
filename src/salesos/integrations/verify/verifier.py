"""The default email verifier: syntax, disposable and role checks, DNS mail route, optional RCPT probe."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import dns.resolver

from salesos.integrations.verify.base import EmailVerifier, Verification, VerificationStatus
from salesos.integrations.verify.checks import check_syntax, is_disposable, is_free_mail, is_role_address
from salesos.integrations.verify.dns import DnsUnavailable, default_resolver, host_addresses, mail_route
from salesos.integrations.verify.smtp_probe import PROBE_TIMEOUT_SECONDS, probe

# Try at most this many MX hosts: a domain with many is rarely better answered by the fifth.
MAX_MX_HOSTS = 3


class DnsEmailVerifier(EmailVerifier):
    """Keyless verification; without the RCPT probe a deliverable domain is as far as it can tell."""

    name = "dns"

    def __init__(
        self,
        *,
        resolver: dns.resolver.Resolver | None = None,
        smtp_probe: bool = False,
        smtp_port: int = 25,
        helo: str = "localhost",
        mail_from: str = "",
        timeout: float = PROBE_TIMEOUT_SECONDS,
    ) -> None:
        self.resolver = resolver or default_resolver()
        self.smtp_probe = smtp_probe
        self.smtp_port = smtp_port
        self.helo = helo
        self.mail_from = mail_from
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Any, resolver: dns.resolver.Resolver | None = None) -> DnsEmailVerifier:
        """The verifier configured by SALESOS_EMAIL_VERIFY_* settings (probe off unless enabled)."""
        return cls(
            resolver=resolver,
            smtp_probe=bool(settings.email_verify_smtp_probe),
            smtp_port=int(settings.email_verify_smtp_port),
            helo=settings.email_verify_helo or "localhost",
            mail_from=settings.email_verify_mail_from,
        )

    def verify(self, address: str) -> Verification:
        """Check *address*: invalid as soon as one check rules it out, else as far as DNS/SMTP can say."""
        email = check_syntax(address)
        if email is None:
            return Verification(address, None, VerificationStatus.INVALID, "not a valid email address")
        domain = email.rpartition("@")[2]
        checked = Verification(
            address,
            email,
            VerificationStatus.UNKNOWN,
            "",
            role=is_role_address(email),
            free=is_free_mail(domain),
        )
        if is_disposable(domain):
            return replace(checked, status=VerificationStatus.INVALID, reason="disposable mailbox domain",
                           disposable=True)  # fmt: skip
        try:
            route = mail_route(self.resolver, domain)
        except DnsUnavailable as exc:
            return replace(checked, reason=str(exc))
        if not route.hosts:
            return replace(checked, status=VerificationStatus.INVALID, reason=route.reason)
        checked = replace(checked, domain_accepts_mail=True, mail_hosts=route.hosts)
        if not self.smtp_probe:
            return replace(checked, reason="domain accepts mail; mailbox not probed")
        return self._probe(checked, email, route.hosts)

    def _probe(self, checked: Verification, email: str, hosts: tuple[str, ...]) -> Verification:
        ips: list[str] = []
        for host in hosts[:MAX_MX_HOSTS]:
            try:
                ips.extend(host_addresses(self.resolver, host))
            except DnsUnavailable:
                continue
        result = probe(
            ips, email, port=self.smtp_port, helo=self.helo, mail_from=self.mail_from, timeout=self.timeout
        )
        if result.accepted is None:
            status = VerificationStatus.UNKNOWN
        elif not result.accepted:
            status = VerificationStatus.INVALID
        elif result.catch_all:
            status = VerificationStatus.CATCH_ALL
        else:
            status = VerificationStatus.VALID
        return replace(checked, status=status, reason=result.detail, smtp_checked=True)
