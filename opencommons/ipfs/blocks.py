"""The one thing every reader of a DAG needs: blocks by CID, each verified against it; and a
budget that bounds what one operation may read from content nobody here wrote."""

from __future__ import annotations

from typing import Protocol

from ..errors import BlockNotFoundError, DagBudgetError, IpfsError
from .cid import Cid

#: the largest block IPFS peers exchange (bitswap): none is written here or accepted from a peer
MAX_BLOCK_SIZE = 1 << 20

#: what one operation may read by default: block fetches (a repeated link counts each time it is
#: followed) and their bytes. Generous for real datasets (a 64 GiB file is 262,144 chunks), and a
#: few kilobytes of linked blocks can no longer make a walk or a download run without end.
DEFAULT_MAX_BLOCKS = 4_000_000
DEFAULT_MAX_BYTES = 1 << 40


class BlockSource(Protocol):
    """What `walk`, `cat`, `get` and directory lookups need from a store or a node."""

    def get_block(self, cid: Cid) -> bytes: ...


class FirstOf:
    """Blocks from the first of `sources` that has them: the local store, then the gateways and
    nodes a commons names. A source that lacks a block, cannot be reached or answers a wrong one
    (each re-hashes what it returns) is passed over for the next."""

    def __init__(self, sources: list[BlockSource]) -> None:
        self.sources = sources
        self.location = " then ".join(str(getattr(s, "location", type(s).__name__)) for s in sources)

    def get_block(self, cid: Cid) -> bytes:
        reasons = []
        for source in self.sources:
            try:
                return source.get_block(cid)
            except IpfsError as exc:  # missing, unreachable or corrupt: try the next
                reasons.append(str(exc))
        raise BlockNotFoundError(f"block {cid} is in none of the content sources: {'; '.join(reasons)}")


class Budgeted:
    """`source` with a budget: past `max_blocks` fetches or `max_bytes` bytes fetched, every further
    read raises :class:`DagBudgetError` naming the limit, so one operation on hostile content
    (repeated links, huge fan-out) stops instead of reading without end."""

    def __init__(self, source: BlockSource, max_blocks: int = DEFAULT_MAX_BLOCKS,
                 max_bytes: int = DEFAULT_MAX_BYTES, what: str = "this operation") -> None:
        self.source, self.max_blocks, self.max_bytes, self.what = source, max_blocks, max_bytes, what
        self.blocks = self.bytes = 0

    def get_block(self, cid: Cid) -> bytes:
        if self.blocks >= self.max_blocks:
            raise DagBudgetError(f"{self.what} read {self.blocks:,} blocks, its limit: the content links blocks "
                                 "over and over (a DAG bomb?) or is larger than this operation allows")
        block = self.source.get_block(cid)
        self.blocks += 1
        self.bytes += len(block)
        if self.bytes > self.max_bytes:
            raise DagBudgetError(f"{self.what} read {self.bytes:,} bytes, over its limit of {self.max_bytes:,}")
        return block

    def __getattr__(self, name: str) -> object:  # location, pins, ... of the wrapped source
        return getattr(self.source, name)


def budgeted(source: BlockSource, max_blocks: int = DEFAULT_MAX_BLOCKS, max_bytes: int = DEFAULT_MAX_BYTES,
             what: str = "this operation") -> Budgeted:
    return Budgeted(source, max_blocks, max_bytes, what)
