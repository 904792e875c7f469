"""Indexes for the score listings: a player's best and recent scores, a map's leaderboard.

Each lets the database read a page in index order instead of sorting every matching score (on 1M scores
a prolific player's recent page, or a popular map's leaderboard, otherwise sorts thousands of rows).
Add-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op
from sqlalchemy import inspect

from hitcircle.db.schema import SCORE_LISTING_INDEXES

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    existing = {index["name"] for index in inspect(bind).get_indexes("scores")}
    for index in SCORE_LISTING_INDEXES:
        if index.name not in existing:
            index.create(bind)


def downgrade() -> None:
    raise NotImplementedError("hitcircle migrations are add-only")
