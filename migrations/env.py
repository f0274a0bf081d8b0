"""Alembic environment for Flask-Migrate; the database comes from the app's configuration."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from oversight.scheduler import JOBS_TABLE

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))

# Tables that live in our database but belong to a library, which creates and upgrades them itself:
# APScheduler's job store. Autogenerate and `flask db check` ignore them.
FOREIGN_TABLES = {JOBS_TABLE}


def include_name(name, type_, parent_names):
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_db.metadata,
                      literal_binds=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("include_name", include_name)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (create a copy, copy the rows, drop the old, rename); with foreign
            # keys enforced, dropping a table that other rows refer to fails on a filled database. SQLite's
            # own procedure (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
            # Changes"): enforcement off outside any transaction, then `foreign_key_check` before committing.
            _raw_pragma(connection, "PRAGMA foreign_keys = OFF")
        try:
            context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                _raw_pragma(connection, "PRAGMA foreign_keys = ON")


def _raw_pragma(connection, statement: str) -> None:
    """A PRAGMA on the driver connection itself: SQLAlchemy would open a transaction first, and SQLite
    ignores `foreign_keys` inside one."""
    connection.connection.dbapi_connection.execute(statement)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
