"""The lead page's follow-up buttons: tomorrow, in 3 days, in a week, in 2 weeks, a chosen time, or none."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import Writer
from salesos.db.base import utcnow
from salesos.db.deps import DbSession
from salesos.leads import board, follow_ups
from salesos.leads.action_views import reader_timezone, render_detail
from salesos.leads.service import leads as lead_service
from salesos.web.pages import see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
CLEAR, AT = "clear", "at"


@router.post("/leads/{lead_id}/follow-up", response_class=HTMLResponse)
def set_follow_up(
    request: Request,
    lead_id: uuid.UUID,
    principal: Writer,
    session: DbSession,
    choice: Text = "",
    at: Text = "",
    return_to: Text = "",
) -> Response:
    """Plan the next follow-up from a quick choice (9:00 on a working day, the reader's time) or a time.

    *return_to* ``dashboard``: back to the dashboard's follow-ups (its snooze buttons); else the lead's page.
    """
    lead = lead_service.lead_or_404(session, lead_id)
    tz = reader_timezone(session, principal)
    if choice == CLEAR:
        when = None
    elif choice in follow_ups.CHOICES:
        when = follow_ups.planned(choice, tz, utcnow())
    else:
        try:
            when = board.parse_local(at, tz) if choice == AT else None
        except ValueError:
            when = None
        if when is None:
            errors = {"at": "Choose a date and time, or one of the buttons."}
            return render_detail(request, session, principal, lead, 422, follow_up_errors=errors)
    lead_service.update_lead(session, principal, lead, {"next_follow_up_at": when})
    done = "follow-up-cleared" if when is None else "follow-up"
    if return_to == "dashboard":
        return see_other(f"/?done={done}#follow-h")
    return see_other(f"/leads/{lead.id}?done={done}")
