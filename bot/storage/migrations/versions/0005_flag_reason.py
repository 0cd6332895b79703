"""a flag's optional reason (de-identified), shown to moderators

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flags") as batch_op:
        # What the colleague who flagged said, de-identified like a reply; never who they are.
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flags") as batch_op:
        batch_op.drop_column("reason")
