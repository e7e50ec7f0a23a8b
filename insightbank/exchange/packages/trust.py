"""Whom this bank believes: which keys may speak for which bank id.

A package is imported when its signature checks out (:mod:`.signing`) *and* the key is one
this bank trusts for the bank id the package claims:

- this bank's own key, for its own packages coming back;
- a key in ``trusted_key`` (``insightbank trust add``), bound to the bank id it signs for;
- with ``--trust-new-sender``, the key of a bank id this bank has never heard of, which is
  then recorded (trust on first use).

Refused, with exit 2 and nothing written: an unknown key (unless ``--trust-new-sender``); a
key trusted for another bank id; a bank id whose trusted key is another (forged, or a new
key the sender must confirm); an unsigned package (unless ``--allow-unsigned``), and always
an unsigned package claiming a bank id that signs its packages. Every decision is written to
the import log (``package_import.trust``) and trust changes to the change log.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ConfigError, NotFoundError, Problem, ValidationError
from insightbank.exchange.packages import keys
from insightbank.exchange.packages.reader import PackageError, refuse
from insightbank.exchange.packages.signing import Signer
from insightbank.exchange.packages.validate import PackageMeta
from insightbank.schema.json import JsonObject
from insightbank.storage import changelog
from insightbank.storage.meta import get_meta
from insightbank.storage.models import utcnow
from insightbank.storage.tables import TRUSTED_KEY as TABLE

LIST_COLUMNS = ("name", "fingerprint", "bank_id", "sender_municipality", "how", "added_by", "added_at")


@dataclass(frozen=True)
class TrustPolicy:
    """What the person importing allowed beyond the trusted keys."""

    allow_unsigned: bool = False
    trust_new_sender: bool = False


class SenderRefused(PackageError):
    """The two refusals a person may overrule, having checked with the sender: an unknown key
    (``--trust-new-sender``; ``fingerprint`` names it) and an unsigned package (``--allow-unsigned``;
    no fingerprint). A bad signature or a forged bank id is a plain :class:`PackageError`: no option."""

    def __init__(self, source: str, message: str, sender: str, fingerprint: str | None) -> None:
        super().__init__([Problem(source, None, None, None, message)])
        self.sender = sender
        self.fingerprint = fingerprint
        self.reason = message

    @property
    def policy(self) -> TrustPolicy:
        """What importing again with the person's yes allows."""
        return TrustPolicy(allow_unsigned=self.fingerprint is None, trust_new_sender=self.fingerprint is not None)


@dataclass(frozen=True)
class Decision:
    """Why a package was let in, for the import log."""

    signer: str | None
    text: str


def decide(
    conn: Connection,
    meta: PackageMeta,
    signer: Signer | None,
    policy: TrustPolicy,
    actor: str,
    source: str,
    *,
    record: bool = True,
) -> Decision:
    """Let the package in, or raise a refusal naming the sender and the reason.

    ``record=False`` decides the same way but writes nothing (``report PKG``: looking at a
    package must not make this bank trust its sender).
    """
    claimed = meta.sender_bank_id
    sender = f"{meta.sender_label()} (bank-id {claimed})"
    own_id = get_meta(conn, "bank_id")
    own = keys.load(own_id) if own_id and own_id == claimed else None
    for_bank = list(conn.execute(sa.select(TABLE).where(TABLE.c.bank_id == claimed)))
    known = [r.fingerprint for r in for_bank] + ([own.fingerprint] if own else [])
    if signer is None:
        return _unsigned(sender, known, policy, actor, source)
    fingerprint = signer.fingerprint
    if own is not None and signer.public_key == own.public:
        return Decision(fingerprint, f"egen nyckel / own key ({fingerprint})")
    by_key = conn.execute(sa.select(TABLE).where(TABLE.c.public_key == keys.b64(signer.public_key))).first()
    if by_key is not None and by_key.bank_id == claimed:
        return Decision(fingerprint, f"betrodd nyckel / trusted key {by_key.name!r} ({fingerprint})")
    if by_key is not None:
        raise _refusal(
            source,
            f"{sender}: signerat med nyckeln för {by_key.name!r} (bank-id {by_key.bank_id}), men paketet påstår en "
            f"annan bank / signed with the key of {by_key.name!r} (bank id {by_key.bank_id}) but claims another bank",
        )
    if known or claimed == own_id:
        raise _refusal(
            source,
            f"{sender}: banken har en annan betrodd nyckel ({', '.join(known) or 'ingen här / none here'}) men paketet "
            f"är signerat med {fingerprint}: förfalskat, eller en ny nyckel som avsändaren måste bekräfta / the bank id "
            f"it claims has another trusted key; signed with {fingerprint}: forged, or a new key the sender must "
            "confirm (then `insightbank trust remove NAME` and `insightbank trust add KEYFILE --name NAME`)",
        )
    if not policy.trust_new_sender:
        raise SenderRefused(
            source,
            f"{sender}: okänd avsändare, nyckelns fingeravtryck {fingerprint} / unknown sender, key fingerprint "
            f"{fingerprint}. Jämför fingeravtrycket med avsändaren / check the fingerprint with the sender, then "
            "`insightbank trust add KEYFILE --name NAME`, or import with --trust-new-sender",
            sender,
            fingerprint,
        )
    name = _free_name(conn, meta.sender_label())
    if not record:
        return Decision(
            fingerprint,
            f"ny avsändare, godtagen för rapporten men inte betrodd / new sender, accepted for the report but not "
            f"trusted: {name!r} ({fingerprint})",
        )
    _insert(conn, name, claimed, signer.public_key, meta.sender_name, meta.sender_municipality, actor, "first use")
    return Decision(
        fingerprint,
        f"ny avsändare betrodd vid första användning / new sender trusted on first use: {name!r} ({fingerprint}) "
        f"av/by {actor}",
    )


