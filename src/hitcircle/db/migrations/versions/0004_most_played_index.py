"""Index for get_player_most_played: (userid, mode, map_md5).

A player's plays per map are counted from the index alone, without reading each score's row (a player
with 20k scores took 260 ms on MariaDB without it). Add-only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from alembic import op

from hitcircle.db.migrations.indexes import create_missing_indexes
from hitcircle.db.schema import MOST_PLAYED_INDEXES

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_missing_indexes(op.get_bind(), "scores", MOST_PLAYED_INDEXES)


def downgrade() -> None:
    raise NotImplementedError("hitcircle migrations are add-only")
