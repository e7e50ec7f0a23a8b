"""Every bank signs its packages (issue 18): an owner-only key, signed exports that stay valid Data Packages.

Bank A (Grums) sends, bank B (Arvika) receives (tests/support/packages.py). Both backends.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from support.packages import (
    bank_id,
    by_statement,
    fingerprint_of,
    package,
    run,
)

from insightbank.exchange.packages import keys
from insightbank.exchange.packages.format import DESCRIPTOR
from insightbank.exchange.packages.signing import SIGNATURE
from insightbank.insights import writes as insights
from insightbank.storage.tables import INSIGHT

FRICTIONLESS = Path(sys.executable).with_name("frictionless")


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


def test_a_banks_own_package_is_signed_by_its_own_key(a, runner, tmp_path) -> None:
    out = run(runner, a, "import", str(package(a, tmp_path / "own.zip")))
    assert out.exit_code == 0 and "own key" in out.output, out.output


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
