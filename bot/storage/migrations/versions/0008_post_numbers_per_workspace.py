"""posts: a number counted within each workspace ("Dilemma #N"), apart from the row id

Until now a post's shown number was its row id: one count across every workspace the app
serves, so a workspace could tell from its own numbers roughly how many consults the
others post. Each post now gets ``posts.number``, counted from 1 within its ``team_id``
(the workspace, or the organisation for an org-wide install); ``post_counters`` holds the
last number given per workspace, taken with one upsert under its row lock.

Existing posts are numbered per workspace in the order of their row id, the counters start
from there, and what stored a shown number (blocks, the audit log, the status line's
posts whose replies were given up) is moved to the new numbers. (team_id, number) is unique.
Posted messages whose number changed are listed in job_runs (`retitle_posts`): the worker
renders them again in the channel with their new number (Posting.retitle_renumbered).

On SQLite the column stays nullable in the schema (making it NOT NULL would rebuild
``posts``, and dropping the old table with foreign keys on would cascade to its
messages, relays and flags); the app always sets it, and the unique index holds.

Revision ID: 0008
Revises: 0007
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_counters",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    op.add_column("posts", sa.Column("number", sa.Integer(), nullable=True))
    conn = op.get_bind()
    # Per workspace, in the order of the row id (SQLite >= 3.33 and PostgreSQL both).
    conn.execute(
        sa.text(
            "UPDATE posts SET number = ranked.n FROM "
            "(SELECT id, ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY id) AS n FROM posts) AS ranked "
            "WHERE posts.id = ranked.id"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO post_counters (team_id, last_number) SELECT team_id, MAX(number) FROM posts GROUP BY team_id"
        )
    )
    # What was written with the old number (the row id) now says the workspace's number.
    for table in ("author_blocks", "audit_log"):
        conn.execute(
            sa.text(
                f"UPDATE {table} SET post_number = "
                f"(SELECT p.number FROM posts p WHERE p.id = {table}.post_number AND p.team_id = {table}.team_id) "
                f"WHERE post_number IS NOT NULL AND EXISTS "
                f"(SELECT 1 FROM posts p WHERE p.id = {table}.post_number AND p.team_id = {table}.team_id)"
            )
        )
    numbers = dict(conn.execute(sa.text("SELECT id, number FROM posts")).all())
    jobs = sa.table(
        "job_runs",
        sa.column("name", sa.String()),
        sa.column("detail", sa.JSON()),
        sa.column("last_run_at", sa.DateTime(timezone=True)),
        sa.column("runs", sa.Integer()),
    )
    if numbers:
        given_up = conn.execute(sa.select(jobs.c.name, jobs.c.detail).where(jobs.c.name.like("relays_given_up:%")))
        for name, detail in given_up.all():
            if not isinstance(detail, dict) or not detail.get("posts"):
                continue
            posts = [numbers.get(p, p) if isinstance(p, int) else p for p in detail["posts"]]
            conn.execute(sa.update(jobs).where(jobs.c.name == name).values(detail={**detail, "posts": posts}))
    renumbered = [
        post_id
        for (post_id,) in conn.execute(
            sa.text(
                "SELECT id FROM posts WHERE number <> id AND status = 'posted' "
                "AND message_ts IS NOT NULL AND purged_at IS NULL ORDER BY id"
            )
        ).all()
    ]
    if renumbered:
        conn.execute(
            sa.insert(jobs).values(
                name="retitle_posts", last_run_at=datetime(1970, 1, 1), detail={"posts": renumbered}, runs=0
            )
        )
    if conn.dialect.name == "postgresql":
        op.alter_column("posts", "number", existing_type=sa.Integer(), nullable=False)
    op.create_index("uq_posts_team_number", "posts", ["team_id", "number"], unique=True)


def downgrade() -> None:
    """Drops the numbers (posts keep their rows, messages, relays and flags). What stores a
    shown number (blocks, the audit log, the given-up relays) goes back to the row id,
    which is what the code before 0008 reads there. Buttons and forms sent since the upgrade
    (`p17`, `f17.2`) mean nothing to that code: they stop working."""
    conn = op.get_bind()
    for table in ("author_blocks", "audit_log"):
        conn.execute(
            sa.text(
                f"UPDATE {table} SET post_number = "
                f"(SELECT p.id FROM posts p WHERE p.number = {table}.post_number AND p.team_id = {table}.team_id) "
                f"WHERE post_number IS NOT NULL AND EXISTS "
                f"(SELECT 1 FROM posts p WHERE p.number = {table}.post_number AND p.team_id = {table}.team_id)"
            )
        )
    jobs = sa.table("job_runs", sa.column("name", sa.String()), sa.column("detail", sa.JSON()))
    given_up = conn.execute(sa.select(jobs.c.name, jobs.c.detail).where(jobs.c.name.like("relays_given_up:%")))
    for name, detail in given_up.all():
        if not isinstance(detail, dict) or not detail.get("posts"):
            continue
        team = name.split(":", 1)[1]
        ids = dict(conn.execute(sa.text("SELECT number, id FROM posts WHERE team_id = :t"), {"t": team}).all())
        posts = [ids.get(p, p) if isinstance(p, int) else p for p in detail["posts"]]
        conn.execute(sa.update(jobs).where(jobs.c.name == name).values(detail={**detail, "posts": posts}))
    op.drop_index("uq_posts_team_number", table_name="posts")
    # Not a batch (a rebuilt table): on SQLite, dropping the old `posts` with foreign keys on
    # would delete its messages, relays and flags. SQLite >= 3.35 drops a column in place.
    op.execute("ALTER TABLE posts DROP COLUMN number")
    op.execute("DELETE FROM job_runs WHERE name = 'retitle_posts'")
    op.drop_table("post_counters")
