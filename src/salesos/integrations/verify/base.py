"""The email verifier interface: an address in, a status with the evidence behind it out."""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass


class VerificationStatus(enum.StrEnum):
    """valid: the mailbox server accepted it (and refuses made-up ones); invalid: it cannot receive mail;
    catch_all: the server accepts any address; unknown: nothing conclusive (probe off, timeouts, greylisting).
    """

    VALID = "valid"
    INVALID = "invalid"
    CATCH_ALL = "catch_all"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    """The verdict on one address and the facts it rests on."""

    address: str
    email: str | None  # normalised, None when the syntax is wrong
    status: VerificationStatus
    reason: str
    role: bool = False
    disposable: bool = False
    free: bool = False
    # True once DNS shows the domain takes mail (MX, or A/AAAA as the implicit MX).
    domain_accepts_mail: bool = False
    mail_hosts: tuple[str, ...] = ()
    smtp_checked: bool = False


class EmailVerifier(abc.ABC):
    """Verifies addresses; inconclusive checks give status unknown rather than raise."""

    name: str

    @abc.abstractmethod
    def verify(self, address: str) -> Verification:
        """Check *address* as far as this verifier can."""
