"""Read what the console email provider wrote to var/mail/."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path


def sent_mail(var_dir: Path) -> list[dict[str, str]]:
    """Every email sent so far: to, subject, decoded text body."""
    out = []
    for path in sorted((var_dir / "mail").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        out.append(
            {"to": str(msg["To"]), "subject": str(msg["Subject"]), "text": body.get_content() if body else ""}
        )
    return out


def link_token(text: str, path: str) -> str:
    """The token after */path/* in a link inside *text*."""
    match = re.search(rf"/{path}/(\S+)", text)
    assert match, f"no /{path}/ link in the email"
    return match.group(1)
