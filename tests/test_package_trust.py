"""Packages a municipality can trust (issue 18): signed, verified, deletions that travel, conflicts resolved, dry run.

Bank A (Grums) sends, bank B (Arvika) receives, bank C is a stranger or a forger. All three on
the same backend; every case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.packages import keys
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.format import DESCRIPTOR
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.packages.signing import SIGNATURE, sign
from insightbank.fixtures.trust import trust_between
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta, set_meta
from insightbank.storage.tables import (
    CHANGE_LOG,
    EVIDENCE,
    INSIGHT,
    PACKAGE_CONFLICT,
    PACKAGE_IMPORT,
    STUDY,
    TOMBSTONE,
    TRUSTED_KEY,
)

PG_URL = os.environ.get("INSIGHTBANK_TEST_PG_URL")
FRICTIONLESS = Path(sys.executable).with_name("frictionless")


@pytest.fixture
def make_bank(bank: Bank, tmp_path: Path) -> Iterator[Callable[[str], Bank]]:
    """Further banks on ``bank``'s backend, each with its own name and municipality."""
    opened: list[Bank] = []
    databases: list[str] = []
    base = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://")) if PG_URL else None

    def make(municipality: str) -> Bank:
        if bank.dialect == "sqlite":
            new = open_bank(f"sqlite:///{tmp_path / (municipality + '.sqlite')}")
        else:
            assert base is not None
            name = f"t_{uuid.uuid4().hex[:12]}"
            with sa.create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            databases.append(name)
            new = open_bank(base.set(database=name).render_as_string(hide_password=False))
        with new.transaction() as conn:
            set_meta(conn, "municipality", municipality)
            set_meta(conn, "name", f"{municipality} insiktsbank")
        opened.append(new)
        return new

    yield make
    for each in opened:
        each.dispose()
    if databases and base is not None:
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in databases:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def a(bank: Bank) -> Bank:
    """The sender, Grums, with three public insights (one with quotes) and one internal."""
    with bank.transaction() as conn:
        set_meta(conn, "municipality", "Grums")
        vocab = vocabulary.load(conn)
        for number, statement in enumerate(
            ("Unga vill ha chatt", "Föräldrar vet inte vart", "Äldre saknar mötesplatser")
        ):
            quotes = [Quote("Jag skriver hellre"), Quote("Ring aldrig")] if number == 0 else []
            data = InsightData(statement, ["risk_groups"], sensitivity="public", quotes=quotes)
            insights.insert(conn, insights.validate(vocab, data), "anna")
        insights.insert(conn, insights.validate(vocab, InsightData("Intern", ["clients"])), "anna")
    return bank


@pytest.fixture
def b(make_bank: Callable[[str], Bank]) -> Bank:
    return make_bank("Arvika")


def run(runner, target: Bank, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["--db", target.url, *args])


def package(source: Bank, path: Path) -> Path:
    with source.reading() as conn:
        export(conn, path, ExportOptions(), "anna")
    return path


def ids(target: Bank) -> set[uuid.UUID]:
    with target.reading() as conn:
        return set(queries.page_ids(conn, limit=None))


def by_statement(target: Bank, statement: str) -> uuid.UUID:
    with target.reading() as conn:
        return conn.execute(sa.select(INSIGHT.c.id).where(INSIGHT.c.statement == statement)).scalar_one()


def state(target: Bank) -> tuple[int, int, int, int]:
    """What a refusal must leave untouched: insights, import log, trusted keys, conflicts."""
    with target.reading() as conn:
        count = lambda t: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()  # noqa: E731
        return count(INSIGHT), count(PACKAGE_IMPORT), count(TRUSTED_KEY), count(PACKAGE_CONFLICT)


def trust_via_files(runner, source: Bank, receiver: Bank, tmp_path: Path, name: str = "Grums") -> None:  # type: ignore[no-untyped-def]
    assert run(runner, source, "init").exit_code == 0
    out = run(runner, source, "keys", "export", str(tmp_path / f"{name}.json"))
    assert out.exit_code == 0, out.output
    out = run(runner, receiver, "trust", "add", str(tmp_path / f"{name}.json"), "--name", name)
    assert out.exit_code == 0, out.output


