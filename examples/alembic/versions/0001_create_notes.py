"""Create the notes table.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(200), nullable=False),
    )
    op.execute("INSERT INTO notes (text) VALUES ('welcome')")
    if os.environ.get("FAIL_MIGRATION") == "1":  # to show the rollback
        raise RuntimeError("migration 0001 failed on purpose")


def downgrade() -> None:
    op.drop_table("notes")
