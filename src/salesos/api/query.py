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


def validated_query(request: Request, model: type[ModelT]) -> ModelT:
    """*model* from the request's query string (other parameters left to their own declarations).

    A refused value is the same 422 as a declared parameter's, located at ``("query", name)``.
    """
    fields = model.model_fields
    given = {name: value for name, value in request.query_params.items() if name in fields}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None


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
