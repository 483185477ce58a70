"""The email provider interface and its selection from settings."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

from salesos.config import get_settings


@dataclass(frozen=True)
class EmailMessage:
    """A plain-text (optionally HTML) email to one recipient."""

    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class EmailProvider(abc.ABC):
    """Sends email; raises ``ProviderError`` (permanent or not) on failure."""

    name: str

    @abc.abstractmethod
    def send(self, message: EmailMessage) -> str:
        """Deliver *message*; return the provider's message id."""


def get_email_provider() -> EmailProvider:
    """The provider configured by SALESOS_EMAIL_PROVIDER (console by default)."""
    settings = get_settings()
    if settings.email_provider == "smtp":
        from salesos.integrations.email.smtp import SmtpEmailProvider

        return SmtpEmailProvider(settings)
    from salesos.integrations.email.console import ConsoleEmailProvider

    return ConsoleEmailProvider(settings.var_dir / "mail")
