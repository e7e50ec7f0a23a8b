"""Opening a bank: the storage engine, upgraded to the newest schema, with the standard vocabulary.

Storage knows nothing of the vocabulary, so seeding the standard terms on open happens here, one
layer up; the CLI, the TUI, fixtures and tests open banks through this module.
"""

from __future__ import annotations

import sqlalchemy as sa

from insightbank.errors import ConfigError
from insightbank.storage.engine import Bank, create_bank_engine, migrate, read_only_file, schema_is_current
from insightbank.storage.meta import ensure_bank_identity
from insightbank.vocabulary import seed_standard_terms

__all__ = ["Bank", "open_bank"]

#: What SQLite says about a file that is damaged or is no database at all.
DAMAGED = ("file is not a database", "malformed", "file is encrypted")


def open_bank(url: str, *, migrate_schema: bool = True) -> Bank:
    """Open (and if needed create and upgrade) the bank at ``url``."""
    engine = create_bank_engine(url)
    if read_only_file(url) is not None:  # read-only media: read it as it is, never write on opening
        if not schema_is_current(engine):
            engine.dispose()
            raise ConfigError(
                f"{url!r} är skrivskyddad och behöver uppgraderas; kopiera den till en skrivbar plats / is "
                "read-only and needs a schema upgrade: copy it somewhere writable first"
            )
        return Bank(url=url, engine=engine)
    try:
        if migrate_schema:
            migrate(engine)
            with engine.begin() as conn:
                ensure_bank_identity(conn)
                seed_standard_terms(conn)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise ConfigError(f"Kan inte öppna banken / cannot open the bank {url!r}: {exc.orig}") from None
    except sa.exc.DatabaseError as exc:  # "file is not a database": a damaged file, or not a bank at all
        engine.dispose()
        if not url.startswith("sqlite") or not any(m in str(exc.orig) for m in DAMAGED):
            raise  # a refused role and the like: the CLI maps those itself
        raise ConfigError(
            f"{url!r} är ingen läsbar bank (skadad fil eller en annan sorts fil) / is not a readable bank "
            f"(a damaged file, or another kind of file): {str(exc.orig).splitlines()[0]}. Återställ från en "
            "säkerhetskopia / restore it from a backup (`insightbank restore`)."
        ) from None
    return Bank(url=url, engine=engine)
