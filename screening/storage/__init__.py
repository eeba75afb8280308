"""Persistence: SQLAlchemy 2 tables, Alembic migrations and repositories.

SQLite (a file in the instance folder) is the embedded default; PostgreSQL is
the production database. Transactions are opened at the use-case edge with
:func:`~screening.storage.db.session_scope`, never inside model methods.
"""
