"""A bank's signing key: Ed25519, the private half kept on this machine only.

The private key lives in the user's data directory (``keys/<bank id>.key``, PKCS#8 PEM, mode
0600 in a 0700 folder), never in the bank, a package or a backup: whoever holds it can speak
for the bank. The public half is what receivers trust (``insightbank keys export`` →
``insightbank trust add``). Keyed by bank id, so several banks on one machine each sign as
themselves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from insightbank.config import data_dir
from insightbank.errors import ConfigError
from insightbank.schema.json import JsonObject

KEY_FORMAT = "insightbank-public-key/1"


def fingerprint(public_key: bytes) -> str:
    """A short name for a key people can compare aloud: the first 80 bits of its SHA-256."""
    text = hashlib.sha256(public_key).hexdigest()[:20]
    return "-".join(text[i : i + 4] for i in range(0, 20, 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SigningKey:
    bank_id: str
    private: Ed25519PrivateKey
    path: Path

    @property
    def public(self) -> bytes:
        return public_bytes(self.private.public_key())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)


def key_dir() -> Path:
    path = data_dir() / "keys"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def key_path(bank_id: str) -> Path:
    if not bank_id or any(c in bank_id for c in "/\\.\x00"):
        raise ConfigError(f"Ogiltigt bank-id / invalid bank id: {bank_id!r}")
    return key_dir() / f"{bank_id}.key"


def load(bank_id: str) -> SigningKey | None:
    """This bank's key on this machine, or None if it has none here."""
    path = key_path(bank_id)
    if not path.exists():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise ConfigError(
            f"{path}: signeringsnyckeln går inte att läsa / the signing key is unreadable: {exc}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path}: inte en Ed25519-nyckel / not an Ed25519 key")
    return SigningKey(bank_id, key, path)


def ensure(bank_id: str) -> tuple[SigningKey, bool]:
    """The bank's key, created (owner-only, written beside then renamed) if this machine has none."""
    found = load(bank_id)
    if found is not None:
        return found, False
    path = key_path(bank_id)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".partial")  # mkstemp creates it 0600
    try:
        os.write(handle, pem)
        os.fchmod(handle, 0o600)
        os.close(handle)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)
    return SigningKey(bank_id, key, path), True


def public_document(key: SigningKey, who: dict[str, str | None]) -> JsonObject:
    """What ``keys export`` writes: the public key and the bank it signs for."""
    return {
        "format": KEY_FORMAT,
        "algorithm": "ed25519",
        "public_key": b64(key.public),
        "fingerprint": key.fingerprint,
        "bank_id": key.bank_id,
        "name": who.get("name"),
        "municipality": who.get("municipality"),
        "organisation": who.get("organisation"),
    }


def write_public(path: Path, document: JsonObject) -> None:
    if not path.parent.is_dir():
        raise ConfigError(f"Mappen finns inte / folder does not exist: {path.parent}")
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    try:
        os.write(handle, (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        os.close(handle)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def decode_public(text: object, where: str) -> bytes:
    """A base64 Ed25519 public key (32 bytes), or a ConfigError naming ``where``."""
    try:
        raw = base64.b64decode(str(text), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ConfigError(f"{where}: inte en Ed25519-nyckel / not an Ed25519 public key") from None
    return raw
