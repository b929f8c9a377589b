"""The one thing every reader of a DAG needs: blocks by CID, each verified against it."""

from __future__ import annotations

from typing import Protocol

from .cid import Cid


class BlockSource(Protocol):
    """What `walk`, `cat`, `get` and directory lookups need from a store or a node."""

    def get_block(self, cid: Cid) -> bytes: ...
