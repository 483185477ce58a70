"""Website audits of loopback fake sites reached by name: the facts, redirects, timeouts, caps, robots."""

from __future__ import annotations

import asyncio
from typing import Any

from salesos.integrations.enrich import errors
from salesos.integrations.enrich.audit import WebsiteAudit, WebsiteAuditor
from tests.integrations.enrich.conftest import FakeResolver, make_fetcher
from tests.integrations.enrich.fake_web import FakeWeb, Route

HOST = "dentist.example"

HOME = """<html><head><title>Bright Smile Dental</title>
<meta name="generator" content="WordPress 5.2.1">
<script src="/wp-includes/js/jquery/jquery.js?ver=1.12.4"></script>
</head><body><a href="/contact/">Contact</a> <a href="/about/">About us</a>
<a href="https://www.facebook.com/brightsmile">fb</a><footer>© 2017 Bright Smile</footer></body></html>"""
CONTACT = """<html><body><a href="mailto:office@dentist.example">Email</a> Call (512) 555-0142
<script type="application/ld+json">{"@type": "Dentist", "name": "Bright Smile Dental",
"telephone": "512-555-0142", "address": "100 Congress Ave, Austin, TX"}</script></body></html>"""
ABOUT = """<html><body><a href="https://www.instagram.com/brightsmile/">ig</a>
Dr. Ana Ruiz, DDS, <a href="mailto:ana@dentist.example">ana@dentist.example</a>
<a href="https://www.facebook.com/other">fb</a></body></html>"""


def _audit(site: FakeWeb, url: str, **policy: Any) -> WebsiteAudit:
    resolver = FakeResolver({HOST: [site.host], "www." + HOST: [site.host]})

    async def run() -> WebsiteAudit:
        async with make_fetcher(site, resolver, **policy) as fetcher:
            return await WebsiteAuditor(fetcher).audit(url)

    return asyncio.run(run())


def test_audit_collects_facts_from_home_contact_and_about(site: FakeWeb) -> None:
    site.page("/", HOME, host=HOST, headers={"Server": "nginx/1.18.0", "Set-Cookie": "PHPSESSID=abc; Path=/"})
    site.page("/contact/", CONTACT, host=HOST)
    site.page("/about/", ABOUT, host=HOST)
    audit = _audit(site, f"http://{HOST}:{site.port}/")
    assert audit.reachable and audit.status == 200 and not audit.https
    assert audit.final_url == f"http://{HOST}:{site.port}/"
    assert audit.title == "Bright Smile Dental" and audit.description == "" and not audit.viewport
    assert audit.page_weight == len(HOME.encode())
    found = {t.name: t.version for t in audit.technologies}
    assert found == {"WordPress": "5.2.1", "jQuery": "1.12.4", "Nginx": "1.18.0", "PHP": None}
    assert audit.emails == ["office@dentist.example", "ana@dentist.example"]
    assert audit.phones == ["+15125550142"]
    assert audit.socials == {
        "facebook": "https://www.facebook.com/brightsmile",
        "instagram": "https://www.instagram.com/brightsmile/",
    }
    assert audit.business is not None and audit.business.address == "100 Congress Ave, Austin, TX"
    assert audit.copyright_year == 2017
    assert len(audit.pages) == 3
    assert audit.score is not None
    codes = {f.code for f in audit.score.factors}
    assert {"no_https", "no_viewport", "stale_copyright", "outdated_jquery", "no_analytics"} <= codes
    assert "no_contact" not in codes


def test_audit_follows_a_redirect_chain_to_the_final_url(site: FakeWeb) -> None:
    site.redirect("/", f"http://www.{HOST}:{site.port}/", host=HOST, status=301)
    site.redirect("/", "/home", host="www." + HOST)
    site.page("/home", "<title>Home</title>", host="www." + HOST)
    audit = _audit(site, f"http://{HOST}:{site.port}/")
    assert audit.final_url == f"http://www.{HOST}:{site.port}/home"
    assert audit.redirects == 2 and audit.title == "Home"


def test_audit_of_a_redirect_loop_is_unreachable(site: FakeWeb) -> None:
    site.redirect("/", "/again")
    site.redirect("/again", "/")
    audit = _audit(site, site.origin + "/")
    assert (audit.reachable, audit.error) == (False, errors.TOO_MANY_REDIRECTS)


def test_audit_of_a_slow_site_times_out(site: FakeWeb) -> None:
    site.page("/", "<title>late</title>", delay=1.5)
    audit = _audit(site, site.origin + "/", timeout=0.3)
    assert (audit.reachable, audit.error) == (False, errors.TIMEOUT)
    assert audit.score is not None and audit.score.score == 0


def test_audit_of_an_oversized_site(site: FakeWeb) -> None:
    site.route("/", Route(stream_bytes=8 * 1024 * 1024))
    audit = _audit(site, site.origin + "/", max_body=512 * 1024)
    assert (audit.reachable, audit.error) == (False, errors.BODY_TOO_LARGE)


def test_audit_respects_robots_disallow(site: FakeWeb) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    site.page("/", HOME)
    audit = _audit(site, site.origin + "/")
    assert (audit.reachable, audit.error) == (False, errors.ROBOTS_DISALLOWED)
    assert ("127.0.0.1", "/") not in site.requests


def test_subpages_disallowed_by_robots_are_skipped(site: FakeWeb) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /contact/\n", content_type="text/plain")
    site.page("/", HOME)
    site.page("/contact/", CONTACT)
    site.page("/about/", ABOUT)
    audit = _audit(site, site.origin + "/")
    assert audit.reachable and audit.emails == ["ana@dentist.example"]
    assert ("127.0.0.1", "/contact/") not in site.requests


def test_bare_domain_tries_https_then_http(site: FakeWeb) -> None:
    site.page("/", "<title>plain</title>", host=HOST)
    audit = _audit(site, f"{HOST}:{site.port}")
    assert audit.reachable and audit.final_url == f"http://{HOST}:{site.port}/"
    assert not audit.https


def test_redirect_to_internal_address_is_refused_without_connecting(site: FakeWeb, internal: FakeWeb) -> None:
    site.redirect("/", f"http://localhost.{HOST}:{internal.port}/")
    resolver_target = f"localhost.{HOST}"
    resolver = FakeResolver({resolver_target: ["127.0.0.1"]})

    async def run() -> WebsiteAudit:
        async with make_fetcher(site, resolver) as fetcher:
            return await WebsiteAuditor(fetcher).audit(site.origin + "/")

    audit = asyncio.run(run())
    assert (audit.reachable, audit.error) == (False, errors.REFUSED_PRIVATE)
    assert internal.connections == 0
