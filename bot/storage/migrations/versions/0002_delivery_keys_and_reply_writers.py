"""delivery keys for posts and replies; anonymous reply writers; blocks from replies

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        # A random key in the post's Slack metadata: finds our own message after a lost
        # answer, and never matches a message of another database (a restore, a reset).
        batch_op.add_column(sa.Column("delivery_key", sa.String(length=40), nullable=True))
    with op.batch_alter_table("post_messages") as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))  # anonymous replies: 1, 2, …
        batch_op.add_column(sa.Column("author_hash", sa.String(length=64), nullable=True))  # their writer, keyed
        batch_op.add_column(sa.Column("delivery_key", sa.String(length=80), nullable=True))
        batch_op.create_index("ix_post_messages_delivery_key", ["delivery_key"], unique=True)
        # Two processes numbering replies to one post at once cannot both take the same number.
        batch_op.create_index("uq_post_messages_number", ["post_id", "number"], unique=True)
    with op.batch_alter_table("author_blocks") as batch_op:
        batch_op.add_column(sa.Column("reply_number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("author_blocks") as batch_op:
        batch_op.drop_column("reply_number")
    with op.batch_alter_table("post_messages") as batch_op:
        batch_op.drop_index("uq_post_messages_number")
        batch_op.drop_index("ix_post_messages_delivery_key")
        batch_op.drop_column("delivery_key")
        batch_op.drop_column("author_hash")
        batch_op.drop_column("number")
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_column("delivery_key")
