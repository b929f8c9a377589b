"""Block stores behind one protocol; the embedded on-disk store is the default (offline).

The embedded store keeps each block in ``<home>/blocks/<xx>/<sha256 hex>`` (written to a
temporary file, then renamed: never half-written) and the pin set in ``<home>/pins.json``.
Every read re-hashes the block, so a corrupted block is detected and named.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ..errors import BlockNotFoundError, CorruptBlockError, IpfsError
from .cid import DAG_PB, RAW, Cid
from .unixfs import TYPE_DIRECTORY, decode_node

HOME_ENV = "OPENCOMMONS_IPFS_HOME"


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".opencommons" / "ipfs")


class BlockStore(Protocol):
    """What the importer, `cat`, pinning and verification need from a store."""

    def put_block(self, cid: Cid, block: bytes) -> None: ...

    def get_block(self, cid: Cid) -> bytes: ...

    def has_block(self, cid: Cid) -> bool: ...

    def pin(self, cid: Cid) -> None: ...

    def unpin(self, cid: Cid) -> None: ...

    def pins(self) -> list[Cid]: ...


class EmbeddedStore:
    def __init__(self, home: Path | None = None) -> None:
        self.home = Path(home) if home else default_home()
        self.blocks = self.home / "blocks"
        self.blocks.mkdir(parents=True, exist_ok=True)
        self._pins_file = self.home / "pins.json"

    def _path(self, cid: Cid) -> Path:
        digest = cid.digest.hex()
        return self.blocks / digest[:2] / digest

    def put_block(self, cid: Cid, block: bytes) -> None:
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"block does not hash to {cid}")
        path = self._path(cid)
        if path.exists():
            return
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(block)
        os.replace(tmp, path)

    def get_block(self, cid: Cid) -> bytes:
        path = self._path(cid)
        try:
            block = path.read_bytes()
        except FileNotFoundError:
            raise BlockNotFoundError(f"{cid} is not in the store at {self.home}") from None
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"block {cid} on disk is corrupted ({path})")
        return block

    def has_block(self, cid: Cid) -> bool:
        return self._path(cid).exists()

    # ------------------------------------------------------------------ pins
    def pins(self) -> list[Cid]:
        if not self._pins_file.exists():
            return []
        try:
            return [Cid.parse(c) for c in json.loads(self._pins_file.read_text())]
        except ValueError as exc:
            raise IpfsError(f"pin set {self._pins_file} is unreadable: {exc}") from exc

    def _save_pins(self, pins: list[Cid]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.home, prefix=".pins-")
        with os.fdopen(fd, "w") as handle:
            json.dump(sorted({str(p.to_v1()) for p in pins}), handle)
        os.replace(tmp, self._pins_file)

    def pin(self, cid: Cid) -> None:
        for _ in walk(self, cid):  # a pin must be complete: every block present and valid
            pass
        pins = self.pins()
        if not any(p.same_content(cid) for p in pins):
            self._save_pins(pins + [cid])

    def unpin(self, cid: Cid) -> None:
        pins = self.pins()
        kept = [p for p in pins if not p.same_content(cid)]
        if len(kept) == len(pins):
            raise BlockNotFoundError(f"{cid} is not pinned")
        self._save_pins(kept)

    def gc(self) -> int:
        """Removes every block no pin reaches; returns how many."""
        keep = {c.digest.hex() for pin in self.pins() for c in walk(self, pin)}
        removed = 0
        for path in self.blocks.glob("*/*"):
            if path.name not in keep:
                path.unlink()
                removed += 1
        return removed


def walk(store: BlockStore, root: Cid) -> Iterator[Cid]:
    """Every CID of the DAG under `root`, each block fetched and verified."""
    stack = [root]
    while stack:
        cid = stack.pop()
        block = store.get_block(cid)
        yield cid
        if cid.codec == DAG_PB:
            stack.extend(Cid.from_bytes(link.cid_bytes) for link in reversed(decode_node(block).links))


def cat(store: BlockStore, cid: Cid) -> Iterator[bytes]:
    """The bytes of a UnixFS file, streamed block by block, each block verified."""
    block = store.get_block(cid)
    if cid.codec == RAW:
        yield block
        return
    node = decode_node(block)
    if node.kind == TYPE_DIRECTORY:
        raise IpfsError(f"{cid} is a directory, not a file")
    if node.data:
        yield node.data
    for link in node.links:
        yield from cat(store, Cid.from_bytes(link.cid_bytes))


def get(store: BlockStore, cid: Cid, target: Path) -> None:
    """Writes the file or directory `cid` to `target`, verifying every block."""
    block = store.get_block(cid)
    if cid.codec == DAG_PB and decode_node(block).kind == TYPE_DIRECTORY:
        target.mkdir(parents=True, exist_ok=True)
        for link in decode_node(block).links:
            get(store, Cid.from_bytes(link.cid_bytes), target / link.name)
        return
    with open(target, "wb") as handle:
        for part in cat(store, cid):
            handle.write(part)