def _unsigned(sender: str, known: list[str], policy: TrustPolicy, actor: str, source: str) -> Decision:
    if known:
        raise _refusal(
            source,
            f"{sender}: paketet är osignerat, men banken signerar sina paket (nyckel {', '.join(known)}): det kan vara "
            "förfalskat, och --allow-unsigned gäller inte / the package is unsigned but this bank signs its packages: "
            "it may be forged; --allow-unsigned does not apply",
        )
    if not policy.allow_unsigned:
        raise SenderRefused(
            source,
            f"{sender}: paketet är osignerat / the package is unsigned; --allow-unsigned importerar det ändå / "
            "imports it anyway",
            sender,
            None,
        )
    return Decision(None, f"osignerat, tillåtet av / unsigned, allowed by {actor}")


def _refusal(source: str, message: str) -> PackageError:
    return refuse(source, message)


def _free_name(conn: Connection, base: str) -> str:
    taken = set(conn.execute(sa.select(TABLE.c.name)).scalars())
    name, number = base[:100], 2
    while name in taken:
        name, number = f"{base[:100]} ({number})", number + 1
    return name


def _insert(
    conn: Connection,
    name: str,
    bank_id: str,
    public_key: bytes,
    sender_name: str | None,
    municipality: str | None,
    actor: str,
    how: str,
) -> None:
    fingerprint = keys.fingerprint(public_key)
    conn.execute(
        sa.insert(TABLE).values(
            id=uuid.uuid4(),
            name=name,
            bank_id=bank_id,
            public_key=keys.b64(public_key),
            fingerprint=fingerprint,
            sender_name=sender_name,
            sender_municipality=municipality,
            added_at=utcnow(),
            added_by=actor,
            how=how,
        )
    )
    changes = {"name": name, "bank_id": bank_id, "fingerprint": fingerprint, "how": how}
    changelog.write(conn, [changelog.entry(actor, "trusted_key", fingerprint, "trust", changes)])


def read_key_file(path: Path) -> JsonObject:
    """A file written by ``insightbank keys export``, checked."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: inte en nyckelfil / not a key file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != keys.KEY_FORMAT:
        raise ConfigError(
            f"{path}: inte en nyckelfil från `insightbank keys export` / not a key file ({keys.KEY_FORMAT})"
        )
    if not isinstance(document.get("bank_id"), str) or not document["bank_id"]:
        raise ConfigError(f"{path}: bank_id saknas / bank_id missing")
    document["raw"] = keys.decode_public(document.get("public_key"), str(path))
    return document


def add(conn: Connection, path: Path, name: str, actor: str) -> str:
    """Trust the key in ``path`` for the bank id it names; returns its fingerprint."""
    return add_document(conn, read_key_file(path), name, actor)


def add_document(conn: Connection, document: JsonObject, name: str, actor: str) -> str:
    """Trust a public-key document (as ``keys export`` writes it) under ``name``."""
    raw = document.get("raw") or keys.decode_public(document.get("public_key"), name)
    name = name.strip()
    if not name:
        raise ValidationError("--name får inte vara tomt / must not be empty")
    if conn.execute(sa.select(TABLE.c.id).where(TABLE.c.name == name)).first():
        raise ValidationError(f"Namnet {name!r} används redan / the name is already taken (`insightbank trust list`)")
    existing = conn.execute(sa.select(TABLE.c.name).where(TABLE.c.public_key == keys.b64(raw))).first()
    if existing:
        raise ValidationError(f"Nyckeln är redan betrodd som / the key is already trusted as {existing.name!r}")
    municipality, sender_name = document.get("municipality"), document.get("name")
    _insert(conn, name, str(document["bank_id"]), raw, sender_name, municipality, actor, "trust add")
    return keys.fingerprint(raw)


def listed(conn: Connection) -> list[JsonObject]:
    query = sa.select(*(TABLE.c[c] for c in LIST_COLUMNS)).order_by(TABLE.c.name)
    return [dict(row) for row in conn.execute(query).mappings()]


def remove(conn: Connection, name: str, actor: str) -> str:
    row = conn.execute(sa.select(TABLE).where(TABLE.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"Ingen betrodd nyckel heter / no trusted key named {name!r} (`insightbank trust list`)")
    conn.execute(sa.delete(TABLE).where(TABLE.c.id == row.id))
    changes = {"name": name, "bank_id": row.bank_id, "fingerprint": row.fingerprint}
    changelog.write(conn, [changelog.entry(actor, "trusted_key", row.fingerprint, "untrust", changes)])
    return str(row.fingerprint)
