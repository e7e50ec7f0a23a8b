"""Every example in the README and in every command's ``--help`` runs on the demo bank, as written.

Each source (the README, or one command's help) runs its examples in order, in a fresh copy of
one sandbox: a folder holding the demo bank as ``insightbank demo`` builds it (with its story
collection ``grums``), on SQLite and, when a server is given, on PostgreSQL, and the files the
examples name. The sandbox is built once per backend, as a user would make those files:

- the real SenseMaker and NarraFirma exports from ``../shared/datasets``, a spreadsheet in
  another layout and its mapping file, a name list;
- ``grums-2026q1.zip`` (``export -m Grums``), ``insiktskarta.xlsx|.csv`` and ``berattelser.csv``
  (``stories export -c grums``) from the demo bank, and a backup of it (``backup/``, or
  ``region.dump`` on PostgreSQL);
- Grums' own bank (``grums.sqlite``), which imported ``grums-2026q1.zip``, changed two insights
  and sent ``grums-2026q2.zip`` and its public key ``grums-nyckel.json``.

An example must exit 0, unless its comment says it is refused ("refused"/"vägras"): then it
must be refused cleanly, with exit 1 or 2, or with the code its comment names ("exit 4").
Never a traceback, never exit 70.

Examples that open the terminal UI are not run here (the TUI has its own pilot tests). An
example that names its bank (``--db``, ``INSIGHTBANK_DB=``) runs on that bank's backend: a
``postgresql://`` URL stands for the sandbox's PostgreSQL bank. ``access`` exists only on
PostgreSQL, so its examples run there.
"""

from __future__ import annotations

import re
import shlex
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import BACKENDS, PG_URL

from insightbank.admin.roles import GROUPS
from insightbank.bank import open_bank
from insightbank.cli import insight_options
from insightbank.cli.main import cli
from insightbank.fixtures.demo import build_demo_bank
from insightbank.fixtures.spreadsheets import write_xlsx
from insightbank.storage.tables import PACKAGE_CONFLICT

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
REFUSED = re.compile(r"#.*\b(refused|vägras)\b", re.IGNORECASE)
EXIT = re.compile(r"#.*\bexit (\d+)\b")
COMMAND = re.compile(r"^(?:[A-Z_]+=\S+ )*insightbank( |$)")


def _joined(lines: list[str]) -> list[str]:
    """Lines with a trailing backslash continue on the next one."""
    out: list[str] = []
    pending = ""
    for line in lines:
        text = line.strip()
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        out.append(pending + text)
        pending = ""
    return out


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in _joined(block.splitlines()) if COMMAND.match(line)]


def _commands(command: click.Command, prefix: list[str]) -> list[list[str]]:
    """Every command's path, groups included (a group's help has examples too)."""
    found = [prefix]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            found += _commands(sub, [*prefix, name])
    return found


def help_examples(path: list[str]) -> list[str]:
    out = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200).output
    if "Exempel / examples:" not in out:
        return []
    block = out.split("Exempel / examples:")[-1].split("Options:")[0]
    return [line for line in _joined(block.splitlines()) if COMMAND.match(line)]


def _sources() -> dict[str, list[str]]:
    found = {"README": readme_examples()}
    for path in _commands(cli, []):
        examples = help_examples(path)
        if examples:
            found[" ".join(path) or "insightbank"] = examples
    return found


SOURCES = _sources()

#: What a source's examples presuppose, done first in its copy of the sandbox, as a user would.
CONFLICTS: list[str | Callable[[str], None]] = [
    # Both banks changed 14d6a05f and 52143853 since Grums took them from grums-2026q1.zip.
    "insightbank edit 14d6a05f --status validated",
    "insightbank edit 52143853 -t budget",
    "insightbank import grums-2026q2.zip --trust-new-sender",
    lambda url: _name_conflicts(url),
]
GIVEN: dict[str, list[str | Callable[[str], None]]] = {
    "access": [lambda url: _login_role(url, "anna")],
    "access grant": [lambda url: _login_role(url, "arvika_analys")],
    "imports": CONFLICTS,
    "imports conflicts": CONFLICTS,
    "imports conflicts show": CONFLICTS,
    "imports conflicts resolve": CONFLICTS,
    "access list": ["insightbank access grant anna --municipality Grums --create"],
    "access revoke": ["insightbank access grant anna --municipality Grums --create"],
    "trust remove": ["insightbank trust add grums-nyckel.json --name Grums"],
    "stories list": ["insightbank stories cite -c grums 14d6a05f grums-005 grums-014 grums-029"],
}
#: What a person types at the prompts of an example that asks (on a terminal).
TYPED = {"insightbank add": "Unga vill kunna ställa en fråga anonymt innan de söker stöd\nrisk_groups\n"}
#: Conflict ids are random (uuid4); the examples name these two, so the sandbox's conflicts get them.
CONFLICT_IDS = {
    "14d6a05f-6a84-516e-88df-5353f79fe8d7": "3f2a91c0-5b7e-4d2a-9c1e-0a8f6e2b7d14",
    "52143853-aed2-54b2-aa77-86ce174bdf89": "9c41d7e2-3a6b-4f80-8e25-71b0c94d3a6f",
}


