"""Base schemas shared by every API: strict input, ORM-friendly output, page envelopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import pydantic_core
from fastapi import Query, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, field_validator
from pydantic.json_schema import models_json_schema

from salesos.db.pagination import MAX_LIMIT

T = TypeVar("T")


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# A moment sent with its offset ("10:00+05:00"), kept and answered in UTC ("05:00Z"), as it reads back
# later: an answer that echoed the offset sent would show one instant three ways across endpoints.
UtcInstant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


NUL_MESSAGE = "Text can't contain NUL characters (\\u0000)."


def contains_nul(value: Any) -> bool:
    """Whether *value* (text, or a list or mapping of it, at any depth) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(contains_nul(item) for item in value)
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    return False  # a nested model checked its own fields; numbers, ids and dates hold no text


class StrictInput(BaseModel):
    """Request bodies: unknown fields are rejected, so org_id/role/status can't be mass-assigned."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL refuses NUL in text (the driver raises, a 500); SQLite would store it. Refused here,
        # for every body alike, it is a 422 on the field and nothing is written on either database.
        if contains_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


class Output(BaseModel):
    """Response bodies, built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class PageOut(BaseModel, Generic[T]):
    """A page of a cursor-paginated list."""

    items: list[T]
    next_cursor: str | None


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


def multipart_upload(**fields: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its multipart body itself: a required binary ``file``
    plus *fields* (name -> JSON schema), so the OpenAPI document still shows the upload form."""
    properties = {"file": {"type": "string", "format": "binary"}, **fields}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


# Models of request bodies that routes read themselves (see ``raw_json_body``), by component name.
_BODY_MODELS: dict[str, type[BaseModel]] = {}
COMPONENT_REF = "#/components/schemas/{model}"


def raw_json_body(*models: type[BaseModel], description: str) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its JSON body itself (to check a signature over the raw
    bytes first): the body is one of *models*, documented as components like any declared body."""
    for model in models:
        _BODY_MODELS[model.__name__] = model
    refs = [{"$ref": COMPONENT_REF.format(model=model.__name__)} for model in models]
    schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    content = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": True, "description": description, "content": content}}


def document_body_models(openapi: dict[str, Any]) -> dict[str, Any]:
    """*openapi* (the document) with the ``raw_json_body`` models and the models they nest as components.

    FastAPI only lists the models of declared bodies; a name it already lists is left as it made it.
    """
    if not _BODY_MODELS:
        return openapi
    pairs = [(model, "validation") for model in _BODY_MODELS.values()]
    _, found = models_json_schema(pairs, ref_template=COMPONENT_REF)  # type: ignore[arg-type]
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in found.get("$defs", {}).items():
        components.setdefault(name, schema)
    return openapi


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise *model* straight to a response.

    FastAPI would validate the returned model against ``response_model`` again, in the threadpool
    for a sync endpoint (one more thread hop); hot endpoints return this and keep ``response_model``
    on the route for the OpenAPI document.
    """
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def rows_page_response(page: Any) -> Response:
    """A page of projected rows as ``{"items": [...], "next_cursor": ...}``, serialised directly.

    The rows' column labels are the output schema's fields (tests hold the two together); skipping a
    Pydantic model per row is most of the cost of a list response.
    """
    items = page.items
    fields = items[0]._fields if items else ()  # one tuple of labels for the page, not a mapping per row
    # Every row of one result has len(fields) values; strict=True would check that again per row and
    # cost more than building the dicts (28 against 20 us for a 50-row page).
    body = {"items": [dict(zip(fields, row, strict=False)) for row in items], "next_cursor": page.next_cursor}
    return Response(pydantic_core.to_json(body), media_type="application/json")


def page_response(items: list[Any], next_cursor: str | None, out: type[BaseModel]) -> Response:
    """A page of ORM objects (or mappings) validated as *out* and serialised directly."""
    body = PageOut[out](  # type: ignore[valid-type]
        items=[out.model_validate(item) for item in items], next_cursor=next_cursor
    )
    return json_response(body)
