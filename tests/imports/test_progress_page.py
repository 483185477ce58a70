"""The progress card and the preview as people see them: the heading, grouped counts, the layout."""

from __future__ import annotations

import re
import uuid
from typing import Any

from salesos.config import Settings
from salesos.db.session import unit_of_work
from salesos.imports.models import ImportStatus
from salesos.imports.repository import ImportJobRepository
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    open_page,
    sign_up,
)
from tests.imports.helpers import upload
from tests.support.services import require
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)


def _set(org_id: uuid.UUID, import_id: str, **fields: Any) -> None:
    with unit_of_work(org_id=org_id) as s:
        job = ImportJobRepository(s).get(uuid.UUID(import_id))
        assert job is not None
        for name, value in fields.items():
            setattr(job, name, value)


def test_the_heading_says_when_the_import_has_finished_and_counts_are_grouped(client, browser, world):  # noqa: F811
    b = browser()
    sign_in(b, world.alice.email)
    up = upload(client, world.alice, b"Company\nAcme\n", filename="big.csv").json()
    url = f"/leads/import/{up['id']}"
    counts = {"total_rows": 22_000, "created": 9_000, "merged": 1_000, "rejected": 0}
    _set(world.alice.org_id, up["id"], status=ImportStatus.RUNNING, rows_done=10_000, **counts)
    running = b.get(url).text
    assert re.search(r'<h1 id="import-title">\s*Importing big.csv\s*</h1>', running)
    assert "9,000 created · 1,000 merged into existing leads · 0 rejected" in running

    counts |= {"created": 18_001, "merged": 1_999, "rejected": 1_000}
    _set(world.alice.org_id, up["id"], status=ImportStatus.DONE, rows_done=22_000, **counts)
    done = b.get(url).text
    assert re.search(r'<h1 id="import-title">\s*Imported big.csv\s*</h1>', done) and "Importing" not in done
    grouped = "18,001 created · 1,999 merged into existing leads · 1,000 rejected · 1,000 empty rows skipped"
    assert grouped in done and "22,000 / 22,000 rows" in done
    # The card polling itself brings the heading along, out of band: the page's heading is outside it.
    fragment = b.get(f"{url}/progress", headers={"HX-Request": "true"}).text
    assert re.search(r'<h1 id="import-title" hx-swap-oob="true">\s*Imported big.csv\s*</h1>', fragment)
    assert "18,001 created" in fragment and "<html" not in fragment

    _set(world.alice.org_id, up["id"], status=ImportStatus.FAILED, error="OperationalError: gone")
    assert re.search(r"<h1 id=\"import-title\">\s*Import of big.csv stopped\s*</h1>", b.get(url).text)


def _wide_csv(rows: int) -> bytes:
    """Twelve columns, so the preview table is squeezed; the first rows name no member and no stage."""
    header = "Company,Email,Phone,Website,City,Region,Country,Title,First Name,Last Name,Owner,Stage"
    lines = [header]
    lines += [
        f"Wide Co {i},p{i}@wide{i}.example,,wide{i}.example,Springfield,Oregon,United States,"
        f"Head of Procurement,Firstname,Lastname,Zed Unknown Person,Somewhere Else Entirely"
        for i in range(3)
    ]
    lines += [f"Co {i},p{i}@co{i}.example,,,Berlin,,,,,,," for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_the_bar_spans_the_card_and_reasons_are_readable(live_server: str, settings: Settings) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import FilePayload, expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(chromium, live_server, errors)
            sign_up(page, live_server, "Lay Out", "lay@layout.example", "Layout Sales")
            page.goto("/leads/import")
            page.get_by_label("CSV file (up to 100 MB)").set_input_files(
                files=FilePayload(name="wide.csv", mimeType="text/csv", buffer=_wide_csv(1_200))
            )
            page.get_by_role("button", name="Upload").click()
            expect(page.get_by_role("heading", name="Map the columns of wide.csv")).to_be_visible()

            # The reason sits in a column wide enough for a sentence: two or three lines, not five to seven.
            reason = page.locator("#import-preview tbody tr").first.locator("td:nth-child(2) .text-error")
            expect(reason).to_contain_text("the pipeline has no stage")
            lines = reason.evaluate("e => e.getClientRects().length")
            assert 1 <= lines <= 3, lines

            page.get_by_role("button", name="Start import").click()
            expect(page.get_by_test_id("percent")).to_have_text("100%", timeout=60_000)
            # Finished: the heading says so (sent along with the card while the page polled).
            expect(page.locator("#import-title")).to_have_text("Imported wide.csv")
            expect(page.get_by_test_id("counts")).to_contain_text("1,200 created")

            card = page.locator("#import-progress")
            width = card.evaluate(
                "c => { const s = getComputedStyle(c);"
                " return c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"
            )
            bar = page.locator("#import-bar").evaluate("b => b.getBoundingClientRect().width")
            assert bar >= width - 1, (bar, width)
        finally:
            chromium.close()
    assert errors == []
