"""The board report: one self-contained HTML file, rendered by a real headless browser.

Chromium comes from Debian's packages (``scripts/browser-for-tests``, run by ``make test``).
Without it the browser test is skipped, except in CI or with INSIGHTBANK_REQUIRE_BROWSER=1,
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from insightbank import vocabulary
from insightbank.analysis.coverage.venn import venn_counts
from insightbank.cli.main import cli
from insightbank.fixtures.tui_bank import add_stories
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData


def _browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") or os.environ.get("INSIGHTBANK_REQUIRE_BROWSER") == "1":
        pytest.fail("Chromium saknas / is missing: run scripts/browser-for-tests")
    pytest.skip("Chromium saknas / is missing (scripts/browser-for-tests installs it)")


def test_the_report_holds_the_venn_heatmap_spots_corroboration_and_patterns(demo_bank, runner, tmp_path) -> None:
    add_stories(demo_bank, 300)
    path = tmp_path / "nämnden.html"
    out = runner.invoke(cli, ["--db", demo_bank.url, "report", str(path), "--include", "internal"])
    assert out.exit_code == 0, out.output
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sv">' in html
    assert html.count("<svg") == 2 and 'class="venn"' in html and 'class="heatmap"' in html
    for banned in ("http://", "https://", "<script", "src=", "url(", "@import", "<link"):
        assert banned not in html  # opens offline: nothing to fetch
    with demo_bank.reading() as conn:
        venn = venn_counts(conn, InsightFilter(sensitivities=["public", "internal"]))
    drawn = dict(re.findall(r'data-region="([^"]+)"[^>]*>(\d+)<title>', html))
    assert drawn == {r.code: str(r.count) for r in venn.regions} and len(drawn) == 7
    assert "endast Klienter/brukare" in html and "Vita fläckar, i ordning" in html
    assert html.count('class="white-spot"') >= 1 and "väntat" in html
    assert "Bekräftade insikter" in html and re.search(r'<table class="corroborated">.*<td class="num">2</td>', html)
    patterns = re.search(r'<table class="patterns">(.*?)</table>', html, re.S)
    assert patterns and "rho" in patterns.group(1) and "stiger när" in patterns.group(1)
    assert not list(tmp_path.glob(".*.tmp"))  # written to a temp name, then renamed


def test_english_and_sensitivity_as_in_every_export(demo_bank, runner, tmp_path) -> None:
    with demo_bank.reading() as conn:
        public = queries.count(conn, InsightFilter(sensitivities=["public"]))
        internal = queries.count(conn, InsightFilter(sensitivities=["public", "internal"]))
        secret = [r.statement for r in queries.select(conn, InsightFilter(sensitivities=["confidential"]), limit=None)]
    path = tmp_path / "board.html"
    out = runner.invoke(cli, ["--db", demo_bank.url, "--lang", "en", "report", str(path)])
    assert out.exit_code == 0, out.output
    html = path.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "White spots, ranked" in html and "only Clients" in html
    assert f"Sensitivity included: public · {public} insights" in html
    assert all(s not in html for s in secret)
    out = runner.invoke(cli, ["--db", demo_bank.url, "report", str(path), "--include", "internal"])
    assert f"{internal} insikter" in path.read_text(encoding="utf-8")
    refused = runner.invoke(
        cli, ["--db", demo_bank.url, "report", str(tmp_path / "x.html"), "--sensitivity", "confidential"]
    )
    assert refused.exit_code == 2 and "confidential" in refused.output and not (tmp_path / "x.html").exists()


def _seen_twice(bank, statement: str) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        rows = [
            InsightData(statement=statement, perspectives=["clients"], municipality=m, sensitivity="public")
            for m in ("Grums", "Karlstad")
        ]
        insights.insert_many(conn, [insights.validate(vocab, r) for r in rows], "tester")


def test_personal_data_stops_the_report_or_is_redacted(demo_bank, runner, tmp_path) -> None:
    _seen_twice(demo_bank, "Anna Lindqvist säger att bussen till vårdcentralen inte går på kvällarna alls.")
    names = tmp_path / "namn.txt"
    names.write_text("Lindqvist\n", encoding="utf-8")
    path = tmp_path / "r.html"
    stopped = runner.invoke(cli, ["--db", demo_bank.url, "report", str(path), "--names", str(names)])
    assert stopped.exit_code == 2 and "namn" in stopped.output and "Li*******" in stopped.output
    assert not path.exists() and not list(tmp_path.glob(".*.tmp"))
    done = runner.invoke(cli, ["--db", demo_bank.url, "report", str(path), "--names", str(names), "--redact"])
    assert done.exit_code == 0, done.output
    html = path.read_text(encoding="utf-8")
    assert "Lindqvist" not in html and "Anna [NAMN] säger" in html and "personuppgifter maskerade" in html


def test_a_headless_browser_renders_the_report_with_both_svgs(demo_bank, runner, tmp_path) -> None:
    browser = _browser()
    path = tmp_path / "rapport.html"
    assert runner.invoke(cli, ["--db", demo_bank.url, "report", str(path), "--include", "internal"]).exit_code == 0
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*base, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert dom.count("<svg") == 2 and "<circle" in dom and 'class="white-spot"' in dom
    shot = tmp_path / "r.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1280,2000", path.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page with figures, not a blank one


def test_the_report_ranks_risk_groups_by_adults_second_on_the_48_insight_bank(bank, runner, tmp_path) -> None:
    from insightbank.fixtures.coverage import BANK_48, insight_items

    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        rows = [InsightData(**i, sensitivity="public") for i in insight_items(BANK_48)]
        insights.insert_many(conn, [insights.validate(vocab, r) for r in rows], "tester")
    path = tmp_path / "r.html"
    assert runner.invoke(cli, ["--db", bank.url, "report", str(path)]).exit_code == 0
    spots = re.findall(r"<li>(.*?)</li>", re.search(r'<ol class="white-spots">(.*?)</ol>', path.read_text()).group(1))
    assert spots[1].startswith("Riskgrupper × Vuxna: 1 insikt (väntat 5,4; residual −2,9; p 0,003)")
