"""From a package's cell text to typed values, checked against our Table Schema.

One converter per schema field (:func:`converter`): it raises ``ValueError`` with the reason a
person reads (required, control characters, length, categories, type, minimum). The scratch
store keeps checked cells as text and reads them back with :func:`typed`, which no longer checks.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from insightbank.schema.json import JsonObject

_INT_RE = re.compile(r"^-?\d{1,18}$")
#: NUL and the other C0 controls but tab, LF, CR: SQLite would store them, and no receiver could read them back.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
Converter = Callable[[str], Any]


def timestamp(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError("inte true/false / not a boolean")
    return text.lower() == "true"


def typed(kind: str, fmt: str | None) -> Converter:
    if kind == "string" and fmt == "uuid":
        return uuid.UUID
    if kind == "date":
        return dt.date.fromisoformat
    if kind == "datetime":
        return timestamp
    if kind == "integer":

        def integer(text: str) -> int:
            if not _INT_RE.match(text):
                raise ValueError("inte ett heltal / not an integer")
            return int(text)

        return integer
    if kind == "boolean":
        return _boolean
    return str


def converter(spec: JsonObject) -> Converter:
    """A function from cell text to a typed value that raises ValueError with a reason."""
    parse = typed(spec["type"], spec.get("format"))
    rules = spec.get("constraints", {})
    required, enum = rules.get("required", False), rules.get("enum")
    max_length, minimum = rules.get("maxLength"), rules.get("minimum")

    def convert(text: str) -> Any:
        if text == "":
            if required:
                raise ValueError("värde krävs / value required")
            return None
        if CONTROL_RE.search(text):
            raise ValueError("styrtecken (t.ex. NUL) / control character (such as NUL)")
        if max_length is not None and len(text) > max_length:
            raise ValueError(f"längre än / longer than {max_length} tecken/characters")
        if enum is not None and text not in enum:
            raise ValueError(f"välj / choose one of {', '.join(enum)}")
        try:
            value = parse(text)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(
                f"inte av typen / not of type {spec['type']}{'/' + spec['format'] if spec.get('format') else ''}"
            ) from None
        if minimum is not None and value < minimum:
            raise ValueError(f"mindre än / less than {minimum}")
        return value

    return convert
