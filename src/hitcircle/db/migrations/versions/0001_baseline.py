"""Baseline: bancho.py's schema, hitcircle's indexes and the seed rows.

Works on an empty database (creates everything) and on an existing bancho.py database (creates only
what is missing: tables, plain indexes, seed rows). Nothing is ever dropped, renamed or altered.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from alembic import op

from hitcircle.db.bootstrap import ensure_schema, ensure_seed_rows

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    ensure_schema(bind)
    ensure_seed_rows(bind)


def downgrade() -> None:
    raise NotImplementedError("hitcircle never drops bancho.py tables")
