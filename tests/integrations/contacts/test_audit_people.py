"""Website audits collect the people of the home, contact and about pages, one entry per name."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from salesos.integrations.enrich.audit import WebsiteAudit, WebsiteAuditor
from tests.integrations.enrich.conftest import FakeResolver, make_fetcher
from tests.integrations.enrich.fake_web import FakeWeb, fake_web

HOST = "vet.example"
HOME = """<html><head><title>Riverside Animal Clinic</title></head><body>
<a href="/about/">Our Team</a> <a href="/contact/">Contact</a>
<h3>Dr. Priya Patel</h3><p>Welcome to our clinic!</p></body></html>"""
ABOUT = """<html><body><h2>Meet Our Team</h2>
<div class="card"><h3>Dr. Priya Patel, DVM</h3><p>Veterinarian &amp; Owner</p></div>
<div class="card"><h3>Marcus Lee</h3><p>Veterinary Technician</p></div></body></html>"""
CONTACT = """<html><body><p><a href="mailto:priya@vet.example">Priya Patel</a>, Owner</p>
<p><a href="mailto:info@vet.example">info@vet.example</a></p></body></html>"""


@pytest.fixture
def site() -> Iterator[FakeWeb]:
    with fake_web() as web:
        yield web


def test_audit_merges_people_across_pages(site: FakeWeb) -> None:
    for path, html in (("/", HOME), ("/about/", ABOUT), ("/contact/", CONTACT)):
        site.page(path, html, host=HOST)

    async def run() -> WebsiteAudit:
        async with make_fetcher(site, FakeResolver({HOST: [site.host]})) as fetcher:
            return await WebsiteAuditor(fetcher).audit(f"http://{HOST}:{site.port}/")

    audit = asyncio.run(run())
    assert audit.reachable and len(audit.pages) == 3
    people = [(p.name, p.title, p.email, p.decision_maker) for p in audit.people]
    assert people == [
        ("Priya Patel", "Veterinarian & Owner", "priya@vet.example", True),
        ("Marcus Lee", "Veterinary Technician", None, False),
    ]
    assert set(audit.emails) == {"priya@vet.example", "info@vet.example"}


def test_a_separate_team_page_is_read_too(site: FakeWeb) -> None:
    home = '<html><body><a href="/about">About us</a> <a href="/our-team">Our people</a></body></html>'
    about = "<html><body><p>Family practice since 1998.</p></body></html>"
    team = '<html><body><div class="card"><h3>Dr. Ana Ruiz</h3><p>Owner</p></div></body></html>'
    for path, html in (("/", home), ("/about", about), ("/our-team", team)):
        site.page(path, html, host=HOST)

    async def run() -> WebsiteAudit:
        async with make_fetcher(site, FakeResolver({HOST: [site.host]})) as fetcher:
            return await WebsiteAuditor(fetcher).audit(f"http://{HOST}:{site.port}/")

    audit = asyncio.run(run())
    assert len(audit.pages) == 3
    assert [(p.name, p.title, p.decision_maker) for p in audit.people] == [("Ana Ruiz", "Owner", True)]
