"""SLA alerts: each alert of a case (first_response_75, resolution_overdue…) claimed once

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_alerts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("alert", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "alert"),
    )


def downgrade() -> None:
    op.drop_table("sla_alerts")
