"""Opening the index database: SQLite under $OPENCOMMONS_HOME by default, or any SQLAlchemy URL
(PostgreSQL through psycopg: ``postgresql://user@host:port/db``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex

from ..errors import IndexDatabaseError
from ..home import opencommons_home
from .schema import SCHEMA_VERSION, meta, metadata

DB_ENV = "OPENCOMMONS_INDEX_DB"


def default_url() -> str:
    home = opencommons_home()
    return f"sqlite:///{home / 'index.sqlite'}"


def resolve_url(value: str | None) -> str:
    """`--db` as given, else $OPENCOMMONS_INDEX_DB, else the embedded SQLite file. A bare path is a
    SQLite file; ``postgresql://`` is served by psycopg 3."""
    value = value or os.environ.get(DB_ENV) or default_url()
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    scheme = value.split("://", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if scheme not in ("sqlite", "postgresql+psycopg"):
        raise IndexDatabaseError(f"unsupported index database {safe_url(value)}: give a SQLite file (a path) or "
                                 "postgresql://USER@HOST/DB")
    return value


def exists(url: str) -> bool:
    """Whether an index is there to read (a SQLite file that exists; any server URL)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).is_file()
    return True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # a follower writes while commands read
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(url: str, create: bool = True) -> Engine:
    """An engine on `url` with the schema in place (created when `create`); a clear error when the
    server is unreachable or the schema is another version's."""
    if url.startswith("sqlite:///") and create:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise IndexDatabaseError(f"cannot open index database {safe_url(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as conn:
            if create:
                metadata.create_all(conn)
                for table in metadata.sorted_tables:  # an index a later version added to an existing table
                    for index in table.indexes:  # (reflection cannot see an expression's index: IF NOT EXISTS)
                        conn.execute(CreateIndex(index, if_not_exists=True))
            version = conn.execute(select(meta.c.value).where(meta.c.key == "schema")).scalar()
            if version is None and create:
                conn.execute(meta.insert().values(key="schema", value=str(SCHEMA_VERSION)))
            elif version is not None and int(version) != SCHEMA_VERSION:
                raise IndexDatabaseError(f"the index at {safe_url(url)} has schema {version}, this version reads "
                                         f"{SCHEMA_VERSION}: delete it and run `commons index sync`")
    except SQLAlchemyError as exc:
        raise IndexDatabaseError(f"cannot open index database {safe_url(url)}: "
                                 f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}") from exc
    return engine


def safe_url(url: str) -> str:
    """`url` as people typed it (postgresql://, not the driver's name) and without a password."""
    if url.startswith("postgresql+psycopg://"):
        url = "postgresql://" + url.split("://", 1)[1]
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}@{host}"
    return url
