"""Inbox of Telegram updates: kept from acceptance to the end of processing, with an owner and a lease,
so an update accepted by a Rasa server that dies is taken over by another one

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("processed_updates", "inbox_updates")
    with op.batch_alter_table("inbox_updates") as table:
        table.alter_column(
            "processed_at",
            new_column_name="received_at",
            existing_type=sa.DateTime(),
            existing_nullable=False,
        )
        table.add_column(sa.Column("chat_key", sa.String(length=32)))
        table.add_column(sa.Column("body", sa.Text()))
        # Updates claimed before this migration were processed.
        table.add_column(sa.Column("state", sa.String(length=16), nullable=False, server_default="done"))
        table.add_column(sa.Column("owner", sa.String(length=64)))
        table.add_column(sa.Column("lease_until", sa.DateTime()))
    with op.batch_alter_table("inbox_updates") as table:
        table.alter_column(
            "state", server_default=None, existing_type=sa.String(length=16), existing_nullable=False
        )
    op.create_index("ix_inbox_updates_chat", "inbox_updates", ["chat_key", "update_id"])
    op.create_index("ix_inbox_updates_lease", "inbox_updates", ["state", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_inbox_updates_lease", table_name="inbox_updates")
    op.drop_index("ix_inbox_updates_chat", table_name="inbox_updates")
    with op.batch_alter_table("inbox_updates") as table:
        for column in ("lease_until", "owner", "state", "body", "chat_key"):
            table.drop_column(column)
        table.alter_column(
            "received_at",
            new_column_name="processed_at",
            existing_type=sa.DateTime(),
            existing_nullable=False,
        )
    op.rename_table("inbox_updates", "processed_updates")
