"""A whole prospecting world on loopback: Nominatim and Overpass fakes listing dentists in Austin, and one
fake web server answering as each dentist's website (chosen by the Host header).

Practice 0 is the opportunity: plain http, no mobile viewport, © 2015, jQuery 1.x, a team page naming its
owner. The others are modern sites. A loopback DNS server gives each practice's domain an MX record.
``settings_env`` holds the SALESOS_* values that point a deployment at these fakes (the fetcher's
loopback allowance only works with SALESOS_ENV=test).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from tests.integrations.enrich.fake_web import FakeWeb, fake_web
from tests.integrations.search.fake_http import serve
from tests.integrations.search.fakes import FakeNominatim, FakeOverpass
from tests.integrations.verify.fake_dns import FakeDns, fake_dns

OLD_SITE = """<!doctype html><html><head><title>Bright Smiles Dental</title>
<script src="/js/jquery-1.8.3.min.js"></script></head>
<body><h1>Bright Smiles Dental</h1><p>Family dentistry since 1998.</p>
<a href="/about">About us</a> <a href="/contact">Contact</a>
<footer>Call (512) 555-0100 · info@{domain} · © 2015 Bright Smiles Dental</footer></body></html>"""

OLD_ABOUT = """<!doctype html><html><head><title>About - Bright Smiles Dental</title></head><body>
<h1>Our team</h1>
<div class="team-member"><h3>Dr. Jane Smith, DDS</h3><p>Owner</p>
<a href="mailto:jane@{domain}">jane@{domain}</a></div>
<div class="team-member"><h3>Tom Baker</h3><p>Dental Hygienist</p></div>
</body></html>"""

MODERN_SITE = """<!doctype html><html lang="en"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} | Modern dentistry in Austin</title>
<meta name="description" content="{name}: gentle, modern dental care in Austin, TX.">
<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST123"></script>
</head><body><h1>{name}</h1><a href="/contact">Book online</a>
<footer>hello@{domain} · (512) 555-01{n:02d} · © {year} {name}</footer></body></html>"""


@dataclass
class Practice:
    n: int
    name: str
    domain: str

    def element(self, port: int) -> dict[str, Any]:
        """The practice as an Overpass node, its website on the fake web server's port."""
        tags = {
            "amenity": "dentist",
            "name": self.name,
            "addr:housenumber": str(100 + self.n),
            "addr:street": "Congress Avenue",
            "addr:city": "Austin",
            "addr:postcode": "78701",
            "phone": f"(512) 555-01{self.n:02d}",
            "website": f"http://{self.domain}:{port}/",
        }
        return {"type": "node", "id": 5000 + self.n, "lat": 30.27 + self.n / 100, "lon": -97.74, "tags": tags}


def practices(count: int) -> list[Practice]:
    names = ["Bright Smiles Dental"] + [f"Lakeside Dental Studio {n}" for n in range(1, count)]
    return [Practice(n, name, f"{name.lower().replace(' ', '-')}-atx.com") for n, name in enumerate(names)]


def publish_sites(web: FakeWeb, items: list[Practice], *, delay: float = 0.0, year: int = 2026) -> None:
    """Serve every practice's pages (each response after *delay* seconds)."""
    for practice in items:
        if practice.n == 0:
            pages = {"/": OLD_SITE, "/about": OLD_ABOUT}
        else:
            pages = {"/": MODERN_SITE, "/contact": MODERN_SITE}
        for path, html in pages.items():
            body = html.format(domain=practice.domain, name=practice.name, n=practice.n, year=year)
            web.page(path, body, host=practice.domain, delay=delay)


@dataclass
class ProspectingWorld:
    nominatim: FakeNominatim
    overpass: FakeOverpass
    web: FakeWeb
    dns: FakeDns
    practices: list[Practice]

    @property
    def settings_env(self) -> dict[str, str]:
        """SALESOS_* overrides (lower-case keys, as tests.conftest.configure takes them)."""
        return {
            "osm_nominatim_url": self.nominatim.origin,
            "osm_overpass_url": self.overpass.origin + "/api",
            "osm_contact": "tests@salesos.example",
            "osm_requests_per_second": "100",
            "enrich_test_allow": f"127.0.0.1:{self.web.port}",
            "enrich_test_hosts": "*=127.0.0.1",
            "email_verify_nameservers": f"127.0.0.1:{self.dns.port}",
            "discovery_sources": "osm",
        }

    def add_practice(self, delay: float = 0.0) -> Practice:
        """One more dentist, listed and online (what a refresh should find)."""
        n = len(self.practices)
        practice = Practice(n, f"Riverside Dental {n}", f"riverside-dental-{n}-atx.com")
        self.practices.append(practice)
        publish_sites(self.web, [practice], delay=delay)
        self.dns.add(practice.domain, "MX", f"10 mail.{practice.domain}.")
        self.overpass.elements.append(practice.element(self.web.port))
        return practice


@contextmanager
def prospecting_world(count: int = 5, *, delay: float = 0.0) -> Iterator[ProspectingWorld]:
    """Fakes for *count* dentists, served for the duration of the block."""
    with ExitStack() as stack:
        nominatim = stack.enter_context(serve(FakeNominatim()))
        overpass = stack.enter_context(serve(FakeOverpass()))
        web = stack.enter_context(fake_web())
        zone = stack.enter_context(fake_dns())
        items = practices(count)
        publish_sites(web, items, delay=delay)
        overpass.elements = [p.element(web.port) for p in items]
        for practice in items:
            # Every practice takes mail, so its addresses verify as far as DNS can tell (no probe).
            zone.add(practice.domain, "MX", f"10 mail.{practice.domain}.")
        yield ProspectingWorld(nominatim, overpass, web, zone, items)
