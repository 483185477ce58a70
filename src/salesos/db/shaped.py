"""Statements kept per shape: built once, then run with each call's values as named parameters.

SQLAlchemy caches the compiled SQL of a statement, but to find it, every call builds the statement
again and walks the whole tree for its cache key. For the lead list (eighteen columns, two joins,
filters, a keyset bound) that was a third of a list request's Python time. A statement object keeps
its cache key once computed, so a hot query can keep one object per *shape* (everything that changes
its SQL text) and bind this call's values by name instead.

A shape is built up step by step. Each step names what it adds to the SQL in a hashable *key*, and
binds every value it uses as ``bindparam(name)``, passed in the step's params, never as a literal:
a value written into the SQL would be reused for every later call of the same shape.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, Select, bindparam
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from salesos.db.repository import column_rows

Step = Callable[[Select[Any]], Select[Any]]

MAX_SHAPES = 1024
_statements: OrderedDict[tuple[Hashable, ...], Select[Any]] = OrderedDict()
_lock = threading.Lock()


class ShapedSelect:
    """A SELECT described by its shape and built from it at most once per process (least recently used
    shapes are forgotten past ``MAX_SHAPES``), with the values of its named parameters."""

    __slots__ = ("_build", "params", "shape")

    def __init__(
        self, shape: tuple[Hashable, ...], build: Callable[[], Select[Any]], params: Mapping[str, Any]
    ) -> None:
        self.shape = shape
        self._build = build
        self.params = params

    def then(self, key: Hashable, step: Step, **params: Any) -> ShapedSelect:
        """This SELECT with *step* applied; *key* tells apart every SQL text the step can produce."""
        build = self._build
        return ShapedSelect((*self.shape, key), lambda: step(build()), {**self.params, **params})

    def where(
        self, key: Hashable, condition: Callable[[], ColumnElement[bool]], **params: Any
    ) -> ShapedSelect:
        """This SELECT narrowed by *condition* (built at most once per shape)."""
        return self.then(key, lambda stmt: stmt.where(condition()), **params)

    def statement(self) -> Select[Any]:
        """The statement of this shape: the one already built, or a new one."""
        with _lock:
            found = _statements.get(self.shape)
            if found is not None:
                _statements.move_to_end(self.shape)
                return found
        built = self._build()
        with _lock:
            _statements[self.shape] = built
            if len(_statements) > MAX_SHAPES:
                _statements.popitem(last=False)
        return built

    def rows(self, session: Session) -> list[Row[Any]]:
        """The rows, as Core rows on the session's connection (see ``Repository.rows``)."""
        return column_rows(session, self.statement(), self.params)


def shaped_select(key: Hashable, build: Callable[[], Select[Any]], **params: Any) -> ShapedSelect:
    """The start of a shaped SELECT: *key* names the statement *build* makes (values bound by name)."""
    return ShapedSelect((key,), build, params)


def with_values(element: ColumnElement[bool], params: Mapping[str, Any]) -> ColumnElement[bool]:
    """A copy of *element* with its named parameters' values in it, for a statement built per call."""

    def bind(element: Any, **_: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in params:
            return bindparam(element.key, params[element.key], type_=element.type)
        return None

    return visitors.replacement_traverse(element, {}, bind)