def refused(out, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output
    for word in words:
        assert word in out.output, (word, out.output)


def fingerprint_of(source: Bank) -> str:
    with source.reading() as conn:
        return keys.ensure(str(get_meta(conn, "bank_id")))[0].fingerprint


def bank_id(target: Bank) -> str:
    with target.reading() as conn:
        return str(get_meta(conn, "bank_id"))


def sign_as(folder: Path, private_of: Bank, claimed_bank_id: str) -> None:
    """A forger's signature: ``private_of``'s key, but a manifest that names ``claimed_bank_id``."""
    own = keys.ensure(bank_id(private_of))[0]
    forged = keys.SigningKey(claimed_bank_id, own.private, own.path)
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != SIGNATURE}
    package_id = json.loads(files[DESCRIPTOR])["insightbank"]["package_id"]
    (folder / SIGNATURE).write_bytes(sign(files, package_id, forged))


def change_statement(folder: Path, old: str, new: str) -> None:
    """An attacker's edit: one statement changed and its checksum recomputed."""
    data = (folder / "insights.csv").read_bytes().replace(old.encode(), new.encode())
    (folder / "insights.csv").write_bytes(data)
    descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "insights":
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            resource["bytes"] = len(data)
    (folder / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


# 1. Every bank has a signing key -------------------------------------------------------------


def test_init_creates_an_owner_only_key_that_never_leaves_the_machine(a, runner, tmp_path) -> None:
    out = run(runner, a, "init")
    assert out.exit_code == 0 and "signing key" in out.output, out.output
    key = keys.load(bank_id(a))
    assert key is not None
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.path.parent.stat().st_mode) == 0o700
    assert str(key.path).startswith(os.environ["XDG_DATA_HOME"])
    shown = run(runner, a, "keys", "show")
    assert shown.exit_code == 0 and key.fingerprint in shown.output and keys.b64(key.public) in shown.output
    assert run(runner, a, "keys", "export", str(tmp_path / "pub.json")).exit_code == 0
    document = json.loads((tmp_path / "pub.json").read_text(encoding="utf-8"))
    assert document["public_key"] == keys.b64(key.public) and document["bank_id"] == bank_id(a)
    assert run(runner, a, "init").output.count(key.fingerprint) == 1  # a second init keeps the key
    secret = key.path.read_bytes()
    zipped = package(a, tmp_path / "a.zip")
    folder = package(a, tmp_path / "a")
    assert secret not in zipped.read_bytes()
    assert all(secret not in p.read_bytes() for p in folder.iterdir())
    assert all(b"PRIVATE KEY" not in p.read_bytes() for p in folder.iterdir())
    if a.dialect == "sqlite":  # the backup is the database: the key is not in it
        assert run(runner, a, "backup", str(tmp_path / "a.backup")).exit_code == 0
        assert b"PRIVATE KEY" not in (tmp_path / "a.backup").read_bytes()


def test_keys_show_without_a_key_says_how_to_make_one(b, runner) -> None:
    out = run(runner, b, "keys", "show")
    assert out.exit_code == 1 and "insightbank init" in out.output and "Traceback" not in out.output


# 2. Export signs, and the package stays a valid Data Package ---------------------------------


