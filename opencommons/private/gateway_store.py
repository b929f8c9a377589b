"""The gateway's shared state, in SQL (SQLite, or PostgreSQL for several instances behind a load
balancer): the data keys it holds, each still wrapped for the gateway's own X25519 key (so a copy
of the database alone opens nothing); the Sign-In with Ethereum nonces it issued (each usable
once, by any instance); and the log of every grant and refusal with the block it was checked at.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Float, Integer, MetaData, String, Table, Text, delete,
                        func, insert, select, update)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

metadata = MetaData()
keys = Table("gateway_keys", metadata,
             Column("dataset", String(80), primary_key=True),
             Column("content", String(120), nullable=False),
             Column("wrapped", Text, nullable=False))
nonces = Table("gateway_nonces", metadata,
               Column("nonce", String(64), primary_key=True),
               Column("expires", Float, nullable=False),
               Column("used", Boolean, nullable=False, default=False))
grants = Table("gateway_grants", metadata,
               Column("id", Integer, primary_key=True, autoincrement=True),
               Column("at", Float, nullable=False),
               Column("block", BigInteger),
               Column("account", String(42)),
               Column("dataset", String(80)),
               Column("path", Text),
               Column("granted", Boolean, nullable=False),
               Column("reason", Text),
               Column("details", JSON))


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def put_key(self, dataset: int, content: str, wrapped: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            found = conn.execute(select(keys.c.dataset).where(keys.c.dataset == str(dataset))).first()
            if found is None:
                conn.execute(insert(keys).values(dataset=str(dataset), content=content, wrapped=json.dumps(wrapped)))
            else:
                conn.execute(update(keys).where(keys.c.dataset == str(dataset)).values(
                    content=content, wrapped=json.dumps(wrapped)))

    def delete_key(self, dataset: int) -> bool:
        """Destroys the data key held for `dataset` (crypto-shredding); whether there was one."""
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(keys).where(keys.c.dataset == str(dataset))).rowcount)

    def wrapped_key(self, dataset: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(keys.c.wrapped).where(keys.c.dataset == str(dataset))).first()
        return json.loads(row[0]) if row else None

    def issue_nonce(self, nonce: str, ttl: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(nonces).values(nonce=nonce, expires=time.time() + ttl, used=False))

    def purge_nonces(self) -> int:
        """Forgets expired nonces (used or not); returns how many."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(nonces).where(nonces.c.expires <= time.time())).rowcount or 0)

    def open_nonces(self) -> int:
        """Unused nonces that have not expired."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(nonces).where(
                nonces.c.used.is_(False), nonces.c.expires > time.time())).scalar_one())

    def use_nonce(self, nonce: str) -> bool:
        """True once for a nonce this gateway issued and that has not expired (any instance)."""
        try:
            with self.engine.begin() as conn:
                done = conn.execute(update(nonces).where(nonces.c.nonce == nonce, nonces.c.used.is_(False),
                                                         nonces.c.expires > time.time()).values(used=True))
                return done.rowcount == 1
        except IntegrityError:
            return False

    def log(self, block: int | None, account: str | None, dataset: str | None, path: str | None, granted: bool,
            reason: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(grants).values(at=time.time(), block=block, account=account, dataset=dataset,
                                               path=path, granted=granted, reason=reason))

    def log_rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(grants).order_by(grants.c.id))]


def open_keystore(db: str) -> KeyStore:
    """The key store at `db`: a SQLite file path, or any SQLAlchemy URL (postgresql://...)."""
    from pathlib import Path

    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from ..errors import OpenCommonsError
    from ..index.database import resolve_url, safe_url

    url = resolve_url(db)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        return KeyStore(create_engine(url, pool_pre_ping=not url.startswith("sqlite")))
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise OpenCommonsError(f"cannot open the gateway's key store {safe_url(url)}: "
                               f"{str(getattr(exc, 'orig', exc)).splitlines()[0]}") from None
