"""Content stores behind one protocol: the embedded store (default, offline) and a Kubo-RPC node.

Both add files and directories with the importer's CIDs, stream file bytes back verified,
write directories out, and keep a pin set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from ..errors import OpenCommonsError
from .cid import Cid
from .importer import Importer
from .store import EmbeddedStore, cat, get, walk


class ContentStore(Protocol):
    """What publishing, the CLI and verification need from an IPFS store."""

    location: str
    #: whether adding content announces it to a network (a Kubo node provides it to the DHT):
    #: publishing then pins only after the dataset's id is taken on-chain
    announces: bool

    def add_path(self, path: Path, cid_version: int = 1, include_hidden: bool = False,
                 progress: Callable[[int], None] | None = None, dereference: bool = False) -> Cid: ...

    def add_bytes(self, data: bytes, cid_version: int = 1) -> Cid: ...

    def get_block(self, cid: Cid) -> bytes: ...

    def cat(self, cid: Cid) -> Iterator[bytes]: ...

    def get(self, cid: Cid, target: Path, progress: Callable[[int], None] | None = None) -> None: ...

    def pin(self, cid: Cid) -> None: ...

    def unpin(self, cid: Cid) -> None: ...

    def pins(self) -> list[Cid]: ...

    def verify(self, cid: Cid) -> int: ...


class EmbeddedContent:
    """The embedded block store as a content store: added content is pinned."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.location = str(store.home)
        self.announces = False

    def add_path(self, path: Path, cid_version: int = 1, include_hidden: bool = False,
                 progress: Callable[[int], None] | None = None, dereference: bool = False) -> Cid:
        cid = Importer(cid_version, sink=self.store, progress=progress, include_hidden=include_hidden,
                       dereference=dereference, workers=0).add_path(path).cid
        self.store.pin(cid)
        return cid

    def add_bytes(self, data: bytes, cid_version: int = 1) -> Cid:
        cid = Importer(cid_version, sink=self.store).add_bytes(data).cid
        self.store.pin(cid)
        return cid

    def get_block(self, cid: Cid) -> bytes:
        return self.store.get_block(cid)

    def cat(self, cid: Cid) -> Iterator[bytes]:
        return cat(self.store, cid)

    def get(self, cid: Cid, target: Path, progress: Callable[[int], None] | None = None) -> None:
        get(self.store, cid, target, progress)

    def pin(self, cid: Cid) -> None:
        self.store.pin(cid)

    def unpin(self, cid: Cid) -> None:
        self.store.unpin(cid)

    def pins(self) -> list[Cid]:
        return self.store.pins()

    def verify(self, cid: Cid) -> int:
        """Fetches every block of `cid` and re-hashes it; returns the block count."""
        return sum(1 for _ in walk(self.store, cid))


def open_store(kind: str = "embedded", home: Path | None = None, api: str | None = None) -> ContentStore:
    if kind == "embedded":
        return EmbeddedContent(EmbeddedStore(home))
    if kind == "kubo":
        from .kubo import KuboStore

        return KuboStore(api or "/ip4/127.0.0.1/tcp/5001/http")
    raise OpenCommonsError(f"unknown store {kind!r}: use embedded or kubo")
