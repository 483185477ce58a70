"""Delivery through any SMTP server (STARTTLS and login optional)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as MimeMessage
from email.utils import make_msgid, parseaddr

from salesos.config import Settings
from salesos.integrations.base import ProviderError
from salesos.integrations.email.base import EmailMessage, EmailProvider


class SmtpEmailProvider(EmailProvider):
    """Sends through the configured SMTP relay."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> str:
        s = self.settings
        mime = MimeMessage()
        mime["From"] = s.email_from
        mime["To"] = message.to
        mime["Subject"] = message.subject
        msg_id = make_msgid(domain=parseaddr(s.email_from)[1].split("@")[-1] or "salesos.local")
        mime["Message-ID"] = msg_id
        for key, value in message.headers.items():
            mime[key] = value
        mime.set_content(message.text)
        if message.html:
            mime.add_alternative(message.html, subtype="html")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password)
                smtp.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ProviderError("recipient refused", permanent=True, provider=self.name) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise ProviderError("SMTP authentication failed", permanent=True, provider=self.name) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError(f"SMTP delivery failed: {type(exc).__name__}", provider=self.name) from exc
        return msg_id
