"""The SSE endpoint as a router factory, so the app can plug in its own authentication.

Mount with ``api.include_router(build_router(get_principal), prefix="/api/v1")``; the dependency
returns any object with ``.org_id`` and is the only thing that decides whose events a caller sees.
"""

# No `from __future__ import annotations` here: FastAPI must evaluate the endpoint's annotations,
# and one of them refers to the factory's local `principal_dependency`.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import StreamingResponse

from salesos.realtime.sse import MAX_LAST_EVENT_ID, event_stream_response


def build_router(principal_dependency: Callable[..., Any]) -> APIRouter:
    """``GET /events``: the caller's org's hints as SSE; *principal_dependency* returns an ``.org_id``."""
    router = APIRouter(tags=["realtime"])

    @router.get(
        "/events",
        response_class=StreamingResponse,
        summary="Realtime hints for the caller's organisation (Server-Sent Events)",
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def stream_events(
        request: Request,
        # scope="function": the principal is resolved once, up front; the stream then runs for
        # hours and must not keep whatever the dependency opened.
        principal: Annotated[Any, Depends(principal_dependency, scope="function")],
        last_event_id_header: Annotated[
            str | None, Header(alias="Last-Event-ID", max_length=MAX_LAST_EVENT_ID)
        ] = None,
        last_event_id: Annotated[str | None, Query(max_length=MAX_LAST_EVENT_ID)] = None,
    ) -> StreamingResponse:
        """Stream events; resume with the ``Last-Event-ID`` header (or ``?last_event_id=`` on a new page)."""
        return await event_stream_response(principal.org_id, request, last_event_id_header or last_event_id)

    return router
