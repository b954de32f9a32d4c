"""Pydantic validation errors turned into positioned problems.

A `ValidationError` names the bad value by its `loc`; this module walks that `loc` through the
parsed document to the nearest key path that was actually written, and reports the problem at the
line and column of that key or value. Unknown keys get the closest valid key as a suggestion.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ._problems import KeyPath, Position, Problem, suggest
from ._yaml import Document

__all__ = ["error_problems", "keys_of_model"]

_PREFIXES = ("Value error, ", "Assertion failed, ")
_INSTANCE_OF = re.compile(r" or instance of \w+")
# Pydantic names Python types; the person reading the message wrote YAML.
_WORDS = (
    ("a valid dictionary", "a mapping"),
    ("a valid tuple", "a list"),
    ("a valid list", "a list"),
    ("Tuple should", "List should"),
)


def error_problems(
    doc: Document,
    model: type[BaseModel],
    roots: Sequence[KeyPath],
    error: ValidationError,
    *,
    extra_keys: Iterable[str] = (),
    skip_missing: bool = False,
) -> list[Problem]:
    """The problems in `error`, raised by validating data found at one of `roots` with `model`.

    Each error is placed under the root where most of its `loc` was written (the first root on a
    tie); `extra_keys` are keys the section may hold besides the model's fields.
    """
    problems = []
    for details in error.errors(include_url=False):
        if skip_missing and details["type"] == "missing":
            continue
        problem = _problem(doc, model, roots, details, tuple(extra_keys))
        if problem is not None:
            problems.append(problem)
    return problems


def _problem(
    doc: Document,
    model: type[BaseModel],
    roots: Sequence[KeyPath],
    details: ErrorDetails,
    extra_keys: tuple[str, ...],
) -> Problem | None:
    loc = tuple(details["loc"])
    path, rest = max((_resolve(doc, root, loc) for root in roots), key=lambda r: len(r[0]))
    if any(path[:i] in doc.bad_values for i in range(len(path) + 1)):
        return None  # the value was never built; its problem is already reported
    kind = details["type"]
    message = details["msg"]
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    for pydantic_word, yaml_word in _WORDS:
        message = message.replace(pydantic_word, yaml_word)
    message = _INSTANCE_OF.sub("", message)
    if kind == "extra_forbidden":
        parent_loc = loc[:-1]
        valid = [*keys_of_model(model, parent_loc), *(extra_keys if not parent_loc else ())]
        return Problem(*_at(doc, path, key=True), path, _unknown_key(str(loc[-1]), valid))
    if kind == "missing" and len(rest) == 1:
        return Problem(*_at(doc, path, key=True), path, f"missing required key '{rest[0]}'")
    return Problem(*_at(doc, path, key=rest[:1] == ("[key]",)), path, message)


def _resolve(doc: Document, root: KeyPath, loc: KeyPath) -> tuple[KeyPath, KeyPath]:
    """The longest written path `root + loc[:n]`, and the rest of `loc`."""
    path = root
    for i, part in enumerate(loc):
        if not doc.known((*path, part)):
            return path, loc[i:]
        path = (*path, part)
    return path, ()


def _at(doc: Document, path: KeyPath, *, key: bool) -> Position:
    """Where to point for `path`: its key (or else its value), or its value (or else its key);
    the nearest written ancestor when the file has neither."""
    for depth in range(len(path), -1, -1):
        here = path[:depth]
        first, second = (doc.keys, doc.values) if key else (doc.values, doc.keys)
        position = first.get(here) or second.get(here)
        if position is not None:
            return position
    return 1, 1


def _unknown_key(key: str, valid: Sequence[str]) -> str:
    close = suggest(key, valid)
    if close is not None:
        return f"unknown key '{key}' (did you mean '{close}'?)"
    if valid:
        return f"unknown key '{key}' (valid keys: {', '.join(valid)})"
    return f"unknown key '{key}'"


def keys_of_model(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The keys valid in the mapping found at `loc` inside data validated by `model`."""
    annotation: Any = model
    for part in loc:
        annotation = _step(_unwrap(annotation), part)
        if annotation is None:
            return []
    target = _unwrap(annotation)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [info.alias or name for name, info in target.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]` -> X; `X | None` -> X (the first model in a union, if any)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        return _unwrap((models or members)[0])
    return annotation


def _step(annotation: Any, part: str | int) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
        return args[1]
    if isinstance(origin, type) and issubclass(origin, Sequence | frozenset | set) and args:
        return args[0]
    return None
