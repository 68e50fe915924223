"""Alembic's environment: Alembic's commands run it, on the connection `metrics.migrations` hands
over (the app's own engine, made from our URL by `metrics.db.make_engine`)."""

from __future__ import annotations

from alembic import context

from metrics.migrations import MigrationError


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if context.is_offline_mode() or connection is None:
        raise MigrationError(
            "Bridgeboard's migrations run on a live database, through `python -m metrics db` or the app."
        )
    context.configure(connection=connection)
    # Inside the caller's transaction (Alembic starts none of its own on a connection already in one).
    with context.begin_transaction():
        context.run_migrations()


# Alembic runs this file under a name of its own; imported as a module (the architecture test imports
# every module of the core), it does nothing.
if __name__ != "metrics.migrations.env":
    run_migrations()