def test_a_signed_package_with_tombstones_passes_the_reference_validator(a, tmp_path) -> None:
    with a.transaction() as conn:
        gone = conn.execute(sa.select(INSIGHT.c.id).where(INSIGHT.c.statement == "Unga vill ha chatt")).scalar_one()
        insights.delete(conn, gone, "anna")
    for path in (package(a, tmp_path / "a.zip"), package(a, tmp_path / "a") / DESCRIPTOR):
        result = subprocess.run(
            [str(FRICTIONLESS), "validate", "--json", str(path)], capture_output=True, text=True, timeout=120
        )
        report = json.loads(result.stdout)
        assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]
    document = json.loads((tmp_path / "a" / SIGNATURE).read_text(encoding="utf-8"))
    manifest = json.loads(document["manifest"])
    assert manifest["bank_id"] == bank_id(a)
    assert set(manifest["files"]) == {p.name for p in (tmp_path / "a").iterdir()} - {SIGNATURE}
    rows = (tmp_path / "a" / "tombstones.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "entity,id,version,deleted_at" and f"insight,{gone},1," in rows[1]
    assert sorted(r.split(",")[0] for r in rows[1:]) == ["insight", "quote", "quote"]


# 3. Import verifies ----------------------------------------------------------------------------


def test_a_package_from_a_trusted_sender_imports_and_the_log_says_why(a, b, runner, tmp_path) -> None:
    trust_via_files(runner, a, b, tmp_path)
    listed = json.loads(run(runner, b, "trust", "list", "--format", "json").output)
    assert [(k["name"], k["bank_id"], k["how"]) for k in listed] == [("Grums", bank_id(a), "trust add")]
    out = run(runner, b, "import", str(package(a, tmp_path / "a.zip")))
    assert out.exit_code == 0 and "created 3" in out.output and "trusted key 'Grums'" in out.output, out.output
    log = json.loads(run(runner, b, "imports", "--format", "json").output)[0]
    assert log["signer"] == fingerprint_of(a) and "Grums" in log["trust"]


def test_one_changed_statement_with_its_checksum_recomputed_is_refused_for_its_signature(
    a, b, runner, tmp_path
) -> None:
    trust_via_files(runner, a, b, tmp_path)
    folder = package(a, tmp_path / "a")
    change_statement(folder, "Unga vill ha chatt", "Unga vill ha mer pengar")
    before = state(b)
    for extra in ([], ["--allow-unsigned"], ["--trust-new-sender"]):
        refused(run(runner, b, "import", str(folder), *extra), "insights.csv", "changed after signing", "Grums")
    assert state(b) == before


def test_any_byte_changed_after_signing_is_refused_naming_the_file(a, b, runner, tmp_path) -> None:
    trust_via_files(runner, a, b, tmp_path)
    folder = package(a, tmp_path / "a")
    (folder / DESCRIPTOR).write_bytes((folder / DESCRIPTOR).read_bytes().replace(b"Grums", b"Grumz", 1))
    refused(run(runner, b, "import", str(folder)), DESCRIPTOR, "changed after signing")
    signature = json.loads((folder / SIGNATURE).read_text(encoding="utf-8"))
    signature["manifest"] = signature["manifest"].replace(bank_id(a)[:4], "ffff", 1)
    (folder / SIGNATURE).write_text(json.dumps(signature), encoding="utf-8")
    refused(run(runner, b, "import", str(folder)), SIGNATURE, "does not verify")
    assert state(b)[0] == 0


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "insightbank-signature/1"}',
        '{"format": "insightbank-signature/1", "algorithm": "rsa", "manifest": "{}"}',
        '{"format": "insightbank-signature/1", "algorithm": "ed25519", "manifest": "{}", "public_key": "!!", '
        '"signature": 5}',
        '{"format": "insightbank-signature/1", "algorithm": "ed25519", "manifest": 7}',
    ],
)
def test_a_broken_signature_file_is_a_clean_refusal(a, b, runner, tmp_path, text) -> None:
    folder = package(a, tmp_path / "a")
    (folder / SIGNATURE).write_text(text, encoding="utf-8")
    refused(run(runner, b, "import", str(folder), "--allow-unsigned", "--trust-new-sender"), SIGNATURE)
    assert state(b)[0] == 0


def test_an_unknown_signer_is_refused_then_accepted_with_trust_new_sender(a, b, runner, tmp_path) -> None:
    zipped = package(a, tmp_path / "a.zip")
    before = state(b)
    refused(run(runner, b, "import", str(zipped)), "Grums", bank_id(a), fingerprint_of(a), "unknown sender")
    refused(run(runner, b, "import", str(zipped), "--dry-run"), "unknown sender")
    assert state(b) == before
    dry = run(runner, b, "import", str(zipped), "--dry-run", "--trust-new-sender")
    assert dry.exit_code == 0 and "first use" in dry.output and state(b) == before, dry.output
    out = run(runner, b, "import", str(zipped), "--trust-new-sender")
    assert out.exit_code == 0 and "created 3" in out.output, out.output
    listed = json.loads(run(runner, b, "trust", "list", "--format", "json").output)
    assert [(k["bank_id"], k["fingerprint"], k["how"]) for k in listed] == [
        (bank_id(a), fingerprint_of(a), "first use")
    ]
    log = json.loads(run(runner, b, "imports", "--format", "json").output)[0]
    assert "first use" in log["trust"] and log["signer"] == fingerprint_of(a)
    with b.reading() as conn:
        logged = conn.execute(sa.select(CHANGE_LOG.c.action).where(CHANGE_LOG.c.entity == "trusted_key")).scalars()
        assert list(logged) == ["trust"]
    again = run(runner, b, "import", str(package(a, tmp_path / "a2.zip")))  # from now on it is a trusted key
    assert again.exit_code == 0 and "trusted key" in again.output, again.output


