"""Offline email: prints the message and keeps a copy as an .eml file under var/mail/."""

from __future__ import annotations

import sys
from email.message import EmailMessage as MimeMessage
from email.utils import make_msgid
from pathlib import Path

from salesos.integrations.email.base import EmailMessage, EmailProvider


class ConsoleEmailProvider(EmailProvider):
    """The embedded-mode default: nothing leaves the machine, and a developer can still click the link."""

    name = "console"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> str:
        msg_id = make_msgid(domain="salesos.local")
        mime = MimeMessage()
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Message-ID"] = msg_id
        mime.set_content(message.text)
        self.directory.mkdir(parents=True, exist_ok=True)
        safe_id = msg_id.strip("<>").replace("@", "_")
        (self.directory / f"{safe_id}.eml").write_bytes(bytes(mime))
        # Deliberately stdout, not the log stream: logs never carry message bodies.
        print(
            f"\n--- email to {message.to}: {message.subject}\n{message.text}\n---",
            file=sys.stdout,
            flush=True,
        )
        return msg_id
