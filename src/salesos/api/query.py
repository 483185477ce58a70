"""A group of query parameters read as one Pydantic model: one validation instead of one per parameter.

FastAPI resolves each declared query parameter on its own (lookup, type inspection, validation): the
lead list's ten filters cost about 0.13 ms a request that way, and a single ``model_validate`` of the
query string about 0.01 ms. The parameters stay documented: ``query_parameters`` describes the model's
fields for the route's ``openapi_extra``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def validated_query(request: Request, model: type[ModelT], *, declared: tuple[str, ...] = ()) -> ModelT:
    """*model* from the request's query string; *declared* names the route's own other parameters.

    A refused value is the same 422 as a declared parameter's, located at ``("query", name)``. So is a
    parameter nobody reads: a misspelt filter (``tags=`` for ``tag=``) would otherwise list, export or
    act on everything.
    """
    fields = model.model_fields
    given = {name: value for name, value in request.query_params.items() if name in fields}
    unknown = [
        {
            "type": "extra_forbidden",
            "loc": ("query", name),
            "msg": "Extra inputs are not permitted",
            "input": value,
        }
        for name, value in request.query_params.items()
        if name not in fields and name not in declared
    ]
    try:
        found = model.model_validate(given)
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors + unknown) from None
    if unknown:
        raise RequestValidationError(unknown)
    return found


def query_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting *model*'s fields as optional query parameters."""
    properties: dict[str, Any] = model.model_json_schema()["properties"]
    parameters = []
    for name, schema in properties.items():
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        description = model.model_fields[name].description
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return {"parameters": parameters}
