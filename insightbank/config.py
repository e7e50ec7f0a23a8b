"""Where the bank lives and who is working in it.

The bank is picked by ``--db``, else ``INSIGHTBANK_DB``, else an SQLite file in the
user's data directory. A plain file path is accepted as well as an SQLAlchemy URL.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

from insightbank.errors import ConfigError

APP_NAME = "insightbank"
ENV_DB = "INSIGHTBANK_DB"
ENV_USER = "INSIGHTBANK_USER"


def data_dir() -> Path:
    """The user's data directory for insightbank (created on demand)."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "bank.sqlite"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite"


def resolve_db_url(value: str | None) -> str:
    """Turn ``--db``/``INSIGHTBANK_DB``/default into an SQLAlchemy URL."""
    raw = value or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" in raw:
        if raw.startswith("postgres://"):
            raw = "postgresql://" + raw[len("postgres://") :]
        if raw.startswith("postgresql://"):
            raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
        if not raw.startswith(("sqlite", "postgresql")):
            raise ConfigError(f"Okänd databas / unsupported database URL: {raw!r} (sqlite or postgresql)")
        return raw
    path = Path(raw).expanduser()
    if path.is_dir():
        raise ConfigError(f"{path} är en mapp, inte en databasfil / is a folder, not a database file")
    if not path.parent.exists():
        raise ConfigError(f"Mappen finns inte / folder does not exist: {path.parent}")
    return f"sqlite:///{path.resolve()}"


def current_actor() -> str:
    """Who is making changes, for the change log."""
    explicit = os.environ.get(ENV_USER)
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