def test_a_forged_bank_id_is_refused(a, b, make_bank, runner, tmp_path) -> None:
    c = make_bank("Forshaga")
    trust_via_files(runner, a, b, tmp_path)
    folder = package(c, tmp_path / "c")
    descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    descriptor["insightbank"]["sender"] = {"bank_id": bank_id(a), "name": "Grums insiktsbank", "municipality": "Grums"}
    (folder / DESCRIPTOR).write_text(json.dumps(descriptor), encoding="utf-8")
    sign_as(folder, c, bank_id(a))  # C's key, claiming to be A
    before = state(b)
    for extra in ([], ["--trust-new-sender"], ["--allow-unsigned"]):
        refused(
            run(runner, b, "import", str(folder), *extra), "Grums", bank_id(a), fingerprint_of(c), "another trusted key"
        )
    (folder / SIGNATURE).unlink()  # the same forgery, unsigned: A signs its packages, so never
    refused(run(runner, b, "import", str(folder), "--allow-unsigned"), "Grums", "unsigned", "signs its packages")
    assert state(b) == before


def test_a_trusted_key_claiming_another_bank_is_refused(a, b, make_bank, runner, tmp_path) -> None:
    trust_via_files(runner, a, b, tmp_path)
    folder = package(a, tmp_path / "a")
    other = str(uuid.uuid4())
    descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    descriptor["insightbank"]["sender"]["bank_id"] = other
    (folder / DESCRIPTOR).write_text(json.dumps(descriptor), encoding="utf-8")
    sign_as(folder, a, other)
    refused(run(runner, b, "import", str(folder), "--trust-new-sender"), other, "signed with the key of 'Grums'")
    assert state(b)[0] == 0


def test_unsigned_packages_need_allow_unsigned(a, b, runner, tmp_path) -> None:
    folder = package(a, tmp_path / "a")
    (folder / SIGNATURE).unlink()
    before = state(b)
    refused(run(runner, b, "import", str(folder)), "Grums", bank_id(a), "unsigned", "--allow-unsigned")
    assert state(b) == before
    out = run(runner, b, "import", str(folder), "--allow-unsigned")
    assert out.exit_code == 0 and "created 3" in out.output and "unsigned, allowed by tester" in out.output
    assert "unsigned" in json.loads(run(runner, b, "imports", "--format", "json").output)[0]["trust"]


def test_trust_remove_stops_the_sender_and_names_are_checked(a, b, runner, tmp_path) -> None:
    trust_via_files(runner, a, b, tmp_path)
    assert run(runner, b, "trust", "add", str(tmp_path / "Grums.json"), "--name", "Grums").exit_code == 2
    assert run(runner, b, "trust", "add", str(tmp_path / "Grums.json"), "--name", "Annat").exit_code == 2
    (tmp_path / "junk.json").write_text("{}", encoding="utf-8")
    bad = run(runner, b, "trust", "add", str(tmp_path / "junk.json"), "--name", "X")
    assert bad.exit_code == 1 and "not a key file" in bad.output
    assert run(runner, b, "trust", "remove", "Grums").exit_code == 0
    assert run(runner, b, "trust", "remove", "Grums").exit_code == 3
    refused(run(runner, b, "import", str(package(a, tmp_path / "a.zip"))), "unknown sender")


def test_a_banks_own_package_is_signed_by_its_own_key(a, runner, tmp_path) -> None:
    out = run(runner, a, "import", str(package(a, tmp_path / "own.zip")))
    assert out.exit_code == 0 and "own key" in out.output, out.output


# 4. Deletions travel, 5. conflicts you can resolve, 6. look before you import ---------------------


@pytest.fixture
def ab(a: Bank, b: Bank, tmp_path: Path) -> tuple[Bank, Bank]:
    """B trusts A and has imported A's first package."""
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first.zip"), "bertil")
    return a, b


def edit(target: Bank, insight_id: uuid.UUID, actor: str = "tester", **fields: object) -> None:
    with target.transaction() as conn:
        record = queries.get(conn, insight_id)
        data = record.to_data()
        for key, value in fields.items():
            setattr(data, key, value)
        insights.update(conn, insight_id, insights.validate(vocabulary.load(conn), data), record.version, actor)


