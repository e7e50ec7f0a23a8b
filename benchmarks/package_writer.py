"""Write a large, valid, signed insight package directly (no bank, no export): for package_bench.py.

A million-insight package through ``export`` would take longer than the import it is meant to
test, so this writes the format of docs/package-format.md straight to a folder, streaming each
resource to disk and hashing it as it goes, and signs it with the sending bank's key. The rows
look like package_bench.fill's: one study per 100 insights, one or two perspectives, two
subpopulations, a shift, a theme and one quote per insight.
"""

from __future__ import annotations

import csv
import hashlib
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from insightbank import vocabulary
from insightbank.exchange.packages import keys
from insightbank.exchange.packages.export import ExportOptions, descriptor, descriptor_bytes, sender
from insightbank.exchange.packages.format import RESOURCES, TAG_RESOURCES, field_names
from insightbank.exchange.packages.signing import SIGNATURE, sign_hashes
from insightbank.exchange.packages.tombstones import RESOURCE as TOMBSTONES
from insightbank.storage.engine import Bank

SUBPOPULATIONS = ["children", "youth", "young_adults", "adults", "older_adults", "parents"]
SHIFTS = ["acute_to_preventive", "late_to_early", "silos_to_collaboration", "distrust_to_trust"]
THEMES = ["budget", "collaboration", "accessibility_trust", "resident_influence"]
PERSPECTIVES = [["clients"], ["risk_groups"], ["general_public"], ["clients", "risk_groups"]]
STAMP = "2026-03-31T12:00:00Z"


class _Sized:
    """A written resource: its size and hex sha256."""

    def __init__(self, size: int, digest: str) -> None:
        self.size, self.digest = size, digest


class _Writer:
    """One resource file: rows written through csv, bytes counted and hashed on the way."""

    def __init__(self, path: Path, name: str) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.columns = field_names(name)
        self.out = csv.writer(self.handle, lineterminator="\n")
        self.out.writerow(self.columns)

    def row(self, values: dict[str, Any]) -> None:
        self.out.writerow(["" if values.get(c) is None else str(values[c]) for c in self.columns])

    def close(self) -> _Sized:
        self.handle.close()
        data = Path(self.handle.name)
        digest = hashlib.sha256()
        with data.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return _Sized(data.stat().st_size, digest.hexdigest())


def _insights(n: int, studies: list[str]) -> Iterator[tuple[str, dict[str, Any], list[str], dict[str, list[str]]]]:
    rng = random.Random(4)
    for i in range(n):
        iid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        row = {
            "id": iid,
            "statement": f"Insikt nummer {i}: föräldrar söker stöd tidigare när vägen dit är enkel",
            "study_id": studies[i % len(studies)],
            "municipality": f"Kommun {i % 40}",
            "sensitivity": "public",
            "status": "validated",
            "version": 1,
            "created_at": STAMP,
            "updated_at": STAMP,
        }
        tags = {
            "subpopulation": rng.sample(SUBPOPULATIONS, 2),
            "shift": [rng.choice(SHIFTS)],
            "theme": [rng.choice(THEMES)],
            "cross_cutting": [],
        }
        yield iid, row, rng.choice(PERSPECTIVES), tags


def write(bank: Bank, folder: Path, n: int) -> Path:
    """A signed package folder of ``n`` insights from ``bank`` (its key signs; its vocabulary labels)."""
    folder.mkdir(parents=True)
    files = {name: _Writer(folder / f"{name}.csv", name) for name in (*RESOURCES, TOMBSTONES)}
    with bank.reading() as conn:
        who, vocab = sender(conn), vocabulary.load(conn)
    studies = [str(uuid.uuid4()) for _ in range(max(1, n // 100))]
    for sid in studies:
        files["studies"].row({"id": sid, "title": f"Studie {sid[:8]}", "sensitivity": "public", "version": 1})
        files["study_methods"].row({"study_id": sid, "dimension": "method", "code": "interview"})
    for iid, row, perspectives, tags in _insights(n, studies):
        files["insights"].row(row)
        for p in perspectives:
            files["insight_perspectives"].row({"insight_id": iid, "perspective": p})
        for dim, codes in tags.items():
            for code in codes:
                files[TAG_RESOURCES[dim]].row({"insight_id": iid, "dimension": dim, "code": code})
        files["evidence"].row(
            {
                "id": str(uuid.uuid4()),
                "insight_id": iid,
                "study_id": row["study_id"],
                "text": f"Jag visste inte vart jag skulle vända mig ({row['statement'][14:20]})",
                "speaker_role": "förälder",
                "position": 0,
                "version": 1,
            }
        )
    used = [("perspective", p) for p in vocabulary.PERSPECTIVE_BITS] + [("method", "interview")]
    used += [
        (dim, code)
        for dim, codes in zip(TAG_RESOURCES, (SUBPOPULATIONS, SHIFTS, THEMES, []), strict=True)
        for code in codes
    ]
    for dim, code in sorted(used):
        term = vocab.terms[dim][code]
        files["vocabulary"].row(
            {"dimension": dim, "code": code, "label_sv": term.label_sv, "label_en": term.label_en, "is_local": "false"}
        )
    sized = {name: w.close() for name, w in files.items()}
    package_id = uuid.uuid4()
    meta = descriptor(
        package_id, {name: (s.size, s.digest) for name, s in sized.items()}, who, "bench", ExportOptions(), 0
    )
    raw = descriptor_bytes(meta)
    (folder / "datapackage.json").write_bytes(raw)
    hashes = {f"{name}.csv": s.digest for name, s in sized.items()} | {"datapackage.json": _hex(raw)}
    key, _ = keys.ensure(str(who["bank_id"]))
    (folder / SIGNATURE).write_bytes(sign_hashes(hashes, str(package_id), key))
    return folder


def _hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
