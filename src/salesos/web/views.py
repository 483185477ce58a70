"""The app shell: the dashboard, the sections still to come, and every HTML router in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import UserPrincipal
from salesos.auth.repository import ApiKeyRepository, UserRepository
from salesos.auth.settings_views import router as auth_settings_router
from salesos.auth.views import router as auth_router
from salesos.calendar.views import router as calendar_router
from salesos.campaigns.views import router as campaigns_router
from salesos.db.deps import DbSession
from salesos.imports.views import router as imports_router
from salesos.intake.views import router as intake_router
from salesos.leads import follow_ups
from salesos.leads.bulk_views import router as lead_bulk_router
from salesos.leads.dashboard import today
from salesos.leads.list_views import router as lead_list_router
from salesos.leads.pipeline_views import router as pipeline_views_router
from salesos.leads.views import router as leads_router
from salesos.notifications.views import router as notifications_router
from salesos.orgs.models import Role
from salesos.orgs.repository import InvitationRepository, MembershipRepository, OrganizationRepository
from salesos.orgs.views import router as orgs_router
from salesos.push.views import router as push_router
from salesos.web.pages import page
from salesos.web.pwa import router as pwa_router

router = APIRouter(include_in_schema=False)

# Sections announced in the navigation before they exist: what each will do, said plainly.
UPCOMING = {
    "outreach": (
        "Outreach",
        "Draft personalised emails and messages that a person approves before they go out.",
    ),
    "inbox": ("Inbox", "Answer replies, SMS, WhatsApp and website chat in one place, with bot hand-off."),
    "analytics": (
        "Analytics",
        "Measure the pipeline, outreach and campaigns with real numbers from your data.",
    ),
}


# What the dashboard's own buttons did (``?done=``).
NOTICES = {"follow-up": "Follow-up moved.", "follow-up-cleared": "Follow-up cleared."}


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    principal: UserPrincipal,
    session: DbSession,
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Your day (tasks and follow-ups due), the pipeline at a glance, and the getting-started checklist."""
    user = UserRepository(session).get(principal.user_id)  # type: ignore[arg-type]
    org = OrganizationRepository(session).current()
    zone = (user.timezone if user else None) or (org.timezone if org else None)
    context: dict[str, object] = {
        "me": user,
        "org": org,
        "day": today(session, principal.user_id, zone),  # type: ignore[arg-type]
        "members": MembershipRepository(session).count(),
        "invitations": None,
        "api_keys": None,
        "notice": NOTICES.get(done),
        "can_write": principal.has_role(Role.MEMBER),
        # The follow-ups' snooze buttons (the lead page's quick choices, bar the longest).
        "snooze_choices": dict(list(follow_ups.CHOICES.items())[:3]),
    }
    if principal.has_role(Role.ADMIN):
        context["invitations"] = len(InvitationRepository(session).pending())
        context["api_keys"] = sum(1 for k in ApiKeyRepository(session).listing() if k.revoked_at is None)
    return page(request, session, principal, "web/dashboard.html", context)


def _upcoming_view(slug: str):  # type: ignore[no-untyped-def]
    def view(request: Request, principal: UserPrincipal, session: DbSession) -> Response:
        title, purpose = UPCOMING[slug]
        return page(request, session, principal, "web/not_built.html", {"title": title, "purpose": purpose})

    view.__doc__ = f"{UPCOMING[slug][0]}: not built yet."
    view.__name__ = f"{slug}_page"
    return view


for _slug in UPCOMING:
    router.add_api_route(f"/{_slug}", _upcoming_view(_slug), methods=["GET"], response_class=HTMLResponse)

router.include_router(auth_router)
router.include_router(auth_settings_router)
router.include_router(calendar_router)
router.include_router(push_router)
router.include_router(orgs_router)
router.include_router(intake_router)
router.include_router(imports_router)  # before leads: /leads/import is not a lead id
router.include_router(lead_list_router)  # before leads: /leads/list is not a lead id
router.include_router(lead_bulk_router)
router.include_router(leads_router)
router.include_router(pipeline_views_router)
router.include_router(campaigns_router)
router.include_router(notifications_router)
router.include_router(pwa_router)
