"""Alembic environment. Run through :func:`insightbank.storage.engine.migrate`, which passes a connection."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import insightbank.storage.models  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("insightbank migrations run through insightbank.storage.engine.migrate()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
