"""Alembic environment: the engine comes from the caller (``screening db upgrade``)."""

from __future__ import annotations

from alembic import context

from screening.storage.tables import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line: build from the environment
    from screening.settings import Settings
    from screening.storage.db import make_engine

    engine = make_engine(Settings.from_env().resolved().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
