"""Packages a municipality can trust (issue 18): import verifies the signature and the sender.

Bank A (Grums) sends, bank B (Arvika) receives, bank C is a stranger or a forger (tests/support/packages.py).
All three on the same backend; every case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from support.packages import (
    bank_id,
    change_statement,
    fingerprint_of,
    package,
    refused,
    run,
    sign_as,
    state,
    trust_via_files,
)

from insightbank.exchange.packages.format import DESCRIPTOR
from insightbank.exchange.packages.signing import SIGNATURE
from insightbank.storage.tables import CHANGE_LOG

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
