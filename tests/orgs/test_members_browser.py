"""Managing members in a real browser: a role change is confirmed first; a removal hands the work over."""

from __future__ import annotations

from typing import Any

from salesos.config import Settings
from tests.browser.test_notifications import signed_in_page
from tests.browser.test_shell import live_server  # noqa: F401  (live_server is a fixture)
from tests.orgs.helpers import add_member, give_work, owners


def test_an_admin_changes_a_role_and_removes_a_rep_handing_their_leads_over(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    from playwright.sync_api import expect

    dana = add_member(world, "dana@a.example", "Dana Reyes")
    leads = give_work(world.bob, world.alice, leads=2, tasks=1)
    with signed_in_page(live_server, world.alice) as page:
        page.goto("/settings/members")
        bob = page.locator("tr", has_text=world.bob.email)
        bob.get_by_label(f"Role of {world.bob.name}").select_option("admin")
        expect(bob.get_by_label(f"Role of {world.bob.name}")).to_have_value("admin")
        page.goto("/settings/members")  # choosing alone changed nothing
        expect(bob.get_by_label(f"Role of {world.bob.name}")).to_have_value("member")
        bob.get_by_label(f"Role of {world.bob.name}").select_option("admin")
        bob.get_by_role("button", name="Change role").click()
        expect(page.get_by_role("heading", name="Make Bob Brooks an admin?")).to_be_visible()
        page.get_by_role("button", name="Change role", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Role updated.")

        bob.get_by_role("button", name="Remove").click()
        expect(page.get_by_role("heading", name="Remove Bob Brooks from Acme Alpha?")).to_be_visible()
        expect(page.get_by_text("Bob Brooks owns 2 leads and has 1 open task.")).to_be_visible()
        page.get_by_label("Hand their leads and open tasks to").select_option(
            label=f"Dana Reyes ({dana.email})"
        )
        confirm = page.get_by_role("region", name="Remove Bob Brooks from Acme Alpha?")
        confirm.get_by_role("button", name="Remove Bob Brooks").click()
        expect(page.get_by_role("status")).to_contain_text("now belong to the person you chose")
        expect(page.locator("tr", has_text=world.bob.email)).to_have_count(0)
    assert owners(world.alice, leads) == {dana.user_id}
