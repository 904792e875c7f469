"""Storage: the bancho.py schema (SQLAlchemy Core), engines for SQLite/MariaDB/PostgreSQL, migrations."""
