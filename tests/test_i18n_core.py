"""One language state for core messages (``insightbank.i18n``), read by the CLI and the TUI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from insightbank import i18n
from insightbank.cli.main import cli
from insightbank.tui import i18n as tui_i18n


def test_localise_keeps_one_half_and_the_values() -> None:
    message = "Mappen finns inte / folder does not exist: /tmp/x"
    assert i18n.localise(message, "en") == "folder does not exist: /tmp/x"
    assert i18n.localise(message, "sv") == "Mappen finns inte: /tmp/x"
    assert i18n.localise(message, None) == message
    where = "karta.csv: rad/row 3, kolumn/column 'Perspektiv', värde/value 'x': okänt / unknown"
    assert i18n.localise(where, "en") == "karta.csv: row 3, column 'Perspektiv', value 'x': unknown"
    assert i18n.localise(where, "sv") == "karta.csv: rad 3, kolumn 'Perspektiv', värde 'x': okänt"
    two = "/p är en mapp / is a folder; ge ett filnamn / give a file name"
    assert i18n.localise(two, "sv") == "/p är en mapp; ge ett filnamn"
    assert i18n.localise("Okänd dimension / unknown dimension 'foo' (known: a)", "sv") == "Okänd dimension 'foo'"


def test_the_tui_and_the_core_share_the_language() -> None:
    tui_i18n.set_language("en")
    assert i18n.language() == "en"
    assert tui_i18n.core("Minst ett perspektiv krävs / at least one perspective is required") == (
        "at least one perspective is required"
    )
    tui_i18n.set_language("sv")
    assert i18n.language() == "sv" and tui_i18n.language() == "sv"


def test_the_cli_prints_core_errors_in_the_chosen_language_only(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = str(tmp_path / "nowhere" / "bank.sqlite")
    both = runner.invoke(cli, ["--db", missing, "list"])
    assert both.exit_code != 0 and "Fel / error:" in both.output and "/ folder does not exist" in both.output
    english = runner.invoke(cli, ["--lang", "en", "--db", missing, "list"])
    assert english.exit_code == both.exit_code
    assert english.output.startswith("error: folder does not exist:") and "Mappen" not in english.output
    swedish = runner.invoke(cli, ["--lang", "sv", "--db", missing, "list"])
    assert swedish.output.startswith("Fel: Mappen finns inte:") and "folder" not in swedish.output