def delete(target: Bank, insight_id: uuid.UUID) -> None:
    with target.transaction() as conn:
        insights.delete(conn, insight_id, "anna")


def exists(target: Bank, insight_id: uuid.UUID) -> bool:
    with target.reading() as conn:
        return bool(queries.fetch(conn, [insight_id]))


def open_conflicts(runner, target: Bank) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = run(runner, target, "imports", "conflicts", "--format", "json")
    assert out.exit_code == 0, out.output
    return list(json.loads(out.output))


def test_a_deletion_at_a_removes_the_record_at_b(ab, tmp_path) -> None:
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    with b.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(EVIDENCE)).scalar_one() == 2
    delete(a, chat)
    report = import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    assert report.deleted == 1 and not exists(b, chat)
    with b.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(EVIDENCE)).scalar_one() == 0  # its quotes too
        logged = conn.execute(sa.select(CHANGE_LOG.c.actor).where(CHANGE_LOG.c.entity_id == str(chat))).scalars()
        assert list(logged)[-1] == "bertil"
        assert conn.execute(sa.select(TOMBSTONE.c.version).where(TOMBSTONE.c.record_id == chat)).scalar_one() == 1
    again = import_package(b, package(a, tmp_path / "third.zip"), "bertil")  # the tombstone travels on: no-op
    assert (again.deleted, again.conflicts) == (0, 0)


def test_a_deleted_study_travels_and_its_insights_stay(a, b, runner, tmp_path) -> None:
    with a.transaction() as conn:
        vocab = vocabulary.load(conn)
        sid = studies.insert(conn, studies.validate(vocab, StudyData("Föräldraintervjuer", sensitivity="public")), "a")
        data = InsightData("Studiens insikt", ["clients"], sensitivity="public", study_id=sid)
        iid = insights.insert(conn, insights.validate(vocab, data), "anna")
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first"), "bertil")
    assert run(runner, a, "studies", "delete", str(sid)[:8], "--yes").exit_code == 0
    report = import_package(b, package(a, tmp_path / "second"), "bertil")
    with b.reading() as conn:
        assert conn.execute(sa.select(STUDY.c.id).where(STUDY.c.id == sid)).first() is None
        assert queries.get(conn, iid).study_id is None
    assert report.deleted == 1 and report.study_conflicts == 0


def test_a_deletion_of_a_record_b_edited_is_a_conflict_and_b_keeps_it(ab, runner, tmp_path) -> None:
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    edit(b, chat, statement="Unga vill ha chatt, även på natten")
    delete(a, chat)
    second = package(a, tmp_path / "second.zip")
    report = import_package(b, second, "bertil")
    assert (report.deleted, report.conflicts) == (0, 1) and exists(b, chat)
    [conflict] = open_conflicts(runner, b)
    assert conflict["record_id"] == str(chat) and "deleted at the sender" in conflict["theirs"]
    shown = run(runner, b, "imports", "conflicts", "show", conflict["id"][:8], "--format", "json")
    assert shown.exit_code == 0, shown.output
    fields = {f["field"]: f for f in json.loads(shown.output)["fields"]}
    assert fields["statement"]["ours"] == "Unga vill ha chatt, även på natten"
    assert "deleted at the sender" in fields["statement"]["theirs"] and fields["statement"]["differs"]
    import_package(b, second, "bertil")  # the same deletion again is the same conflict, not a second one
    assert len(open_conflicts(runner, b)) == 1
    merged = run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "merge")
    assert merged.exit_code == 2 and "cannot be merged" in merged.output
    out = run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "ours")
    assert out.exit_code == 0 and exists(b, chat) and open_conflicts(runner, b) == []
    later = import_package(b, package(a, tmp_path / "third.zip"), "bertil")  # kept: now B's own, not deleted
    assert (later.deleted, later.conflicts) == (0, 0) and exists(b, chat)


def test_a_deletion_conflict_resolved_with_theirs_deletes(ab, runner, tmp_path) -> None:
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    edit(b, chat, status="validated")
    delete(a, chat)
    import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    [conflict] = open_conflicts(runner, b)
    out = run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "theirs")
    assert out.exit_code == 0 and not exists(b, chat), out.output


