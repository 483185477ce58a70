"""Pattern-guessed addresses for a named person: candidates only, kept when the RCPT probe says valid."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from salesos.integrations.verify.base import EmailVerifier, Verification, VerificationStatus

# The formats companies use most, most common first (first.last and first lead by a wide margin).
PATTERNS = ("{f}.{l}", "{f}", "{f}{l}", "{fi}{l}", "{fi}.{l}", "{f}{li}", "{f}_{l}", "{l}.{f}", "{l}")


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def candidate_addresses(first_name: str, last_name: str, domain: str) -> list[str]:
    """Likely addresses of *first_name last_name* at *domain*, without duplicates, most likely first."""
    first, last = _ascii_word(first_name), _ascii_word(last_name)
    if not first or not domain:
        return []
    values = {"f": first, "l": last, "fi": first[:1], "li": last[:1]}
    found: list[str] = []
    for pattern in PATTERNS:
        if not last and "{l" in pattern:
            continue
        address = f"{pattern.format(**values)}@{domain.lower()}"
        if address not in found:
            found.append(address)
    return found


def first_verified(verifier: EmailVerifier, candidates: Iterable[str]) -> Verification | None:
    """The first candidate the verifier calls valid; catch-all and unknown prove nothing about a guess."""
    for address in candidates:
        result = verifier.verify(address)
        if result.status is VerificationStatus.VALID:
            return result
        # A catch-all or unreachable domain answers every guess the same way: stop asking it.
        if result.status is not VerificationStatus.INVALID or not result.domain_accepts_mail:
            return None
    return None
