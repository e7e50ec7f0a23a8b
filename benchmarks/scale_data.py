"""Big banks for the load and scale benchmarks: 1M insights (and 50k stories) built in bulk.

Rows are generated deterministically and written in chunks (bounded memory): SQLite through
core ``executemany`` with the search triggers live (so the FTS index is real), PostgreSQL
through ``COPY`` with the GIN search indexes rebuilt once at the end. A private PostgreSQL
server (own port and data folder) keeps long runs away from the test suite's server.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import random
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from insightbank.admin.integrity import PG_SEARCH_INDEXES
from insightbank.bank import open_bank
from insightbank.fixtures import demo_content
from insightbank.insights import search
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT, INSIGHT_LINKS, STUDY
from insightbank.vocabulary import standard_vocabulary

CHUNK = 50_000
TOWNS = ["Grums", "Karlstad", "Botkyrka", "Örebro", "Umeå", "Malmö", "Gävle", "Skellefteå", "Arvika", "Kiruna"]
#: the demo statements' words with their natural frequencies, so a search word is as rare as in real text
WORDS = [w.lower() for item in demo_content.INSIGHTS for w in re.findall(r"\w+", str(item["statement"]))]
SENSITIVITY = ["public"] * 3 + ["internal"] * 6 + ["confidential"]


def chunks(
    n: int, seed: int = 7, n_studies: int = 2000
) -> Iterator[tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]], list[dict[str, Any]]]]:
    """(insight rows, link rows per dimension, study rows) per chunk; studies come with the first."""
    rng = random.Random(seed)
    vocab = standard_vocabulary()
    codes = {d: vocab.codes(d) for d in ("subpopulation", "shift", "theme", "cross_cutting")}
    now = dt.datetime.now(dt.UTC)
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    studies = [
        {
            "id": uuid.UUID(int=rng.getrandbits(128)),
            "title": f"Studie {i}",
            "municipality": TOWNS[i % len(TOWNS)],
            "sensitivity": "internal",
            "perspectives_reached": 0,
            **stamps,
        }
        for i in range(n_studies)
    ]
    masks = [1] * 40 + [4] * 40 + [2] * 5 + [5] * 8 + [3] * 3 + [6] * 2 + [7] * 2
    for start in range(0, n, CHUNK):
        rows: list[dict[str, Any]] = []
        links: dict[str, list[dict[str, Any]]] = {d: [] for d in INSIGHT_LINKS}
        for i in range(start, min(n, start + CHUNK)):
            iid, study = uuid.UUID(int=rng.getrandbits(128)), studies[rng.randrange(n_studies)]
            text = " ".join(rng.choices(WORDS, k=12))
            rows.append(
                {
                    "id": iid,
                    "statement": f"Insikt {i}: {text}",
                    "description": None,
                    "perspective_mask": rng.choice(masks),
                    "study_id": study["id"],
                    "municipality": study["municipality"],
                    "organisation_type": "municipality",
                    "date": dt.date(2018 + i % 8, 1 + i % 12, 1 + i % 28),
                    "sensitivity": rng.choice(SENSITIVITY),
                    "status": "draft",
                    "match_key": iid.hex,
                    "origin_bank": None,
                    "origin_package_id": None,
                    **stamps,
                    "created_at": now - dt.timedelta(minutes=5 * (n - i)),
                }
            )  # as if logged over years
            for dim, k in (
                ("subpopulation", rng.choice((0, 1, 1, 2))),
                ("shift", rng.choice((1, 2))),
                ("theme", rng.choice((0, 1))),
                ("cross_cutting", rng.choice((0, 0, 1))),
            ):
                links[dim] += [{"insight_id": iid, "code": c} for c in rng.sample(codes[dim], k)]
        yield rows, links, studies if start == 0 else []


def build_sqlite(bank: Bank, n: int) -> None:
    for rows, links, studies in chunks(n):
        with bank.transaction() as conn:
            if studies:
                conn.execute(sa.insert(STUDY), studies)
            conn.execute(sa.insert(INSIGHT), rows)
            for dim, link_rows in links.items():
                if link_rows:
                    conn.execute(sa.insert(INSIGHT_LINKS[dim]), link_rows)
            texts = [(r["statement"], r["description"] or "", "") for r in rows]
            search.index_new(conn, [r["id"].hex for r in rows], texts)  # as insights.insert_many does


def _copy(cursor: Any, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    columns = [c.name for c in table.columns]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row.get(c) for c in columns))


def build_pg(bank: Bank, n: int) -> None:
    raw = bank.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name in PG_SEARCH_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        for rows, links, studies in chunks(n):
            if studies:
                _copy(cursor, STUDY, studies)
            _copy(cursor, INSIGHT, rows)
            for dim, link_rows in links.items():
                _copy(cursor, INSIGHT_LINKS[dim], link_rows)
            raw.commit()
        for ddl in PG_SEARCH_INDEXES.values():
            cursor.execute(ddl)
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def count(bank: Bank, table: str = "insight") -> int:
    with bank.reading() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parts[-2]))
    if not found:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    return Path(found[-1])


def ensure_server(port: int = 54339, folder: Path = Path("/tmp/insightbank-bench-pg")) -> str:
    """A private PostgreSQL on loopback for benchmarks (started once, reused by later runs)."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    probe = sa.create_engine(url)
    try:
        with probe.connect():
            return url
    except sa.exc.OperationalError:
        pass
    finally:
        probe.dispose()
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = folder / "data"
    if not data.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        if owner:
            subprocess.run(["chown", "postgres", str(folder)], check=True)
        subprocess.run(
            [
                *owner,
                str(pg_bin() / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=100 "
        "-c shared_buffers=2GB -c max_wal_size=8GB -c maintenance_work_mem=1GB"
    )
    subprocess.run(
        [
            *owner,
            str(pg_bin() / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return url


def pg_bank(server_url: str, name: str) -> Bank:
    """The bank in database ``name`` on the server (created if missing)."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return open_bank(sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False))


def ensure_insights(bank: Bank, n: int) -> float:
    """Fill ``bank`` to ``n`` insights unless it has them; returns the seconds spent building."""
    have = count(bank)
    if have == n:
        return 0.0
    if have:
        raise SystemExit(f"{bank.display_url()} has {have} insights, not {n}: drop it or pick another name")
    started = time.perf_counter()
    (build_pg if bank.dialect == "postgresql" else build_sqlite)(bank, n)
    return time.perf_counter() - started
