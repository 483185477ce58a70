"""The mapping screen's form: a column set to something that is no lead field is refused, not a 500."""

from __future__ import annotations

import uuid

from salesos.db.session import unit_of_work
from salesos.imports.models import ImportStatus
from salesos.imports.repository import ImportJobRepository
from tests.imports.helpers import upload
from tests.web.test_pages import browser, sign_in  # noqa: F401  (browser is a fixture)

CSV = b"Company,Email\nAcme,ann@acme.example\n"
REFUSAL = "Column “Company” is set to “bogus”, which is not a lead field. Choose one from the list."


def _mapping_screen(client, browser, world):  # type: ignore[no-untyped-def]  # noqa: F811
    """Alice's browser, its CSRF token, and the URL of a fresh import's mapping screen."""
    b = browser()
    token = sign_in(b, world.alice.email)
    up = upload(client, world.alice, CSV)
    assert up.status_code == 201, up.text
    return b, token, f"/leads/import/{up.json()['id']}"


def _status(world, url: str) -> ImportStatus:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        job = ImportJobRepository(session).get(uuid.UUID(url.rsplit("/", 1)[1]))
        assert job is not None
        return job.status


def test_preview_of_an_unknown_field_shows_the_mapping_screen_with_the_reason(client, browser, world):  # noqa: F811
    b, token, url = _mapping_screen(client, browser, world)
    refused = b.post(f"{url}/preview", data={"col_0": "bogus", "col_1": "email", "csrf_token": token})
    assert refused.status_code == 422
    assert 'id="mapping-form"' in refused.text and REFUSAL in refused.text
    # The screen offers the column again with nothing chosen, and keeps the columns that were right.
    assert 'value="email" selected' in refused.text and "bogus" not in refused.text.replace(REFUSAL, "")


def test_preview_over_htmx_says_why_in_the_message_area(client, browser, world):  # noqa: F811
    b, token, url = _mapping_screen(client, browser, world)
    refused = b.post(
        f"{url}/preview",
        data={"col_0": "bogus", "col_1": "email", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == "#flash" and REFUSAL in refused.text
    assert "<html" not in refused.text


def test_start_with_an_unknown_field_is_refused_and_nothing_starts(client, browser, world):  # noqa: F811
    b, token, url = _mapping_screen(client, browser, world)
    refused = b.post(f"{url}/start", data={"col_0": "bogus", "col_1": "email", "csrf_token": token})
    assert refused.status_code == 422
    assert 'id="mapping-form"' in refused.text and REFUSAL in refused.text
    assert _status(world, url) == ImportStatus.UPLOADED
    started = b.post(f"{url}/start", data={"col_0": "company_name", "col_1": "email", "csrf_token": token})
    assert started.status_code == 303


def test_another_org_cannot_preview_or_start_the_import(client, browser, world):  # noqa: F811
    _b, _token, url = _mapping_screen(client, browser, world)
    c = browser()
    carol_token = sign_in(c, world.carol.email)
    form = {"col_0": "company_name", "col_1": "email", "csrf_token": carol_token}
    assert c.post(f"{url}/preview", data=form).status_code == 404
    assert c.post(f"{url}/start", data=form).status_code == 404
    assert _status(world, url) == ImportStatus.UPLOADED
