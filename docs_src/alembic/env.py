"""Alembic's env.py: Alembic executes this file for every command."""

from __future__ import annotations

from alembic import context

from docs_src.alembic.db_app import DbConnection, app
from fastapi_everywhere.sync import runnify_with_fastapi_depends


@runnify_with_fastapi_depends(app=app)
def run_migrations_online(*, connection: DbConnection) -> None:
    # The dependency began the transaction; Alembic runs inside it.
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("run the migrations online: they need the app's engine")
run_migrations_online()
