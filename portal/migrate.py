"""Alembic, driven from the app (no alembic.ini needed): `portal init-db` and the tests use this."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.config import PROJECT_ROOT


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    return cfg


def upgrade(revision: str = "head") -> None:
    """Bring the schema of the current app's database to `revision`. Needs an app context."""
    command.upgrade(alembic_config(), revision)


def make_revision(message: str) -> None:
    command.revision(alembic_config(), message=message, autogenerate=True)


def schema_is_current() -> bool:
    """Does the current app's database have every migration (`portal init-db` ran)?"""
    from portal.extensions import db

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    # The session's own connection: the command's unit of work goes on in the same transaction
    # (and on SQLite a second connection would queue behind the first one's write lock).
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    return current == heads
