"""Database faults as clear messages: one place maps driver errors to insightbank errors.

A full disk and a lost connection both end a write transaction half-way. The database rolls
it back (SQLite on SQLITE_FULL, PostgreSQL when the backend dies), so the bank holds nothing of
it; what a person needs is to hear that, and what to do, instead of a driver traceback.
:meth:`insightbank.storage.engine.Bank.transaction` and the CLI's error handler both call :func:`translate`.
"""

from __future__ import annotations

import sqlalchemy as sa

from insightbank.errors import (
    AccessDeniedError,
    ConfigError,
    ConflictError,
    ConnectionLostError,
    InsightbankError,
    StorageFullError,
)

_FULL = (
    "database or disk is full",
    "sqlite_full",
    "no space left on device",
    "could not extend file",
    "disk full",
    "diskfull",
)
_LOST = (
    "terminating connection",
    "server closed the connection",
    "connection is closed",
    "connection already closed",
    "consuming input failed",
    "lost synchronization",
    "connection refused",
    "could not receive data",
    "could not send data",
    "connection to server",
    "ssl syscall error",
    "the connection is lost",
    "connection timed out",
    "admin_shutdown",
    "adminshutdown",
)
_FULL_CODES = {"53100", "53200", "54000"}  # PostgreSQL: disk_full, out_of_memory, program_limit_exceeded
_LOST_CODES = {"57P01", "57P02", "57P03", "08000", "08003", "08006"}
_DENIED_CODES = {"42501"}  # insufficient_privilege (also a row-level security refusal)

FULL_HINT = (
    "Disken eller databasen är full; transaktionen rullades tillbaka och inget av den sparades. "
    "Frigör utrymme (eller höj gränsen) och kör kommandot igen. / The disk or database is full; "
    "the transaction was rolled back and nothing of it was saved. Free some space (or raise the "
    "limit) and run the command again."
)
LOST_HINT = (
    "Förbindelsen med databasen bröts mitt i; servern rullade tillbaka transaktionen och inget av "
    "den sparades. Kontrollera servern och kör kommandot igen (en import kan köras om utan "
    "dubbletter). / The connection to the database was lost mid-transaction; the server rolled it "
    "back and nothing of it was saved. Check the server and run the command again (an import can "
    "be re-run without duplicates)."
)


_LOCKED = ("database is locked", "database table is locked")
_LOCKED_CODES = {"55P03", "40P01"}  # PostgreSQL: lock_not_available, deadlock_detected
LOCKED_HINT = (
    "Banken är upptagen: någon annan skriver just nu (en import, en säkerhetskopia) och höll låset "
    "längre än väntetiden. Inget sparades. Vänta tills den är klar och kör kommandot igen. / The bank "
    "is busy: someone else is writing (an import, a backup) and held the lock longer than the wait. "
    "Nothing was saved; wait for it to finish and run the command again."
)


READ_ONLY_HINT = (
    "Banken är skrivskyddad (t.ex. en skrivskyddad disk): den kan läsas men inte ändras. Inget sparades. "
    "Kopiera den till en skrivbar plats för att ändra den. / The bank is read-only (a read-only mount, "
    "say): it can be read, not changed. Nothing was saved; copy it somewhere writable to change it."
)


def _sqlstate(orig: BaseException | None) -> str | None:
    for attr in ("sqlstate", "pgcode"):
        value = getattr(orig, attr, None)
        if isinstance(value, str):
            return value
    return None


def classify(exc: BaseException) -> str | None:
    """``"full"``, ``"lost"``, ``"denied"``, ``"locked"`` or None for an error that is none of them."""
    orig = getattr(exc, "orig", None) or exc
    text = f"{orig} {type(orig).__name__}".lower()
    code = _sqlstate(orig)
    if code in _DENIED_CODES:
        return "denied"
    if code in _LOCKED_CODES or any(marker in text for marker in _LOCKED):
        return "locked"
    if code == "25006" or "readonly database" in text or "read-only" in text:
        return "readonly"
    if code in _FULL_CODES or any(marker in text for marker in _FULL):
        return "full"
    if (
        code in _LOST_CODES
        or any(marker in text for marker in _LOST)
        or (isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated)
    ):
        return "lost"
    return None


def translate(exc: BaseException, where: str = "") -> InsightbankError | None:
    """The insightbank error for a driver error, or None when it is not a known fault."""
    kind = classify(exc)
    if kind is None:
        return None
    orig = getattr(exc, "orig", None) or exc
    place = f"{where}: " if where else ""
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if kind == "full":
        return StorageFullError(f"{place}{FULL_HINT} ({detail})")
    if kind == "readonly":
        return ConfigError(f"{place}{READ_ONLY_HINT} ({detail})")
    if kind == "locked":
        return ConflictError(f"{place}{LOCKED_HINT} ({detail})")
    if kind == "denied":
        return AccessDeniedError(
            f"{place}Databasen nekade din roll / the database refused your role: {detail}. "
            "Be bankens ägare om åtkomst / ask the bank's owner for access "
            "(`insightbank access grant`, docs/shared-bank.md)."
        )
    return ConnectionLostError(f"{place}{LOST_HINT} ({detail})")
