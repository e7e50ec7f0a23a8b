"""Export for people who work in spreadsheets: one insight per row, CSV or Excel.

The columns are the headers ``insightbank import`` reads (PRODUCT.md), so a sheet can go
back in. The rows are the same ones a package gets: filtered, scanned for personal data
and maybe redacted by :mod:`insightbank.exchange.packages.export`.

Any cell that begins with ``=``, ``+``, ``-`` or ``@`` (also after leading spaces or a
tab/CR) is neutralised with a leading ``'`` (:mod:`insightbank.schema.cells`), and import takes it off again.
"""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from pathlib import Path

from insightbank.exchange.packages.format import TAG_RESOURCES, cell
from insightbank.exchange.spreadsheets.merging import format_roles
from insightbank.insights.records import Quote
from insightbank.schema.cells import FORMULA_START, neutralise
from insightbank.schema.json import JsonObject
from insightbank.storage.files import atomic_path

__all__ = ["COLUMNS", "FORMULA_START", "neutralise", "rows", "write"]

COLUMNS = (
    "id",
    "statement",
    "description",
    "quotes",
    "speaker_role",
    "perspectives",
    "subpopulations",
    "shifts",
    "themes",
    "cross_cutting",
    "municipality",
    "organisation_type",
    "source",
    "method",
    "date",
    "sensitivity",
    "status",
)


def rows(tables: dict[str, list[JsonObject]]) -> list[list[str]]:
    """One flat, neutralised row per insight, in the spreadsheet-import layout."""
    tags: dict[str, dict[uuid.UUID, list[str]]] = {}
    for dim, resource in TAG_RESOURCES.items():
        tags[dim] = defaultdict(list)
        for link in tables[resource]:
            tags[dim][link["insight_id"]].append(link["code"])
    perspectives: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in tables["insight_perspectives"]:
        perspectives[link["insight_id"]].append(link["perspective"])
    quotes: dict[uuid.UUID, list[Quote]] = defaultdict(list)
    for quote in sorted(tables["evidence"], key=lambda q: q["position"]):
        quotes[quote["insight_id"]].append(Quote(" ".join(quote["text"].split()), quote.get("speaker_role")))
    methods: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in tables["study_methods"]:
        methods[link["study_id"]].append(link["code"])
    titles = {s["id"]: s["title"] for s in tables["studies"]}
    out = []
    for insight in tables["insights"]:
        iid, sid = insight["id"], insight["study_id"]
        values = {
            **{
                k: cell(insight.get(k))
                for k in (
                    "id",
                    "statement",
                    "description",
                    "municipality",
                    "organisation_type",
                    "date",
                    "sensitivity",
                    "status",
                )
            },
            "quotes": "\n".join(q.text for q in quotes[iid]),
            "speaker_role": format_roles(quotes[iid]),
            "perspectives": ";".join(perspectives[iid]),
            "subpopulations": ";".join(tags["subpopulation"][iid]),
            "shifts": ";".join(tags["shift"][iid]),
            "themes": ";".join(tags["theme"][iid]),
            "cross_cutting": ";".join(tags["cross_cutting"][iid]),
            "source": titles.get(sid, "") if sid else "",
            "method": ";".join(methods[sid]) if sid else "",
        }
        out.append([neutralise(values[c]) for c in COLUMNS])
    return out


def write(path: Path, tables: dict[str, list[JsonObject]]) -> None:
    """Write ``.csv`` (UTF-8 with BOM, so Excel reads å ä ö) or ``.xlsx``, atomically, owner-only."""
    data = rows(tables)
    with atomic_path(path) as temp:
        if path.suffix.lower() == ".xlsx":
            _write_xlsx(temp, data)
        else:
            with open(temp, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(COLUMNS)
                writer.writerows(data)


def _write_xlsx(path: Path, data: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("insikter")
    sheet.append(list(COLUMNS))
    for row in data:
        sheet.append(row)
    book.save(path)
