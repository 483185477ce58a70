"""Outgoing email: one interface, a console default for embedded mode, SMTP for real delivery."""

from salesos.integrations.email.base import EmailMessage, EmailProvider, get_email_provider

__all__ = ["EmailMessage", "EmailProvider", "get_email_provider"]