def _name_conflicts(url: str) -> None:
    bank = open_bank(url)
    try:
        with bank.transaction() as conn:
            for record, conflict in CONFLICT_IDS.items():
                done = conn.execute(
                    sa.update(PACKAGE_CONFLICT)
                    .where(PACKAGE_CONFLICT.c.record_id == uuid.UUID(record))
                    .values(id=uuid.UUID(conflict))
                )
                assert done.rowcount == 1, f"no conflict for {record}"
    finally:
        bank.dispose()


def _login_role(url: str, role: str) -> None:
    """A login role the server's administrator made (``CREATE ROLE``), for a grant without ``--create``."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    engine.dispose()


def _words(example: str) -> tuple[dict[str, str], list[str]]:
    """The environment an example sets (``NAME=value insightbank …``) and its words after ``insightbank``."""
    words = shlex.split(example, comments=True)
    at = words.index("insightbank")
    env = dict(w.split("=", 1) for w in words[:at])
    return env, words[at + 1 :]


def _verb(words: list[str]) -> str | None:
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--db", "--lang"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _named_bank(env: dict[str, str], words: list[str]) -> str | None:
    for at, word in enumerate(words[:-1]):
        if word == "--db":
            return words[at + 1]
    return env.get("INSIGHTBANK_DB")


def runs_on(example: str, backend: str) -> bool:
    env, words = _words(example)
    verb = _verb(words)
    if verb in (None, "tui") or (verb == "demo" and "--no-tui" not in words):
        return False  # opens the terminal UI
    named = _named_bank(env, words)
    if named is not None:
        return backend == ("postgresql" if named.startswith("postgres") else "sqlite")
    return backend == "postgresql" or verb != "access"


@dataclass(frozen=True)
class Sandbox:
    folder: Path
    url: str  # the demo bank's SQLAlchemy URL
    backend: str


def _environment(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """The machine the examples run on: its data directory (signing keys) is in the sandbox."""
    mp.chdir(folder)
    mp.setenv("XDG_DATA_HOME", str(folder / ".data"))
    mp.setenv("INSIGHTBANK_USER", "tester")
    mp.setenv("INSIGHTBANK_DEFAULT_ENGINE", "tfidf-char")
    for name in ("INSIGHTBANK_DB", "INSIGHTBANK_ENGINE", "INSIGHTBANK_LANG"):
        mp.delenv(name, raising=False)


def _run(sandbox: Sandbox, example: str, typed: str | None = None) -> tuple[int, str]:
    env, words = _words(example)
    if sandbox.backend == "postgresql":  # a PostgreSQL URL in an example stands for the sandbox's bank
        env = {k: sandbox.url if v.startswith("postgres") else v for k, v in env.items()}
        words = [sandbox.url if w.startswith("postgres") else w for w in words]
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    runner = CliRunner(env={"INSIGHTBANK_DB": sandbox.url} | env)
    with pytest.MonkeyPatch.context() as mp:
        if typed is not None:
            mp.setattr(insight_options, "is_interactive", lambda: True)
        result = runner.invoke(cli, words, input=typed, catch_exceptions=True)
    if target:
        Path(target).write_text(result.output, encoding="utf-8")
    problem = result.output
    if result.exception and not isinstance(result.exception, SystemExit):
        problem += f"\n{type(result.exception).__name__}: {result.exception}"
    return result.exit_code, problem


def _given(sandbox: Sandbox, lines: list[str]) -> None:
    for line in lines:
        code, output = _run(sandbox, line)
        assert code == 0, f"sandbox: {line}\n{output}"


def _build(sandbox: Sandbox) -> None:
    """The demo bank and every input file an example names (see the module docstring)."""
    folder = sandbox.folder
    bank = open_bank(sandbox.url)
    build_demo_bank(bank, stories=True)  # as `insightbank demo` builds it
    bank.dispose()
    for name in ("ADemo_Data.csv", "ADemo_Definition.json"):
        shutil.copy(SHARED / "sensemaker-ademo" / name, folder / name)
    shutil.copy(SHARED / "narrafirma-example" / "narrafirma_example_stories.csv", folder / "stories.csv")
    shutil.copy(SHARED / "narrafirma-example" / "narrafirma_example_story_form.csv", folder / "story_form.csv")
    (folder / "namn.txt").write_text("Anna\nSvensson\n", encoding="utf-8")
    write_xlsx(
        [{"Vad vi lärde oss": "Unga vill mötas utanför skolan", "Vem": "Invånare i allmänhet"}],
        folder / "annan_layout.xlsx",
    )
    (folder / "kolumner.yaml").write_text("Vad vi lärde oss: statement\nVem: perspectives\n", encoding="utf-8")
    (folder / "backup").mkdir()
    backup = "backup/bank-2025-06-01.sqlite" if sandbox.backend == "sqlite" else "region.dump"
    _given(
        sandbox,
        [
            "insightbank export grums-2026q1.zip -m Grums --include internal",
            "insightbank export insiktskarta.xlsx",
            "insightbank stories export -c grums berattelser.csv",
            f"insightbank backup {backup}",
            # Grums' bank: it took the region's package, changed two insights and sends them back.
            'insightbank --db grums.sqlite init --name "Grums insiktsbank" -m Grums',
            "insightbank --db grums.sqlite import grums-2026q1.zip --trust-new-sender",
            'insightbank --db grums.sqlite edit 14d6a05f -d "Relationen byggs redan vid inskolningen."',
            "insightbank --db grums.sqlite edit 52143853 --status acted_on",
            "insightbank --db grums.sqlite export grums-2026q2.zip --include internal",
            "insightbank --db grums.sqlite keys export grums-nyckel.json",
        ],
    )
    code, listed = _run(sandbox, "insightbank list --format csv --limit 1000")
    assert code == 0, listed
    (folder / "insiktskarta.csv").write_text(listed, encoding="utf-8")


def _admin() -> sa.Engine:
    assert PG_URL
    return sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    assert PG_URL
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://")).set(database=name)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=BACKENDS)
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The sandbox, built once per backend; every source runs in a copy of it."""
    if not SHARED.is_dir():
        pytest.skip("../shared/datasets is not beside this checkout")
    folder = tmp_path_factory.mktemp(f"examples-{request.param}")
    name = f"examples_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        sandbox = Sandbox(folder, f"sqlite:///{folder / 'demo.sqlite'}", "sqlite")
    else:
        with _admin().connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        sandbox = Sandbox(folder, _pg_url(name), "postgresql")
    try:
        with pytest.MonkeyPatch.context() as mp:
            _environment(mp, folder)
            _build(sandbox)
        yield sandbox
    finally:
        if request.param == "postgresql":
            with _admin().connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _roles(conn: sa.Connection) -> set[str]:
    return set(conn.execute(sa.text("SELECT rolname FROM pg_catalog.pg_roles")).scalars())


