"""Indexes for the score listings: a player's best and recent scores, a map's leaderboard.

Each lets the database read a page in index order instead of sorting every matching score (on 1M scores
a prolific player's recent page, or a popular map's leaderboard, otherwise sorts thousands of rows).
Add-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op

from hitcircle.db.migrations.indexes import create_missing_indexes
from hitcircle.db.schema import SCORE_LISTING_INDEXES

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_missing_indexes(op.get_bind(), "scores", SCORE_LISTING_INDEXES)


def downgrade() -> None:
    raise NotImplementedError("hitcircle migrations are add-only")
