"""Persistence: SQLAlchemy 2.0 typed models, sessions and Alembic migrations."""
