"""The SMTP RCPT probe: ask the domain's mail server whether it would accept the address (no message sent).

Off by default: probing from an address without a good sending reputation gets that address listed.
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass

PROBE_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ProbeResult:
    """accepted: True/False when the server said so, None when it didn't (greylisting, unreachable)."""

    accepted: bool | None
    catch_all: bool | None
    detail: str


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"[:200]


def probe(
    addresses: list[str],
    email: str,
    *,
    port: int = 25,
    helo: str = "localhost",
    mail_from: str = "",
    timeout: float = PROBE_TIMEOUT_SECONDS,
) -> ProbeResult:
    """RCPT *email*, then a made-up address at the same domain, on the first reachable of *addresses*."""
    domain = email.rpartition("@")[2]
    last_error = "no mail server address"
    for address in addresses:
        try:
            with smtplib.SMTP(timeout=timeout, local_hostname=helo) as smtp:
                smtp.connect(address, port)
                smtp.ehlo_or_helo_if_needed()
                code, message = smtp.mail(mail_from)
                if code >= 400:
                    return ProbeResult(None, None, f"MAIL FROM refused: {_reply(code, message)}")
                code, message = smtp.rcpt(email)
                if 500 <= code < 600:
                    return ProbeResult(False, None, f"RCPT refused: {_reply(code, message)}")
                if code >= 400:
                    # 4xx is usually greylisting: the server will decide later, we can't wait.
                    return ProbeResult(None, None, f"RCPT deferred: {_reply(code, message)}")
                control = f"salesos-{secrets.token_hex(8)}@{domain}"
                control_code, _ = smtp.rcpt(control)
                smtp.rset()
                return ProbeResult(True, 200 <= control_code < 300, f"RCPT accepted: {_reply(code, message)}")
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            last_error = f"{address}: {type(exc).__name__}"
    return ProbeResult(None, None, f"no mail server reachable ({last_error})")
