"""Alembic environment: runs inside the Flask app, on the app's engine (SQLite or PostgreSQL)."""

from alembic import context
from flask import current_app

from portal.extensions import db

config = context.config
target_metadata = db.metadata


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Batch mode on SQLite copies a table and drops the old one; with foreign keys enforced,
    dropping a table other tables refer to fails on a database with data. The pragma only
    works outside a transaction, so it is set on the driver's connection before Alembic
    begins, and the keys are checked (foreign_key_check) before they are switched on again."""
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if on:
            broken = cursor.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"Migrations left rows whose foreign key points nowhere: {broken}")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=sqlite, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():  # pragma: no cover
    context.configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"],
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
