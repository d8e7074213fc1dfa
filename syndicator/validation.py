"""Turning a parsed TOML table into frozen dataclasses, collecting every problem.

Why not pydantic: importing it and building the config models cost ~0.2 s at every
start of ``syndicator poll``, for a handful of field types. This module reads what
it needs from the dataclass itself: each field's type hint says what is accepted, and
``rules(...)`` in the field's metadata adds bounds and a check, declared once per
field and used both when loading (``from_dict``) and on direct construction (the
``Validated`` mixin's ``__post_init__``).

Accepted hints: ``str``, ``int`` (never a bool), ``bool`` (a real TOML boolean, no
"yes"/1), ``timedelta`` (``parse_duration``: "90s", "1h30m" or seconds), ``Path``,
``Literal[...]``, ``X | None``, ``list[X]``, ``dict[str, X]``, ``Any`` and nested
dataclasses. Unknown keys are an error unless the class declares an ``extra_keys()``
field, which then receives them. Every problem is collected with its key path
(``sources[3].every``), so a config with ten mistakes is fixed in one round.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from syndicator.durations import parse_duration

T = TypeVar("T")
Location = tuple[str | int, ...]
Check = Callable[[Any], object]
Convert = Callable[[Any, Location, list["Problem"]], Any]

_EXTRA = "syndicator.extra_keys"
_RULES = "syndicator.rules"
_FAILED: Any = object()  # a conversion that reported its problem
_NO_VALUE = object()


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with one key. ``got`` is the offending value, shown after the
    message unless it is a table or a list (too long) or the message already says "got ..."."""

    location: Location
    message: str
    got: object = _NO_VALUE

    def __str__(self) -> str:
        text = f"{format_location(self.location)}: {self.message}"
        if self.got is not _NO_VALUE and not isinstance(self.got, dict | list):
            got = f"got {self.got!r}"
            if got not in self.message:
                text += f" ({got})"
        return text


class Invalid(ValueError):
    """Every problem found in one table. A ``ValueError``, so direct construction
    (``ServiceConfig(http="0.0.0.0:80")``) fails the way callers already expect."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclasses.dataclass(frozen=True)
class _Rules:
    check: Check | None = None
    ge: int | None = None
    gt: int | None = None
    le: int | None = None
    min_length: int | None = None


def rules(
    *,
    check: Check | None = None,
    ge: int | None = None,
    gt: int | None = None,
    le: int | None = None,
    min_length: int | None = None,
) -> dict[str, Any]:
    """Field metadata: ``field(default=8, metadata=rules(ge=1, le=100))``. ``check``
    raises ``ValueError`` with a message for the user; on a list it runs on each item."""
    return {_RULES: _Rules(check, ge, gt, le, min_length)}


def extra_keys() -> dict[str, Any]:
    """Field metadata marking the ``dict[str, Any]`` field that collects the keys its
    class does not declare: ``field(default_factory=dict, metadata=extra_keys())``.
    Without one, an undeclared key is an "unknown key" problem."""
    return {_EXTRA: True}


def from_dict(cls: type[T], raw: Mapping[str, Any], *, location: Location = ()) -> T:
    """Build ``cls`` from a parsed TOML table; raise ``Invalid`` listing every problem."""
    problems: list[Problem] = []
    result = _dataclass(typing.cast(type, cls))(raw, location, problems)
    if problems:
        raise Invalid(problems)
    return typing.cast(T, result)


class Validated:
    """Mixin for the config dataclasses: constructing one directly runs the same
    conversions and checks as loading (a duration string becomes a ``timedelta``)."""

    def __post_init__(self) -> None:
        plan = _plan(type(self))
        problems: list[Problem] = []
        for name, convert in plan.converters.items():
            value = getattr(self, name)
            converted = convert(value, (name,), problems)
            if converted is not _FAILED and converted is not value:
                object.__setattr__(self, name, converted)
        if plan.extra is not None:
            extra = _dict(_anything)(getattr(self, plan.extra), (plan.extra,), problems)
            if extra is not _FAILED:
                object.__setattr__(self, plan.extra, extra)
        if problems:
            raise Invalid(problems)


def format_location(location: tuple[Any, ...]) -> str:
    """``("targets", 2, "min_interval")`` -> ``targets[2].min_interval``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


