"""intakes: state encrypted with a per-intake key kept in intake_keys (crypto-shredding)

Revision ID: 0004
Revises: 0003

Intakes open at the upgrade are deleted: their state was stored in the clear and
the migration has no secret key to encrypt it with (the users start again; an
intake is a few minutes' work and idles out after a day anyway).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM intakes")
    with op.batch_alter_table("intakes") as batch_op:
        batch_op.drop_column("state")
        batch_op.add_column(sa.Column("sealed", sa.LargeBinary(), nullable=False))
    # UNLOGGED on PostgreSQL: the wrapped keys never reach the WAL (nor WAL archives,
    # replicas or base backups); after a crash the table is empty and open intakes
    # are lost (they cannot be read any more, so the app deletes them).
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "intake_keys",
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["intake_id"], ["intakes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("intake_id"),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("intake_keys")
    op.execute("DELETE FROM intakes")
    with op.batch_alter_table("intakes") as batch_op:
        batch_op.drop_column("sealed")
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=False))