def test_the_receivers_own_records_are_never_deleted_by_another_banks_package(ab, runner, tmp_path) -> None:
    a, b = ab
    with b.transaction() as conn:
        data = InsightData("Arvikas egen insikt", ["general_public"], sensitivity="public")
        mine = insights.insert(conn, insights.validate(vocabulary.load(conn), data), "bertil")
    folder = package(a, tmp_path / "crafted")
    rows = (folder / "tombstones.csv").read_text(encoding="utf-8")
    (folder / "tombstones.csv").write_text(rows + f"insight,{mine},1,2026-01-01T00:00:00Z\n", encoding="utf-8")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "tombstones":
            resource["hash"] = "sha256:" + hashlib.sha256((folder / "tombstones.csv").read_bytes()).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    sign_as(folder, a, bank_id(a))  # really signed by A: A's own tombstone, but B's record
    report = import_package(b, folder, "bertil")
    assert report.deleted == 0 and exists(b, mine)


def _conflict(ab: tuple[Bank, Bank], runner, tmp_path: Path) -> tuple[uuid.UUID, str]:  # type: ignore[no-untyped-def]
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    edit(b, chat, statement="Unga vill ha chatt (Arvika)", themes=[])
    edit(a, chat, status="validated", perspectives=["risk_groups", "clients"])
    report = import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    assert report.conflicts == 1
    [conflict] = open_conflicts(runner, b)
    shown = json.loads(run(runner, b, "imports", "conflicts", "show", conflict["id"], "--format", "json").output)
    differs = {f["field"]: (f["ours"], f["theirs"]) for f in shown["fields"] if f["differs"]}
    assert differs == {
        "statement": ("Unga vill ha chatt (Arvika)", "Unga vill ha chatt"),
        "perspectives": ("risk_groups", "clients; risk_groups"),
        "status": ("draft", "validated"),
    }
    return chat, conflict["id"]


@pytest.mark.parametrize(
    ("keep", "statement", "perspectives", "status"),
    [
        ("ours", "Unga vill ha chatt (Arvika)", ["risk_groups"], "draft"),
        ("theirs", "Unga vill ha chatt", ["clients", "risk_groups"], "validated"),
        ("merge", "Unga vill ha chatt (Arvika)", ["clients", "risk_groups"], "draft"),
    ],
)
def test_a_conflict_resolved_each_way(ab, runner, tmp_path, keep, statement, perspectives, status) -> None:
    a, b = ab
    chat, conflict_id = _conflict(ab, runner, tmp_path)
    out = runner.invoke(
        cli,
        ["--db", b.url, "imports", "conflicts", "resolve", conflict_id[:8], "--keep", keep],
        env={"INSIGHTBANK_USER": "cecilia"},
    )
    assert out.exit_code == 0 and "cecilia" in out.output, out.output
    with b.reading() as conn:
        record = queries.get(conn, chat)
        assert (record.statement, sorted(record.perspectives), record.status) == (statement, perspectives, status)
        logged = conn.execute(
            sa.select(CHANGE_LOG.c.actor, CHANGE_LOG.c.changes).where(
                CHANGE_LOG.c.entity_id == str(chat), CHANGE_LOG.c.action == "resolve"
            )
        ).one()
        assert logged.actor == "cecilia" and json.loads(logged.changes)["keep"] == keep
        resolved = conn.execute(sa.select(PACKAGE_CONFLICT)).one()
        assert (resolved.resolved_by, resolved.resolution) == ("cecilia", keep) and resolved.resolved_at
    assert open_conflicts(runner, b) == []
    again = import_package(b, package(a, tmp_path / "third.zip"), "bertil")  # settled: no new clash
    assert (again.conflicts, again.updated) == (0, 0)
    assert run(runner, b, "imports", "conflicts", "resolve", conflict_id, "--keep", keep).exit_code == 2
    edit(a, chat, description="A skriver vidare")
    later = import_package(b, package(a, tmp_path / "fourth.zip"), "bertil")
    # Taken theirs, B's copy is A's again: the next change updates it. Kept ours or merged, B
    # holds its own work: the next change from A is a conflict, never a silent overwrite.
    assert (later.updated, later.conflicts) == ((1, 0) if keep == "theirs" else (0, 1))


