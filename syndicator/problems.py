"""Turning pydantic's validation errors into the lines ``syndicator check`` prints.

One shape for every config problem, whoever found it (the main config model or an
adapter's ``Options``): ``FILE: targets[2].min_interval: what was expected (got ...)``.
pydantic's own wording ("Input should be a valid string") is replaced where a
plainer one exists, since the reader is editing a TOML file, not Python.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = ["describe_errors", "format_location"]

_PLAIN = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "extra_forbidden": "unknown key",
    "missing": "required key missing",
}


def format_location(location: Sequence[object]) -> str:
    """``("targets", 2, "min_interval")`` -> ``targets[2].min_interval``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def describe_errors(exc: ValidationError, *, prefix: Sequence[object] = ()) -> list[str]:
    """One ``key.path: message`` line per error; ``prefix`` is where the validated
    table sits in the file (``("sources", 3)``)."""
    return [_describe(error, prefix) for error in exc.errors()]


def _describe(error: ErrorDetails, prefix: Sequence[object]) -> str:
    location = format_location([*prefix, *_useful(error["loc"])])
    kind = error["type"]
    message = _PLAIN.get(kind) or _reworded(error)
    got = error.get("input")
    shown = f"got {got!r}"
    repeated = shown in message or repr(got) in message
    if kind not in ("missing", "extra_forbidden") and _short(got) and not repeated:
        message += f" ({shown})"
    return f"{location}: {message}"


def _useful(location: Sequence[object]) -> list[object]:
    """The key path without pydantic's internal steps (``function-before[...]``)."""
    return [part for part in location if not (isinstance(part, str) and "[" in part)]


def _reworded(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    context = error.get("ctx") or {}
    if error["type"] == "greater_than_equal":
        message = f"must be at least {context.get('ge')}"
    elif error["type"] == "greater_than":
        message = f"must be greater than {context.get('gt')}"
    elif error["type"] == "less_than_equal":
        message = f"must be at most {context.get('le')}"
    elif error["type"] == "string_too_short" and context.get("min_length") == 1:
        message = "must not be empty"
    return message


def _short(value: object) -> bool:
    """Whether ``value`` is worth repeating after the message (a table or a list is not)."""
    return not isinstance(value, dict | list | tuple) and len(repr(value)) <= 80
