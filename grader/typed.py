"""Typed documents: one dataclass describes a shape, and gives its loader, its dump and its
JSON schema.

Used for every document grader reads or writes whose shape matters: the per-track
`track_config` of challenge.yaml (each track declares a config dataclass) and the report
(grader/report/model.py). A shape is a dataclass whose fields carry type hints and, where
needed, `spec(...)` metadata (a description, a value check, JSON-schema extras).

- `load(cls, data)` builds an instance from YAML/JSON data, refusing a wrong type, a missing
  key or (by default) an unknown key with a `ShapeError` that names the dotted key and what
  was expected. A field's dataclass default is its one default.
- `dump(obj)` turns an instance back into plain JSON data, in field order.
- `json_schema(cls)` is the JSON schema the loader enforces (the report's schema file is
  generated from it; a test keeps the committed copy in step).

Supported annotations: str, int, float (ints accepted), bool, Any, `X | None`, Literal[...],
list[X], tuple[X, ...], dict[str, X], pathlib.Path (relative to `Context.root`: must stay
inside it and, with `spec(path="file"|"dir")`, exist) and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")
Extra = Literal["forbid", "ignore"]
_NONE = type(None)


class ShapeError(ValueError):
    """A value that does not fit its shape: `key` (dotted, "" for the top) and `expected`."""

    def __init__(self, key: str, expected: str, got: Any = ...) -> None:
        self.key = key
        self.expected = expected
        self.got = got
        super().__init__(self.describe())

    def describe(self) -> str:
        got = "" if self.got is ... else f", got {_short(self.got)}"
        where = f"key '{self.key}'" if self.key else "the document"
        return f"{where}: expected {self.expected}{got}"

    def within(self, prefix: str) -> ShapeError:
        """The same error with `prefix` put before its key."""
        return ShapeError(_join(prefix, self.key), self.expected, self.got)


@dataclass(frozen=True)
class Context:
    """What loading may need beyond the data: the folder relative paths are resolved in."""

    root: Path | None = None
    extra: Extra = "forbid"
    #: Other folders a path may lie in (looked up before `root` for relative paths).
    also: tuple[Path, ...] = ()


def spec(default: Any = MISSING, *, default_factory: Callable[[], Any] | Any = MISSING,
         doc: str = "", check: Callable[[Any], bool] | None = None, expected: str = "",
         schema: dict[str, Any] | None = None, path: Literal["file", "dir", ""] = "",
         empty_is_none: bool = False) -> Any:
    """A dataclass field with shape metadata.

    doc: what the key means (becomes the schema's description). check/expected: a predicate
    on the loaded value and how to say what it wants ("a positive number"). schema: JSON-schema
    keywords added to the generated schema (pattern, minimum, ...). path: a Path field that
    must name an existing file or folder. empty_is_none: `{}` loads as None (older documents
    wrote an empty object where newer ones write null).
    """
    metadata = {"doc": doc, "check": check, "expected": expected, "schema": schema or {},
                "path": path, "empty_is_none": empty_is_none}
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


# -- descriptions ---------------------------------------------------------------------------
def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _join(prefix: str, key: str) -> str:
    if not prefix:
        return key
    if not key:
        return prefix
    return f"{prefix}{key}" if key.startswith("[") else f"{prefix}.{key}"


def describe(tp: Any) -> str:
    """What a value of type `tp` looks like, in words ("a list of strings")."""
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any:
        return "any value"
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if _is_union(tp):
        parts = [describe(a) for a in args if a is not _NONE]
        text = " or ".join(parts)
        return text + (" (or null)" if _NONE in args else "")
    if origin in (list, tuple):
        return f"a list of {_plural(describe(args[0]) if args else 'values')}"
    if origin is dict:
        return f"a mapping of names to {_plural(describe(args[1]))}"
    if dataclasses.is_dataclass(tp):
        names = [f.name for f in dataclasses.fields(tp)]
        return "a mapping with keys " + ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false",
            Path: "a path inside the challenge folder"}.get(tp, getattr(tp, "__name__", str(tp)))


def _plural(text: str) -> str:
    for article in ("an ", "a "):
        if text.startswith(article):
            noun = text[len(article):]
            if noun in ("true or false", "any value"):
                return noun
            if noun.startswith("mapping with"):
                return "mappings with" + noun[len("mapping with"):]
            head, _, rest = noun.partition(" ")
            return f"{head}s{' ' + rest if rest else ''}"
    return text


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, types.UnionType)


@typing.no_type_check
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


# -- loading --------------------------------------------------------------------------------
def load(cls: type[T], data: Any, *, context: Context | None = None, key: str = "") -> T:
    """An instance of dataclass `cls` from `data`; ShapeError naming the first problem."""
    return typing.cast(T, _load(cls, data, key, context or Context(), {}))


def _load(tp: Any, value: Any, key: str, ctx: Context, meta: dict[str, Any]) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    expected = meta.get("expected") or describe(tp)
    if tp is Any:
        return value
    if _is_union(tp):
        if value is None and _NONE in args:
            return None
        if meta.get("empty_is_none") and value == {}:
            return None
        options = [a for a in args if a is not _NONE]
        last: ShapeError | None = None
        for option in options:
            try:
                return _load(option, value, key, ctx, meta)
            except ShapeError as exc:
                last = exc
        if len(options) == 1 and last is not None:
            raise last
        raise ShapeError(key, expected, value)
    if origin is Literal:
        if value not in args or isinstance(value, bool) != any(isinstance(a, bool)
                                                                for a in args):
            raise ShapeError(key, expected, value)
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ShapeError(key, expected, value)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ShapeError(key, expected, value)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ShapeError(key, expected, value)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ShapeError(key, expected, value)
        return value
    if tp is Path:
        return _load_path(value, key, ctx, meta, expected)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ShapeError(key, expected, value)
        item = args[0] if args else Any
        items = [_load(item, v, f"{key}[{i}]", ctx, {}) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ShapeError(key, expected, value)
        return {k: _load(args[1], v, _join(key, k), ctx, {}) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _load_dataclass(tp, value, key, ctx)
    raise TypeError(f"typed: unsupported annotation {tp!r} at {key or 'the top'}")


def _load_path(value: Any, key: str, ctx: Context, meta: dict[str, Any],
               expected: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ShapeError(key, expected, value)
    if ctx.root is None:
        return Path(value)
    roots = [r.resolve() for r in (*ctx.also, ctx.root)]
    candidates = [(r, (r / value).resolve()) for r in roots]
    inside = [(r, p) for r, p in candidates if p.is_relative_to(r)]
    if not inside:
        raise ShapeError(key, "a path inside the challenge folder", value)
    path = next((p for _, p in inside if p.exists()), inside[-1][1])
    kind = meta.get("path")
    if kind == "file" and not path.is_file():
        raise ShapeError(key, meta.get("expected") or "an existing file in the challenge", value)
    if kind == "dir" and not path.is_dir():
        raise ShapeError(key, meta.get("expected") or "an existing folder in the challenge",
                         value)
    return path


def _load_dataclass(cls: type, value: Any, key: str, ctx: Context) -> Any:
    if not isinstance(value, dict):
        raise ShapeError(key, describe(cls), value)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(str(k) for k in value if k not in fields)
    if unknown and ctx.extra == "forbid":
        raise ShapeError(_join(key, unknown[0]), "one of " + ", ".join(sorted(fields)))
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        sub = _join(key, name)
        meta = dict(f.metadata)
        if name not in value:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ShapeError(sub, (meta.get("expected") or describe(hints[name]))
                                 + " (the key is missing)")
            if hints[name] is Path and isinstance(f.default, Path):  # resolved like a value
                kwargs[name] = _load_path(str(f.default), sub, ctx, meta, describe(Path))
            continue
        loaded = _load(hints[name], value[name], sub, ctx, meta)
        check = meta.get("check")
        if check is not None and loaded is not None and not check(loaded):
            raise ShapeError(sub, meta.get("expected") or describe(hints[name]), value[name])
        kwargs[name] = loaded
    try:
        instance = cls(**kwargs)
    except ShapeError as exc:
        raise exc.within(key) from None
    except (TypeError, ValueError) as exc:
        raise ShapeError(key, f"a valid {describe(cls)} ({exc})") from None
    hook = getattr(instance, "__post_load__", None)
    if hook is not None:
        try:
            hook(ctx)
        except ShapeError as exc:
            raise exc.within(key) from None
    return instance


# -- dumping --------------------------------------------------------------------------------
def dump(obj: Any) -> Any:
    """Plain JSON data (dicts, lists, str, numbers, bools, None) from a typed instance."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            out[f.name] = {} if value is None and f.metadata.get("empty_is_none") else \
                dump(value)
        return out
    if isinstance(obj, dict):
        return {str(k): dump(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [dump(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


# -- JSON schema ----------------------------------------------------------------------------
_SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean", Path: "string"}


def json_schema(cls: type, *, extra: Extra = "forbid") -> dict[str, Any]:
    """The JSON schema (draft 2020-12) of what `load(cls, ...)` accepts."""
    return _schema(cls, extra, {})


def _schema(tp: Any, extra: Extra, meta: dict[str, Any]) -> dict[str, Any]:
    origin, args = get_origin(tp), get_args(tp)
    out: dict[str, Any]
    if tp is Any:
        out = {}
    elif _is_union(tp):
        options = [_schema(a, extra, {}) for a in args if a is not _NONE]
        if meta.get("empty_is_none"):
            options.append({"type": "object", "maxProperties": 0})
        simple = [o for o in options if set(o) == {"type"} and isinstance(o["type"], str)]
        if len(simple) == len(options):
            types_ = [o["type"] for o in options] + (["null"] if _NONE in args else [])
            out = {"type": types_[0] if len(types_) == 1 else types_}
        else:
            out = {"anyOf": options + ([{"type": "null"}] if _NONE in args else [])}
    elif origin is Literal:
        out = {"enum": list(args)}
    elif tp in _SIMPLE:
        out = {"type": _SIMPLE[tp]}
    elif origin in (list, tuple):
        out = {"type": "array", "items": _schema(args[0] if args else Any, extra, {})}
    elif origin is dict:
        out = {"type": "object", "additionalProperties": _schema(args[1], extra, {})}
    elif dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        fields = [f for f in dataclasses.fields(tp) if f.init]
        out = {"type": "object"}
        if tp.__doc__ and not tp.__doc__.startswith(tp.__name__ + "("):
            out["description"] = " ".join(tp.__doc__.split())
        out["required"] = [f.name for f in fields if f.default is MISSING
                           and f.default_factory is MISSING]
        out["properties"] = {f.name: _schema(hints[f.name], extra, dict(f.metadata))
                             for f in fields}
        if extra == "forbid":
            out["additionalProperties"] = False
    else:
        raise TypeError(f"typed: unsupported annotation {tp!r}")
    if meta.get("doc"):
        out = {"description": meta["doc"], **out}
    out.update(meta.get("schema") or {})
    return out


# -- common checks --------------------------------------------------------------------------
def positive(value: Any) -> bool:
    return bool(value > 0)


def non_negative(value: Any) -> bool:
    return bool(value >= 0)


def non_empty(value: Any) -> bool:
    return len(value) > 0


def is_regex(value: str) -> bool:
    try:
        re.compile(value)
    except re.error:
        return False
    return True