def test_dry_run_lists_what_would_be_created_updated_deleted_and_conflicted(ab, runner, tmp_path) -> None:
    a, b = ab
    chat, parents, elderly = (
        by_statement(a, s) for s in ("Unga vill ha chatt", "Föräldrar vet inte vart", "Äldre saknar mötesplatser")
    )
    with a.transaction() as conn:
        data = InsightData("Ny insikt från Grums", ["clients"], sensitivity="public")
        new = insights.insert(conn, insights.validate(vocabulary.load(conn), data), "anna")
    edit(a, parents, statement="Föräldrar vet inte vart de ska vända sig")
    edit(b, elderly, status="validated")
    edit(a, elderly, status="acted_on")
    delete(a, chat)
    before = state(b)
    out = run(runner, b, "import", str(package(a, tmp_path / "next.zip")), "--dry-run")
    assert out.exit_code == 0, out.output
    text = out.output
    assert f"would be created (1):\n  insight {new}  Ny insikt från Grums" in text
    assert f"would be updated (1):\n  insight {parents}  Föräldrar vet inte vart de ska vända sig" in text
    assert f"would be deleted (1):\n  insight {chat}  Unga vill ha chatt" in text
    assert f"conflict (1):\n  insight {elderly}  Äldre saknar mötesplatser" in text
    assert state(b) == before and exists(b, chat)


def test_a_second_implementation_verifies_a_package_from_the_documented_steps_alone(a, tmp_path) -> None:
    """docs/package-format.md, "Signature", steps 1–5, with nothing from insightbank but the package."""
    import base64
    import zipfile

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    with a.transaction() as conn:
        insights.delete(conn, by_statement(a, "Äldre saknar mötesplatser"), "anna")
    with zipfile.ZipFile(package(a, tmp_path / "a.zip")) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members["signature.json"])
    assert (document["format"], document["algorithm"]) == ("insightbank-signature/1", "ed25519")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"]))
    public.verify(base64.b64decode(document["signature"]), document["manifest"].encode("utf-8"))  # raises if bad
    manifest = json.loads(document["manifest"])
    descriptor = json.loads(members["datapackage.json"])
    paths = ["datapackage.json", *(r["path"] for r in descriptor["resources"])]
    assert all(manifest["files"][p] == "sha256:" + hashlib.sha256(members[p]).hexdigest() for p in paths)
    assert manifest["bank_id"] == descriptor["insightbank"]["sender"]["bank_id"] == bank_id(a)
    assert manifest["package_id"] == descriptor["insightbank"]["package_id"]
    digest = hashlib.sha256(base64.b64decode(document["public_key"])).hexdigest()[:20]
    assert document["fingerprint"] == "-".join(digest[i : i + 4] for i in range(0, 20, 4)) == fingerprint_of(a)
    assert "tombstones.csv" in paths and members["tombstones.csv"].startswith(b"entity,id,version,deleted_at\n")


def test_a_study_changed_on_both_sides_is_shown_and_resolved_with_theirs(a, b, runner, tmp_path) -> None:
    with a.transaction() as conn:
        vocab = vocabulary.load(conn)
        sid = studies.insert(conn, studies.validate(vocab, StudyData("Föräldraintervjuer", sensitivity="public")), "a")
        data = InsightData("Studiens insikt", ["clients"], sensitivity="public", study_id=sid)
        insights.insert(conn, insights.validate(vocab, data), "anna")
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first"), "bertil")
    for target, title in ((a, "Föräldraintervjuer 2026"), (b, "Föräldraintervjuer (Arvika)")):
        with target.transaction() as conn:
            record = studies.get(conn, sid)
            fields = {k: getattr(record, k) for k in StudyData.__dataclass_fields__} | {"title": title}
            studies.update(conn, sid, StudyData(**fields), record.version, "x")
    report = import_package(b, package(a, tmp_path / "second"), "bertil")
    assert report.study_conflicts == 1
    [conflict] = open_conflicts(runner, b)
    assert (conflict["entity"], conflict["theirs"]) == ("study", "Föräldraintervjuer 2026")
    shown = json.loads(run(runner, b, "imports", "conflicts", "show", conflict["id"], "--format", "json").output)
    assert [(f["field"], f["ours"], f["theirs"]) for f in shown["fields"] if f["differs"]] == [
        ("title", "Föräldraintervjuer (Arvika)", "Föräldraintervjuer 2026")
    ]
    assert run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "theirs").exit_code == 0
    with b.reading() as conn:
        assert studies.get(conn, sid).title == "Föräldraintervjuer 2026"