class _Plan:
    """What one dataclass accepts, worked out once from its fields and type hints,
    and how to build it from a table."""

    def __init__(self, cls: type) -> None:
        hints = typing.get_type_hints(cls)
        self.cls = cls
        self.converters: dict[str, Convert] = {}
        self.defaults: dict[str, Any] = {}  # immutable defaults, shared by every instance
        self.factories: dict[str, Callable[[], Any]] = {}  # mutable ones, made fresh
        self.extra: str | None = None  # the field collecting undeclared keys, if allowed
        required = []
        for item in dataclasses.fields(cls):
            if item.metadata.get(_EXTRA):
                self.extra = item.name
                continue
            self.converters[item.name] = _converter(hints[item.name], item.metadata.get(_RULES))
            if item.default is not dataclasses.MISSING:
                self.defaults[item.name] = item.default
            elif item.default_factory is not dataclasses.MISSING:
                self.factories[item.name] = _factory(item.default_factory)
            else:
                required.append(item.name)
        self.required = frozenset(required)

    def convert(self, raw: Mapping[str, Any], location: Location, problems: list[Problem]) -> Any:
        before = len(problems)
        values = self.defaults.copy()
        extra: dict[str, Any] = {}
        converters = self.converters
        for key, value in raw.items():
            convert_field = converters.get(key)
            if convert_field is not None:
                values[key] = convert_field(value, (*location, key), problems)
            elif self.extra is not None:
                extra[key] = value
            else:
                problems.append(Problem((*location, key), "unknown key"))
        for name, factory in self.factories.items():
            if name not in raw:
                values[name] = factory()
        if not raw.keys() >= self.required:
            problems.extend(
                Problem((*location, name), "required key missing")
                for name in converters
                if name in self.required and name not in raw
            )
        if len(problems) > before:
            return _FAILED
        if self.extra is not None:
            values[self.extra] = extra
        return self.build(values)

    def default(self) -> Any:
        """An instance made of the defaults alone (they are not checked)."""
        values = self.defaults.copy()
        for name, factory in self.factories.items():
            values[name] = factory()
        if self.extra is not None:
            values[self.extra] = {}
        return self.build(values)

    def build(self, values: dict[str, Any]) -> Any:
        # Every field is converted and checked already; skip __init__/__post_init__,
        # which would run the same checks (RE2 compiles, zone lookups) a second time.
        instance: Any = object.__new__(self.cls)
        instance.__dict__.update(values)
        return instance


_plans: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    plan = _plans.get(cls)
    if plan is None:
        plan = _plans[cls] = _Plan(cls)
    return plan


def _factory(factory: Callable[[], Any]) -> Callable[[], Any]:
    """A nested dataclass's default is built from its defaults without re-checking them."""
    if isinstance(factory, type) and dataclasses.is_dataclass(factory):
        nested: type = factory
        if all(
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            for f in dataclasses.fields(nested)
        ):
            return lambda: _plan(nested).default()
    return factory


@functools.cache
def _dataclass(cls: type) -> Convert:
    """The converter of a nested table; its plan is made on first use, once the class
    and the classes its hints name all exist."""

    def convert(raw: Any, location: Location, problems: list[Problem]) -> Any:
        if type(raw) is not dict:
            if isinstance(raw, cls):
                return raw  # built directly, so already checked
            if not isinstance(raw, Mapping):
                problems.append(Problem(location, "expected a table", raw))
                return _FAILED
        return _plan(cls).convert(raw, location, problems)

    return convert


