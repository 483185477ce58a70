"""The salesos command: check, demo (idempotent), createuser, jobs."""

from __future__ import annotations

from typer.testing import CliRunner

from salesos.cli import app

runner = CliRunner()


def test_check_reports_embedded_mode(settings):
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "embedded" in result.output
    assert "unreachable" not in result.output


def test_demo_is_idempotent_and_login_works(settings, client):
    first = runner.invoke(app, ["demo"])
    second = runner.invoke(app, ["demo"])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "demo@example.com" in first.output
    token = client.post(
        "/api/v1/auth/token", json={"email": "demo@example.com", "password": settings.demo_password}
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    members = client.get("/api/v1/members", headers=headers).json()["items"]
    assert sorted(m["role"] for m in members) == ["member", "owner", "viewer"]


def test_createuser(settings):
    result = runner.invoke(
        app,
        [
            "createuser",
            "--email",
            "ops@x.example",
            "--name",
            "Ops",
            "--org",
            "Ops Co",
            "--password",
            "a long password",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ops-co" in result.output
    again = runner.invoke(
        app,
        [
            "createuser",
            "--email",
            "ops@x.example",
            "--name",
            "Ops",
            "--org",
            "Ops Co",
            "--password",
            "a long password",
        ],
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_jobs_list_and_retry_unknown(settings):
    listed = runner.invoke(app, ["jobs", "list", "--status", "all"])
    assert listed.exit_code == 0, listed.output
    missing = runner.invoke(app, ["jobs", "retry", "00000000-0000-0000-0000-000000000000"])
    assert missing.exit_code == 1


def test_demo_builds_a_realistic_pipeline(settings, client):
    from collections import Counter

    runner.invoke(app, ["demo"])
    token = client.post(
        "/api/v1/auth/token", json={"email": "demo@example.com", "password": settings.demo_password}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    stages = {
        s["id"]: s["name"] for s in client.get("/api/v1/pipelines", headers=headers).json()[0]["stages"]
    }
    rows, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/leads", params={"limit": 200, **({"cursor": cursor} if cursor else {})}, headers=headers
        ).json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(rows) == 200
    by_stage = Counter(stages[r["stage_id"]] for r in rows)
    assert by_stage == {"New": 60, "Contacted": 45, "Qualified": 35, "Proposal": 25, "Won": 20, "Lost": 15}
    won = next(r for r in rows if stages[r["stage_id"]] == "Won")
    timeline = client.get(f"/api/v1/leads/{won['id']}/timeline", headers=headers).json()["items"]
    assert sum(1 for a in timeline if a["kind"] == "stage_changed") == 4


def test_serve_points_emailed_links_at_its_own_port_unless_a_base_url_is_set(settings, monkeypatch):
    import uvicorn

    from salesos.config import get_settings

    served: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: served.append(kw["port"]))
    monkeypatch.setenv("SALESOS_BASE_URL", "placeholder")  # recorded as absent before: undone after the test
    monkeypatch.delenv("SALESOS_BASE_URL")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", "8125", "--no-migrate"])
    assert result.exit_code == 0, result.output
    assert served == [8125] and get_settings().base_url == "http://127.0.0.1:8125"

    monkeypatch.setenv("SALESOS_BASE_URL", "https://crm.example")
    get_settings.cache_clear()
    assert runner.invoke(app, ["serve", "--port", "8126", "--no-migrate"]).exit_code == 0
    assert get_settings().base_url == "https://crm.example", "a configured base URL is kept"
