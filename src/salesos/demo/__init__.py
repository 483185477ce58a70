"""Idempotent demo data: a team, and a pipeline of realistic leads with history, notes and tasks."""

from __future__ import annotations

from dataclasses import dataclass

from salesos.demo.leads import load_demo_leads
from salesos.demo.team import load_demo_team


@dataclass(frozen=True)
class DemoResult:
    org_name: str
    email: str
    password: str
    leads_created: int


def load_demo() -> DemoResult:
    """Create what is missing of the demo org, its users and its leads; a second run changes nothing."""
    team = load_demo_team()
    created = load_demo_leads(team.org_id, team.user_ids)
    return DemoResult(org_name=team.org_name, email=team.email, password=team.password, leads_created=created)
