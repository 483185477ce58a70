"""Push settings page: turn notifications on for this device, see and remove devices, send a test."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import UserPrincipal
from salesos.db.deps import DbSession
from salesos.integrations.push import vapid
from salesos.push import service
from salesos.push.repository import PushSubscriptionRepository
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
NOTICES = {
    "removed": "That device will get no more notifications.",
    "test": "A test notification is on its way to your devices.",
    "none": "No device is set up yet: turn notifications on for this device first.",
}


@router.get("/settings/push", response_class=HTMLResponse)
def push_settings(request: Request, principal: UserPrincipal, session: DbSession, done: str = "") -> Response:
    """Your devices that receive notifications, and the button that adds this one."""
    devices = PushSubscriptionRepository(session).of_user(principal.user_id)  # type: ignore[arg-type]
    context = {
        "devices": [(d, service.endpoint_host(d)) for d in devices],
        "public_key": vapid.application_server_key(),
        "notice": NOTICES.get(done),
    }
    return page(request, session, principal, "push/settings.html", context)


@router.post("/settings/push/{subscription_id}/delete")
def remove_device(subscription_id: uuid.UUID, principal: UserPrincipal, session: DbSession) -> Response:
    """Remove one of your devices."""
    service.unsubscribe(session, service.own_subscription_or_404(session, principal, subscription_id))
    return see_other("/settings/push?done=removed")


@router.post("/settings/push/test")
def test_push(principal: UserPrincipal, session: DbSession) -> Response:
    """Send a test notification to each of your devices."""
    sent = service.send_test(session, principal)
    return see_other("/settings/push?done=" + ("test" if sent else "none"))
