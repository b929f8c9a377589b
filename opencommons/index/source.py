"""Choosing where a read command's answer comes from: the index when one is synced to the chain's
head (same block, same hash), the chain otherwise. Both give identical answers."""

from __future__ import annotations

from collections.abc import Callable

from ..chainreads import ChainReader, Reader
from ..errors import ChainIndexError
from ..suite import Commons
from .database import exists, open_engine, resolve_url
from .reads import IndexReader


def reader_for(commons: Commons, db: str | None, no_index: bool = False,
               note: Callable[[str], None] = lambda _: None) -> Reader:
    if no_index:
        return ChainReader(commons)
    url = resolve_url(db)
    if not exists(url):
        if db:
            raise ChainIndexError(f"no index at {db}: run `commons index sync --db {db}` first")
        return ChainReader(commons)
    engine = open_engine(url, create=False)
    reader = IndexReader.find(engine, commons.deployment.chain_id, commons.deployment.addresses["DatasetNFT"])
    if reader is None:
        note("note: the index does not cover this deployment yet; answering from the chain "
             "(`commons index sync` adds it)")
        return ChainReader(commons)
    behind = lag_note(commons, reader)
    if behind:
        note(behind)
        return ChainReader(commons)
    return reader


def lag_note(commons: Commons, reader: IndexReader) -> str | None:
    """Why `reader` cannot answer for the chain's head now (behind it, or on a reorganised-away
    branch), or None when it can."""
    # the head's number and hash in one request: an index synced to the head keeps the head's hash
    # (the indexer tracks the last block it read), so most answers need no second one
    latest = commons.w3.eth.get_block("latest")
    head = int(latest["number"])
    next_block = reader.next_block()
    top = reader.top_block()
    if next_block <= head:
        return (f"note: the index is {head - next_block + 1} blocks behind the chain (synced to {next_block - 1}, "
                f"head {head}); answering from the chain (`commons index sync` catches up)")
    if top is not None:
        try:
            block = latest if top[0] == head else commons.w3.eth.get_block(top[0])
            same = block["hash"].to_0x_hex() == top[1]
        except Exception:  # noqa: BLE001 - the block is gone: a shorter chain after a reorg
            same = False
        if not same:
            return ("note: the chain reorganised since the index was synced; answering from the chain "
                    "(`commons index sync` rolls the index back and re-reads)")
    return None
