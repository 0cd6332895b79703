"""fingerprints of the secret keys the database was written with

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A keyed hash (HKDF) of each key, never the key: the app refuses to start with keys
    # that match none of them (a lost or different key would silently lift blocks).
    op.create_table(
        "key_fingerprints",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("key_fingerprints")
