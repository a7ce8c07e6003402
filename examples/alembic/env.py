"""Alembic's env.py: migrations inside the FastAPI lifespan, on an injected connection."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from db_app import DbConnection, app

from fastapi_everywhere.sync import runnify_with_fastapi_depends

if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name)


@runnify_with_fastapi_depends(app=app)
def run_migrations_online(*, connection: DbConnection) -> None:
    # The dependency already began the transaction: Alembic joins it.
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("this example runs online only (it needs the app's engine)")
run_migrations_online()
