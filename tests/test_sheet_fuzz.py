"""Fuzzed spreadsheets: whatever a person's file holds, the import either works or is the tool's
own refusal (exit 2, nothing written), never an unexpected error (exit 70) or a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from fingerprint import fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insightbank.cli.main import cli

HEADERS = ["Insikt", "Perspektiv", "Målgrupper", "Källa", "Datum", "id", "Citat", "speaker_role", "känslighet", "x"]
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["clients", "Riskgrupper", "Barn;Unga", "2026-02-30", "=1+1", "'=2", "\x00", "ok", ""]),
    st.uuids().map(str),
)


@st.composite
def sheets(draw) -> bytes:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=7))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=5))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(header)] + [delimiter.join(f'"{c}"' if draw(st.booleans()) else c for c in r) for r in rows]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace") + draw(st.binary(max_size=8))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=sheets(), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_fuzzed_sheets_are_imported_or_refused_never_an_unexpected_error(bank, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"ark{suffix}"
        path.write_bytes(data)
        before = fingerprint(bank)
        result = CliRunner().invoke(cli, ["--db", bank.url, "import", str(path)])
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if result.exit_code != 0:
            assert fingerprint(bank) == before


def test_an_xlsx_that_is_not_a_workbook_is_a_refusal(bank, tmp_path: Path) -> None:
    for name, data in [("tom.xlsx", b""), ("zip.xlsx", b"PK\x03\x04" + b"\x00" * 40), ("text.xlsx", b"hej")]:
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["--db", bank.url, "import", str(path)])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (name, result.output)
