"""Signing packages and checking signatures: who made a package, and that nothing changed since.

The signature is a member of the package, ``signature.json``, beside ``datapackage.json``:

- ``manifest`` is a JSON *text* (kept as a string, so no canonical form is needed to check
  it): the package id, the sender's bank id, when it was signed, and the ``sha256`` of the
  exact bytes of ``datapackage.json`` and of every resource file;
- ``signature`` is the Ed25519 signature of the manifest's UTF-8 bytes by ``public_key``.

A valid signature makes the descriptor authentic, and with it every resource's hash; a file
whose bytes no longer match the manifest is named in the refusal. Whether the key may speak
for the bank the package claims is :mod:`.trust`'s question, not this module's.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from insightbank.errors import ConfigError, Problem
from insightbank.exchange.packages import keys
from insightbank.exchange.packages.format import DESCRIPTOR, OPTIONAL_RESOURCES, RESOURCES, sha256_hex, utc_text
from insightbank.exchange.packages.reader import (
    Limits,
    PackageError,
    PackageFiles,
    _FolderSource,
    _ZipSource,
    decode,
    open_package,
    parse_json,
    refuse,
)
from insightbank.exchange.packages.validate import _meta
from insightbank.schema.json import JsonObject
from insightbank.storage.models import utcnow

SIGNATURE = "signature.json"
#: Resources the import streams itself, checking their bytes against the (signed) descriptor's hash.
STAGED = (*RESOURCES, *OPTIONAL_RESOURCES)
SIGNATURE_FORMAT = "insightbank-signature/1"


@dataclass(frozen=True)
class Signer:
    """Who signed a package whose signature checked out."""

    public_key: bytes
    bank_id: str
    sender: str = ""  # how refusals name who signed: the sender's label and bank id

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint(self.public_key)


def sign(files: dict[str, bytes], package_id: str, key: keys.SigningKey) -> bytes:
    """``signature.json`` for a package whose members (descriptor included) are ``files``."""
    return sign_hashes({name: sha256_hex(data) for name, data in files.items()}, package_id, key)


def sign_hashes(hashes: dict[str, str], package_id: str, key: keys.SigningKey) -> bytes:
    """``signature.json`` from each member's hex sha256, for a writer that streams its files."""
    manifest = json.dumps(
        {
            "format": SIGNATURE_FORMAT,
            "package_id": package_id,
            "bank_id": key.bank_id,
            "signed_at": utc_text(utcnow()),
            "files": {name: f"sha256:{digest}" for name, digest in sorted(hashes.items())},
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    document = {
        "format": SIGNATURE_FORMAT,
        "algorithm": "ed25519",
        "public_key": keys.b64(key.public),
        "fingerprint": key.fingerprint,
        "manifest": manifest,
        "signature": keys.b64(key.private.sign(manifest.encode("utf-8"))),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def signing_notes(key: keys.SigningKey, created: bool) -> list[str]:
    """What the export report says about its signature (more when the key is new)."""
    out = [f"Signerat med / signed with {key.fingerprint}"]
    if created:
        out.append(
            f"Ny signeringsnyckel för banken / new signing key for this bank: {key.path}. Ge mottagarna den publika "
            "nyckeln / give receivers the public key: `insightbank keys export FIL.json`"
        )
    return out


def _has(files: PackageFiles, name: str) -> bool:
    source = files.source
    if isinstance(source, _ZipSource):
        return source.prefix + name in source.members
    if isinstance(source, _FolderSource):
        return (source.folder / name).is_file() or (source.folder / name).is_symlink()
    return False


def verify(path: Path, limits: Limits | None = None) -> Signer | None:
    """The signer of the package at ``path``, None if it is unsigned; refuses a bad signature."""
    with open_package(path, limits) as files:
        if not _has(files, SIGNATURE):
            return None
        raw = files.source.read(DESCRIPTOR, files.limits.max_descriptor_bytes)
        where = f"{files.label}:{DESCRIPTOR}"
        descriptor = parse_json(decode(raw, where), where)
        if not isinstance(descriptor, dict):
            raise refuse(where, "ska vara ett JSON-objekt / must be a JSON object")
        meta = _meta(descriptor, where)  # a format this reader cannot read says so before any signature talk
        sender = f"{meta.sender_label()} (bank-id {meta.sender_bank_id})"
        where = f"{files.label}:{SIGNATURE}"
        document = parse_json(decode(files.source.read(SIGNATURE, files.limits.max_descriptor_bytes), where), where)
        public_key, manifest = _checked(document, where, sender)
        problems = _changed_files(files, raw, descriptor, manifest, sender)
    if problems:
        raise PackageError(problems)
    return Signer(public_key, str(manifest["bank_id"]), sender)


def _checked(document: Any, where: str, sender: str) -> tuple[bytes, JsonObject]:
    """The signing key and the manifest, once the signature over the manifest holds."""
    if not isinstance(document, dict) or document.get("format") != SIGNATURE_FORMAT:
        raise refuse(where, f"{sender}: okänt signaturformat / unknown signature format (not {SIGNATURE_FORMAT})")
    if document.get("algorithm") != "ed25519":
        raise refuse(where, f"{sender}: okänd algoritm / unknown algorithm", value=str(document.get("algorithm"))[:40])
    manifest_text = document.get("manifest")
    if not isinstance(manifest_text, str):
        raise refuse(where, f"{sender}: manifest saknas / manifest missing")
    try:
        public_key = keys.decode_public(document.get("public_key"), where)
        signature = base64.b64decode(str(document.get("signature")), validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, manifest_text.encode("utf-8"))
    except (ConfigError, ValueError, InvalidSignature):
        raise refuse(
            where,
            f"{sender}: signaturen stämmer inte, paketet har ändrats efter signeringen eller är förfalskat / the "
            "signature does not verify: the package was changed after signing, or forged",
        ) from None
    manifest = parse_json(manifest_text, where)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict) or not manifest.get("bank_id"):
        raise refuse(where, f"{sender}: manifestet är ofullständigt / the manifest is incomplete")
    return public_key, manifest


def _changed_files(
    files: PackageFiles, raw: bytes, descriptor: JsonObject, manifest: JsonObject, sender: str
) -> list[Problem]:
    """Every file the importer reads whose bytes differ from what was signed, resources first.

    The descriptor's bytes are checked here; a resource only when the descriptor's hash for it is not
    the signed one (then its bytes are hashed now, to say whether the file or the descriptor changed).
    """
    signed: JsonObject = manifest["files"]
    resources = descriptor.get("resources")
    paths = [r["path"] for r in resources or [] if isinstance(r, dict) and isinstance(r.get("path"), str)]
    # A resource whose declared hash is the signed one is read once, by the import, which checks
    # its bytes against that hash as they stream past (validate.stage, ``signed_by``).
    deferred = {
        r["path"]
        for r in resources or []
        if isinstance(r, dict)
        and r.get("name") in STAGED
        and r.get("path") in paths
        and r.get("hash") == signed.get(r["path"])
    }
    problems = []
    for name in paths:
        if name not in signed:
            problems.append(_changed(files, name, sender, "finns inte i signaturen", "not covered by the signature"))
        elif name not in deferred and f"sha256:{files.sha256(name)}" != signed[name]:
            problems.append(_changed(files, name, sender, CHANGED_SV, CHANGED_EN))
    if f"sha256:{sha256_hex(raw)}" != signed.get(DESCRIPTOR):
        problems.append(_changed(files, DESCRIPTOR, sender, CHANGED_SV, CHANGED_EN))
    block = descriptor["insightbank"]
    if not problems and (
        str(block["sender"]["bank_id"]) != str(manifest["bank_id"])
        or block.get("package_id") != manifest.get("package_id")
    ):
        problems.append(
            _changed(files, DESCRIPTOR, sender, "avsändaren är inte den som signerade", "sender is not the signer")
        )
    return problems


CHANGED_SV = "ändrad efter signeringen"
CHANGED_EN = "changed after signing"


def _changed(files: PackageFiles, name: str, sender: str, sv: str, en: str) -> Problem:
    return Problem(
        f"{files.label}:{name}", None, None, None, f"{sender}: signaturen stämmer inte, {sv} / bad signature, {en}"
    )
