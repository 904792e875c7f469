"""Repositories: all SQL, one module per aggregate, returning plain rows."""
