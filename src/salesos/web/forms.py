"""Form handling for HTML views: schema validation, savepoints, and errors shown next to their field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from salesos.errors import DomainError

FORM = "form"  # the key of an error that belongs to the whole form, not one field
FormErrors = dict[str, str]
SchemaT = TypeVar("SchemaT", bound=BaseModel)


def error_message(error: dict[str, Any]) -> str:
    """The sentence a form shows for one Pydantic error."""
    kind = error.get("type", "")
    if kind == "missing" or (kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1):
        return "This field is required."
    if kind == "too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "Choose at least one."
    message = str(error.get("msg", "Invalid value."))
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", message))
    if "valid email address" in message:
        return "Enter a valid email address."
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


def validate(schema: type[SchemaT], data: dict[str, Any]) -> tuple[SchemaT | None, FormErrors]:
    """Validate form *data* with the API's schema: the same rules, messages keyed by field."""
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        errors: FormErrors = {}
        for error in exc.errors():
            loc = error.get("loc", ())
            field = str(loc[0]) if loc else FORM
            errors.setdefault(field, error_message(dict(error)))
        return None, errors


def domain_errors(exc: DomainError, default_field: str = FORM) -> FormErrors:
    """A service's refusal as form errors (ValidationFailed knows its field)."""
    field = getattr(exc, "field", None) or default_field
    return {field: exc.detail}


@contextmanager
def attempt(session: Session) -> Iterator[None]:
    """Run service calls in a savepoint, so a refused form writes nothing.

    The view catches the error and re-renders the form, which means the request still ends in a
    commit: the savepoint is what keeps half-done work out of it. Errors that ask to keep their
    writes (a counted failed sign-in) release the savepoint instead.
    """
    savepoint = session.begin_nested()
    try:
        yield
    except DomainError as exc:
        if exc.keep_writes:
            savepoint.commit()
        else:
            savepoint.rollback()
        raise
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()


def local_path(target: str | None, default: str = "/") -> str:
    """*target* when it is a path on this site; *default* otherwise (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if not target.isprintable():
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
