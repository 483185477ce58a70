"""Email providers: SMTP against a real SMTP server on loopback (aiosmtpd), the console default,
and metering of sends made for an organisation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from salesos.config import get_settings
from salesos.integrations.base import ProviderError
from salesos.integrations.email import EmailMessage, get_email_provider
from tests.support.servers import free_port


@dataclass
class Sink:
    """Collects what the SMTP server accepted; refuses recipients at refused.example."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_sink(settings, monkeypatch) -> Iterator[Sink]:  # type: ignore[no-untyped-def]
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SALESOS_EMAIL_PROVIDER", "smtp")
    monkeypatch.setenv("SALESOS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SALESOS_SMTP_PORT", str(port))
    get_settings.cache_clear()
    try:
        yield sink
    finally:
        controller.stop()


def test_smtp_delivers_over_a_real_connection(smtp_sink):
    provider = get_email_provider()
    assert provider.name == "smtp"
    message_id = provider.send(EmailMessage(to="dina@d.example", subject="Hello", text="Body line"))
    assert message_id.startswith("<")
    [(sender, recipients, content)] = smtp_sink.messages
    assert recipients == ["dina@d.example"]
    assert "no-reply@salesos.local" in sender
    assert b"Subject: Hello" in content and b"Body line" in content


def test_refused_recipient_is_a_permanent_provider_error(smtp_sink):
    with pytest.raises(ProviderError) as info:
        get_email_provider().send(EmailMessage(to="ghost@refused.example", subject="x", text="y"))
    assert info.value.permanent is True
    assert smtp_sink.messages == []


def test_unreachable_server_is_a_retryable_provider_error(settings, monkeypatch):
    monkeypatch.setenv("SALESOS_EMAIL_PROVIDER", "smtp")
    monkeypatch.setenv("SALESOS_SMTP_PORT", str(free_port()))  # nobody listens there
    get_settings.cache_clear()
    with pytest.raises(ProviderError) as info:
        get_email_provider().send(EmailMessage(to="a@a.example", subject="x", text="y"))
    assert info.value.permanent is False


def test_invitation_email_goes_out_once_and_is_metered(smtp_sink, client, world):
    from salesos.db.session import unit_of_work
    from salesos.integrations.usage import ApiUsageRepository
    from salesos.jobs.testing import drain

    response = client.post(
        "/api/v1/invitations", json={"email": "erin@a.example", "role": "member"}, headers=world.alice.headers
    )
    assert response.status_code == 201
    drain()
    drain()  # a second pass finds nothing left to send
    sent_to = [recipients for _sender, recipients, _content in smtp_sink.messages]
    assert sent_to.count(["erin@a.example"]) == 1
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        # The world fixture's own invitation (dave@) is emailed by the same drain.
        assert ApiUsageRepository(session).total_units("email") == len(smtp_sink.messages)
    with unit_of_work(write=False, org_id=world.carol.org_id) as session:
        assert ApiUsageRepository(session).total_units("email") == 0
