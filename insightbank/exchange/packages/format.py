"""The insight package format: its version, its resources and how values are written.

The Table Schemas in ``schema/package/*.json`` are the single source: the exporter inlines
them into ``datapackage.json`` (so the reference validator sees them), and the importer
checks incoming data against *its own* copy for the package's major version, never
against whatever schema a package brings along.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from importlib import resources

from insightbank.schema.json import JsonObject

FORMAT_VERSION = "1.0"
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DESCRIPTOR = "datapackage.json"

#: Resources in dependency order: a resource only refers to resources before it.
RESOURCES = (
    "vocabulary",
    "studies",
    "study_methods",
    "study_perspectives",
    "insights",
    "insight_perspectives",
    "insight_subpopulations",
    "insight_shifts",
    "insight_themes",
    "insight_cross_cutting",
    "evidence",
)
#: Resources a package may carry or leave out (older packages have none of them).
OPTIONAL_RESOURCES = ("tombstones",)
#: vocabulary dimension → resource of the insight's link rows.
TAG_RESOURCES = {
    "subpopulation": "insight_subpopulations",
    "shift": "insight_shifts",
    "theme": "insight_themes",
    "cross_cutting": "insight_cross_cutting",
}
#: What may ever leave a bank. ``confidential`` is not in the format at all.
EXPORTABLE = ("public", "internal")


@cache
def table_schema(name: str) -> JsonObject:
    """The Table Schema of one resource (a fresh copy is not needed: callers only read)."""
    text = (resources.files("insightbank.schema") / "package" / f"{name}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def field_names(name: str) -> list[str]:
    return [f["name"] for f in table_schema(name)["fields"]]


def parse_version(text: object) -> tuple[int, int] | None:
    """``"1.0"`` → ``(1, 0)``; anything else → None."""
    if not isinstance(text, str):
        return None
    parts = text.split(".")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 4 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def utc_text(value: dt.datetime) -> str:
    """A timestamp as the Table Schema default datetime format (UTC, ``Z``)."""
    if value.tzinfo is None:  # SQLite hands back naive values; the bank writes UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cell(value: object) -> str:
    """One CSV cell. Empty means null (the Table Schema default ``missingValues``)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def content_hash(payload: object) -> str:
    """A stable hash of what a person can change in a record (no versions, no timestamps)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=cell, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