@pytest.fixture
def sandbox(template: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A fresh copy of the sandbox: what one source's examples do stays in it."""
    folder = tmp_path / "sandbox"
    shutil.copytree(template.folder, folder, symlinks=True)
    _environment(monkeypatch, folder)
    if template.backend == "sqlite":
        yield Sandbox(folder, f"sqlite:///{folder / 'demo.sqlite'}", "sqlite")
        return
    name = f"t_{uuid.uuid4().hex[:12]}"
    template_name = sa.engine.make_url(template.url).database
    admin = _admin()
    with admin.connect() as conn:
        before = _roles(conn)
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    try:
        yield Sandbox(folder, _pg_url(name), "postgresql")
    finally:
        with admin.connect() as conn:  # roles are the server's, not the database's: `access grant --create`
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in sorted(_roles(conn) - before - set(GROUPS)):
                conn.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_example_runs_on_the_demo_bank(source: str, sandbox: Sandbox) -> None:
    examples = [e for e in SOURCES[source] if runs_on(e, sandbox.backend)]
    if not examples:
        pytest.skip(f"no example of {source!r} runs on {sandbox.backend}")
    for step in GIVEN.get(source, []):
        if callable(step):
            step(sandbox.url)
        else:
            _given(sandbox, [step])
    failures = []
    for example in examples:
        code, output = _run(sandbox, example, TYPED.get(example.split("#")[0].strip()))
        exits = EXIT.search(example)
        expected = {int(exits.group(1))} if exits else {1, 2}
        ok = code in expected if REFUSED.search(example) else code == 0
        if not ok or "Traceback" in output:
            failures.append(f"{example}\n  -> exit {code}: {output.strip()[-400:]}")
    assert failures == [], "\n".join(failures)


def test_examples_are_found() -> None:
    assert len(SOURCES["README"]) >= 15
    assert sum(len(v) for v in SOURCES.values()) >= 80
    assert {"insightbank", "imports", "access", "imports conflicts resolve", "stories cite"} <= set(SOURCES)


def test_an_example_runs_where_its_bank_is() -> None:
    assert runs_on("insightbank list", "sqlite") and runs_on("insightbank list", "postgresql")
    assert not runs_on("insightbank --db postgresql://ib@db/region backup region.dump", "sqlite")
    assert runs_on("insightbank --db postgresql://ib@db/region backup region.dump", "postgresql")
    assert runs_on("INSIGHTBANK_DB=postgresql://localhost/region insightbank info", "postgresql")
    assert not runs_on("insightbank --db ny.sqlite restore backup/b.sqlite", "postgresql")
    assert not runs_on("insightbank access list", "sqlite") and runs_on("insightbank access list", "postgresql")
    assert not runs_on("insightbank", "sqlite") and not runs_on("insightbank demo", "sqlite")
    assert runs_on("insightbank demo --path demo.sqlite --no-tui", "sqlite")


def test_every_help_shows_its_examples_where_its_text_is() -> None:
    """The examples block is indented like the help around it (``edit`` joins two help texts)."""
    for path in _commands(cli, []):
        out = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200).output
        heading = [line for line in out.splitlines() if "Exempel / examples:" in line]
        assert all(line == "  Exempel / examples:" for line in heading), (path, heading)
