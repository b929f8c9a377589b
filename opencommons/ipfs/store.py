"""Block stores behind one protocol; the embedded on-disk store is the default (offline).

The embedded store keeps each block in ``<home>/blocks/<xx>/<sha256 hex>`` (written to a
temporary file, then renamed: never half-written) and each pinned root as an empty file
``<home>/pins/<CIDv1>`` (a pin is added only once every block of its DAG is present and valid).
Every read re-hashes the block, so a corrupted block is detected and named.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from ..home import opencommons_home
from ..errors import BlockNotFoundError, CorruptBlockError, IpfsError, MalformedDagError, UnsafePathError
from .blocks import MAX_BLOCK_SIZE, BlockSource
from .cid import DAG_PB, RAW, Cid
from .directory import check_names, entries, is_directory
from .unixfs import TYPE_SYMLINK, DecodedNode, decode_node

HOME_ENV = "OPENCOMMONS_IPFS_HOME"


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or opencommons_home("ipfs"))


#: how deep a file's DAG or a folder tree may nest: Kubo's balanced DAG of a 1 TiB file is 5 levels,
#: and a path of 256 folders is longer than most filesystems take
MAX_FILE_DEPTH = 64
MAX_TREE_DEPTH = 256


class BlockStore(BlockSource, Protocol):
    """What the importer, `cat`, pinning and verification need from a store."""

    def put_block(self, cid: Cid, block: bytes) -> None: ...

    def has_block(self, cid: Cid) -> bool: ...

    def pin(self, cid: Cid) -> None: ...

    def unpin(self, cid: Cid) -> None: ...

    def pins(self) -> list[Cid]: ...


class EmbeddedStore:
    def __init__(self, home: Path | None = None) -> None:
        self.home = Path(home) if home else default_home()
        self.blocks = self.home / "blocks"
        self.blocks.mkdir(parents=True, exist_ok=True)
        self._pins_dir = self.home / "pins"
        self._pins_dir.mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._folders: set[str] = set()  # the blocks' two-hex-digit folders known to exist

    @contextmanager
    def _pins_locked(self) -> Iterator[None]:
        """The pin set is read-modified-written under a lock: threads and other processes wait."""
        with self._lock, open(self.home / ".pins.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _path(self, cid: Cid) -> Path:
        digest = cid.digest.hex()
        return self.blocks / digest[:2] / digest

    def put_block(self, cid: Cid, block: bytes) -> None:
        if len(block) > MAX_BLOCK_SIZE:
            raise IpfsError(f"block {cid} is {len(block):,} bytes, over the {MAX_BLOCK_SIZE:,} IPFS peers exchange")
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"block does not hash to {cid}")
        digest = cid.digest.hex()
        folder = os.path.join(self.blocks, digest[:2])
        path = os.path.join(folder, digest)
        if os.path.exists(path):
            return
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        # written whole under a name no other writer uses (this process and thread), then renamed:
        # a reader sees the whole block or none, as with a temporary file of a random name
        tmp = os.path.join(folder, f".tmp-{digest}-{os.getpid()}-{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(block)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def get_block(self, cid: Cid) -> bytes:
        # a plain string path: pathlib interns every part, and a 1 GiB read touching thousands of
        # block names grew the interpreter's intern table by ~4 MB (tracemalloc, benchmarks/get.py)
        digest = cid.digest.hex()
        path = os.path.join(self.blocks, digest[:2], digest)
        try:
            with open(path, "rb") as handle:
                block = handle.read()
        except FileNotFoundError:
            raise BlockNotFoundError(f"{cid} is not in the store at {self.home}") from None
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"block {cid} on disk is corrupted ({path})")
        return block

    def has_block(self, cid: Cid) -> bool:
        return self._path(cid).exists()

    # ------------------------------------------------------------------ pins
    def pins(self) -> list[Cid]:
        return sorted(Cid.parse(path.name) for path in self._pins_dir.iterdir() if not path.name.startswith("."))

    def pin(self, cid: Cid) -> None:
        for _ in walk(self, cid):  # a pin must be complete: every block present and valid
            pass
        self.pin_checked(cid)

    def pin_checked(self, cid: Cid) -> None:
        """Pins `cid` whose DAG the caller found complete and valid in this store."""
        with self._pins_locked():
            (self._pins_dir / str(cid.to_v1())).touch()

    def unpin(self, cid: Cid) -> None:
        with self._pins_locked():
            path = self._pins_dir / str(cid.to_v1())
            if not path.exists():
                raise BlockNotFoundError(f"{cid} is not pinned")
            path.unlink()

    def gc(self) -> int:
        """Removes every block no pin reaches; returns how many."""
        with self._pins_locked():
            keep = {c.digest.hex() for pin in self.pins() for c in walk(self, pin)}
            removed = 0
            for path in self.blocks.glob("*/[0-9a-f]*"):
                if path.name not in keep:
                    path.unlink()
                    removed += 1
        return removed


def walk(store: BlockSource, root: Cid) -> Iterator[Cid]:
    """Every CID of the DAG under `root`, each block fetched and verified; a directory entry whose
    name could not be written out safely is refused (:func:`directory.check_names`)."""
    for cid, _ in walk_blocks(store, root):
        yield cid


def walk_blocks(store: BlockSource, root: Cid) -> Iterator[tuple[Cid, bytes]]:
    """:func:`walk` with each block (depth first, in link order: a CAR's usual order). A block
    linked more than once is fetched and yielded once: a few kilobytes of blocks that link each
    other over and over cannot make pinning, gc or an export walk exponentially."""
    stack = [root]
    seen: set[bytes] = set()
    while stack:
        cid = stack.pop()
        if cid.digest in seen:
            continue
        seen.add(cid.digest)
        block = store.get_block(cid)
        yield cid, block
        if cid.codec == DAG_PB:
            node = decode_node(block)
            check_names(node, cid)
            stack.extend(c for c in (Cid.from_bytes(link.cid_bytes) for link in reversed(node.links))
                         if c.digest not in seen)


def cat(store: BlockSource, cid: Cid) -> Iterator[bytes]:
    """The bytes of a UnixFS file, streamed block by block, each block verified. The file yields
    exactly the size its root declares, each child exactly its `blocksizes` entry: a file whose
    nodes disagree with their children is refused at the first difference, so a few blocks cannot
    stream more than the root says (bound the whole read with :func:`blocks.budgeted`)."""
    block = store.get_block(cid)
    if cid.codec == RAW:
        yield block
        return
    node = decode_node(block)
    if is_directory(node):
        raise IpfsError(f"{cid} is a directory, not a file")
    if node.kind == TYPE_SYMLINK:
        raise IpfsError(f"{cid} is a symbolic link to {_target(node.data)!r}, not a file")
    yield from _file_parts(store, cid, node, 0)


def _file_parts(store: BlockSource, cid: Cid, node: DecodedNode, depth: int) -> Iterator[bytes]:
    if depth > MAX_FILE_DEPTH:
        raise MalformedDagError(f"file node {cid} is {depth} levels deep: a file's DAG nests at most "
                                f"{MAX_FILE_DEPTH}")
    sizes = node.blocksizes or []
    declared = node.filesize if node.filesize is not None else len(node.data or b"") + sum(sizes)
    if len(sizes) != len(node.links) or len(node.data or b"") + sum(sizes) != declared:
        raise MalformedDagError(f"file node {cid} declares {declared:,} bytes but its data and {len(node.links)} "
                                f"children ({len(sizes)} block sizes) do not add up to it")
    if node.data:
        yield node.data
    for link, size in zip(node.links, sizes):
        child = Cid.from_bytes(link.cid_bytes)
        block = store.get_block(child)
        if child.codec == RAW:
            if len(block) != size:
                raise MalformedDagError(f"file node {cid} says its child {child} holds {size:,} bytes; it holds "
                                        f"{len(block):,}")
            yield block
            continue
        sub = decode_node(block)
        if is_directory(sub) or sub.kind == TYPE_SYMLINK:
            raise MalformedDagError(f"file node {cid} links {child}, which is not part of a file")
        holds = sub.filesize if sub.filesize is not None else len(sub.data or b"")
        if holds != size:
            raise MalformedDagError(f"file node {cid} says its child {child} holds {size:,} bytes; it declares "
                                    f"{holds:,}")
        yield from _file_parts(store, child, sub, depth + 1)


def content_size(store: BlockSource, cid: Cid) -> int:
    """About how many bytes `get` will write (a file's size; for a directory the DAG size its
    links record, a little more than its files' bytes): for a progress bar."""
    block = store.get_block(cid)
    if cid.codec == RAW:
        return len(block)
    node = decode_node(block)
    if is_directory(node):
        return sum(link.tsize for link in node.links)
    return node.filesize or len(node.data)


def get(store: BlockSource, cid: Cid, target: Path, progress: Callable[[int], None] | None = None,
        max_blocks: int | None = None) -> None:
    """Writes the file or directory `cid` to `target`, verifying every block.

    Everything is written under a hidden partial name beside `target` and renamed to `target`
    only once every block has been verified: an interrupted or refused `get` never leaves a
    truncated file or half a directory under the final name (the partial one is removed, unless
    the process is killed).
    """
    partial = target.parent / f".{target.name}.partial-{os.getpid()}-{threading.get_ident()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    from .blocks import DEFAULT_MAX_BLOCKS, budgeted

    try:
        _write(budgeted(store, max_blocks or DEFAULT_MAX_BLOCKS, what=f"getting {cid}"), cid, partial, progress)
        os.replace(partial, target)
    except BaseException:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
        raise


def _write(store: BlockSource, cid: Cid, path: Path, progress: Callable[[int], None] | None = None,
           depth: int = 0) -> None:
    block = store.get_block(cid)
    if cid.codec == DAG_PB:
        node = decode_node(block)
        if is_directory(node):
            if depth >= MAX_TREE_DEPTH:
                raise MalformedDagError(f"folder {cid} is nested {depth} folders deep: at most {MAX_TREE_DEPTH}")
            path.mkdir()
            for name, link in entries(store, cid, node):
                _write(store, Cid.from_bytes(link.cid_bytes), path / name, progress, depth + 1)
            return
        if node.kind == TYPE_SYMLINK:
            # restored as Kubo's `get` does (the target is not followed, nothing is written
            # through it: names are unique, and files and folders are created exclusively)
            if not node.data or b"\0" in node.data:
                raise UnsafePathError(f"symbolic link {cid} has an empty target or one with a NUL byte: "
                                      "refusing this content")
            os.symlink(node.data, path)
            return
    with open(path, "xb") as handle:
        for part in cat(store, cid):
            handle.write(part)
            if progress:
                progress(len(part))


def _target(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


#: the largest JSON document (a manifest, a Croissant file) read whole from content: a manifest
#: of a 100,000-file dataset is about 20 MB
MAX_DOCUMENT = 64 << 20


def read_document(store: BlockSource, cid: Cid, what: str = "document", limit: int = MAX_DOCUMENT) -> Any:
    """The JSON document `cid` (a manifest, a Croissant file): its declared size is checked
    against `limit` before a byte of it is read, and it is read through a budget, so a hostile
    publisher's "manifest" cannot make a reader (a gateway's registration endpoint) load gigabytes."""
    import json

    size = file_size(store, cid)
    if size > limit:
        raise MalformedDagError(f"the {what} {cid} is {size:,} bytes, over the {limit:,} a {what} may have")
    from .blocks import budgeted

    data = b"".join(cat(budgeted(store, max_blocks=limit // 1024 + 16, max_bytes=2 * limit + (1 << 20),
                                 what=f"reading the {what}"), cid))
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise MalformedDagError(f"the {what} {cid} is not JSON") from None


def file_size(store: BlockSource, cid: Cid) -> int:
    """The byte length of the UnixFS file `cid` (its root block fetched and verified)."""
    block = store.get_block(cid)
    if cid.codec == RAW:
        return len(block)
    node = decode_node(block)
    if is_directory(node) or node.kind == TYPE_SYMLINK:
        raise IpfsError(f"{cid} is not a file")
    return node.filesize if node.filesize is not None else len(node.data)


def read_range(store: BlockSource, cid: Cid, start: int, end: int) -> bytes:
    """Bytes [start, end) of the UnixFS file `cid`, fetching (and verifying) only the blocks on
    the path to that range: a file node's `blocksizes` say which children hold which bytes."""
    out = bytearray()
    _read_range(store, cid, max(0, start), end, out, 0)
    return bytes(out)


def _read_range(store: BlockSource, cid: Cid, start: int, end: int, out: bytearray, depth: int) -> None:
    if end <= start:
        return
    if depth > MAX_FILE_DEPTH:
        raise MalformedDagError(f"file node {cid} is {depth} levels deep: a file's DAG nests at most "
                                f"{MAX_FILE_DEPTH}")
    block = store.get_block(cid)
    if cid.codec == RAW:
        out += memoryview(block)[start:end]  # no intermediate copy of the slice
        return
    node = decode_node(block)
    if is_directory(node) or node.kind == TYPE_SYMLINK:
        raise IpfsError(f"{cid} is not a file")
    offset = 0
    if node.data:
        out += memoryview(node.data)[start:end]
        offset = len(node.data)
    sizes = node.blocksizes or []
    if len(sizes) != len(node.links):
        raise IpfsError(f"file node {cid} lists {len(sizes)} block sizes for {len(node.links)} links")
    for link, size in zip(node.links, sizes):
        if offset >= end:
            break
        if offset + size > start:
            _read_range(store, Cid.from_bytes(link.cid_bytes), max(0, start - offset), min(size, end - offset), out,
                        depth + 1)
        offset += size
