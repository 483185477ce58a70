"""Email verification: syntax, disposable and role checks, DNS mail route, an opt-in SMTP RCPT probe."""

from salesos.integrations.verify.base import EmailVerifier, Verification, VerificationStatus
from salesos.integrations.verify.verifier import DnsEmailVerifier

__all__ = ["DnsEmailVerifier", "EmailVerifier", "Verification", "VerificationStatus"]