def _converter(hint: Any, field_rules: _Rules | None) -> Convert:
    """The function that converts and checks one value of type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        others = [arg for arg in args if arg is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"unsupported type {hint!r}: only 'X | None' unions")
        inner = _converter(others[0], field_rules)
        return lambda value, loc, problems: None if value is None else inner(value, loc, problems)
    if origin is list:
        return _list(_converter(args[0], field_rules))
    if origin is dict:
        return _dict(_converter(args[1], None))
    scalar = _SCALARS.get(hint)
    if scalar is not None:
        return _checked(scalar, field_rules) if field_rules else scalar
    if field_rules is not None:
        raise TypeError(f"rules(...) apply to scalar fields (str, int, ...), not {hint!r}")
    if origin is Literal:
        return _literal(args)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(hint)
    if hint is Any:
        return _anything
    raise TypeError(f"unsupported type {hint!r} in a config dataclass")


def _anything(value: Any, location: Location, problems: list[Problem]) -> Any:
    return value


def _list(item: Convert) -> Convert:
    def convert(value: Any, location: Location, problems: list[Problem]) -> Any:
        if not isinstance(value, list | tuple):
            problems.append(Problem(location, "expected a list", value))
            return _FAILED
        items = [item(v, (*location, i), problems) for i, v in enumerate(value)]
        return _FAILED if any(v is _FAILED for v in items) else items

    return convert


def _dict(item: Convert) -> Convert:
    def convert(value: Any, location: Location, problems: list[Problem]) -> Any:
        if not isinstance(value, Mapping):
            problems.append(Problem(location, "expected a table", value))
            return _FAILED
        if not _string_keys(value, location, problems):
            return _FAILED
        items = {k: item(v, (*location, k), problems) for k, v in value.items()}
        return _FAILED if any(v is _FAILED for v in items.values()) else items

    return convert


def _string_keys(value: Mapping[Any, Any], location: Location, problems: list[Problem]) -> bool:
    bad = [key for key in value if not isinstance(key, str)]
    problems.extend(Problem((*location, str(key)), "keys must be strings") for key in bad)
    return not bad


def _literal(choices: tuple[Any, ...]) -> Convert:
    quoted = [repr(choice) for choice in choices]
    expected = (
        " or ".join(quoted) if len(quoted) < 3 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
    )

    def convert(value: Any, location: Location, problems: list[Problem]) -> Any:
        for choice in choices:
            if value == choice and type(value) is type(choice):
                return value
        problems.append(Problem(location, f"expected {expected}", value))
        return _FAILED

    return convert


def _typed(kind: type | tuple[type, ...], expected: str, *, refuse_bool: bool = False) -> Convert:
    def convert(value: Any, location: Location, problems: list[Problem]) -> Any:
        if isinstance(value, kind) and not (refuse_bool and isinstance(value, bool)):
            return value
        problems.append(Problem(location, expected, value))
        return _FAILED

    return convert


_durations: dict[str, timedelta] = {}  # a config repeats a few durations ("10m") many times


def _duration(value: Any, location: Location, problems: list[Problem]) -> Any:
    if isinstance(value, str) and value in _durations:
        return _durations[value]
    try:
        parsed = parse_duration(value)
    except (ValueError, TypeError, OverflowError) as exc:
        problems.append(Problem(location, str(exc), value))
        return _FAILED
    if isinstance(value, str) and len(_durations) < 1024:
        _durations[value] = parsed
    return parsed


def _path(value: Any, location: Location, problems: list[Problem]) -> Any:
    if isinstance(value, Path):
        return value
    if isinstance(value, str):
        return Path(value)
    problems.append(Problem(location, "expected a path", value))
    return _FAILED


_SCALARS: dict[Any, Convert] = {
    str: _typed(str, "expected a string"),
    int: _typed(int, "expected an integer", refuse_bool=True),
    bool: _typed(bool, "expected true or false"),
    timedelta: _duration,
    Path: _path,
}


def _checked(convert: Convert, field_rules: _Rules) -> Convert:
    """``convert``, then the field's bounds and check, each failure a problem."""
    bounds = (field_rules.ge, field_rules.gt, field_rules.le, field_rules.min_length)
    bounded = any(bound is not None for bound in bounds)
    check = field_rules.check

    def checked(value: Any, location: Location, problems: list[Problem]) -> Any:
        converted = convert(value, location, problems)
        if converted is _FAILED:
            return _FAILED
        message = _broken_rule(converted, field_rules) if bounded else None
        if message is None and check is not None:
            try:
                check(converted)
            except ValueError as exc:
                message = str(exc)
        if message is not None:
            problems.append(Problem(location, message, value))
            return _FAILED
        return converted

    return checked


def _broken_rule(value: Any, field_rules: _Rules) -> str | None:
    if field_rules.min_length is not None and len(value) < field_rules.min_length:
        if field_rules.min_length == 1:
            return "must not be empty"
        return f"must be at least {field_rules.min_length} characters long"
    if field_rules.gt is not None and value <= field_rules.gt:
        return f"must be greater than {field_rules.gt}"
    if field_rules.ge is not None and value < field_rules.ge:
        return f"must be at least {field_rules.ge}"
    if field_rules.le is not None and value > field_rules.le:
        return f"must be at most {field_rules.le}"
    return None
