"""`ipfs add` as Kubo does it by default, offline: fixed 262,144-byte chunks, a balanced DAG of
at most 174 links per node, UnixFS in dag-pb, sha2-256. CIDv0 uses dag-pb leaves; CIDv1 (as
`--cid-version=1`) uses raw leaves. Directories as `ipfs add -r`: entries sorted by name, empty
sub-directories kept, hidden files left out unless asked, no wrapping directory.

Files stream through in constant memory: at most one chunk plus one pending node per DAG level.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import InputPathError
from .cid import DAG_PB, RAW, Cid
from .unixfs import Link, directory_node, file_leaf, file_node, name_bytes

CHUNK_SIZE = 262_144
MAX_LINKS = 174


class BlockSink(Protocol):
    """Where imported blocks go (a store, or nowhere for --only-hash)."""

    def put_block(self, cid: Cid, block: bytes) -> None: ...


class NullSink:
    def put_block(self, cid: Cid, block: bytes) -> None:
        return None


@dataclass(frozen=True)
class Node:
    """An imported file or directory: its CID, content size and cumulative DAG size."""

    cid: Cid
    size: int
    tsize: int

    def link(self, name: str = "") -> Link:
        return Link(self.cid.to_bytes(), name, self.tsize)


@dataclass(frozen=True)
class FileEntry:
    """One file of an imported directory, for manifests."""

    path: str
    size: int
    cid: Cid


class Importer:
    def __init__(self, cid_version: int = 0, sink: BlockSink | None = None,
                 progress: Callable[[int], None] | None = None) -> None:
        if cid_version not in (0, 1):
            raise ValueError(f"cid version must be 0 or 1, got {cid_version}")
        self.version = cid_version
        self.sink = sink or NullSink()
        self.progress = progress
        self.files: list[FileEntry] = []

    # ------------------------------------------------------------------ blocks
    def _emit(self, block: bytes, codec: int) -> Cid:
        cid = Cid.for_block(block, codec, self.version)
        self.sink.put_block(cid, block)
        return cid

    def _leaf(self, chunk: bytes) -> tuple[Node, int]:
        if self.version == 1:
            return Node(self._emit(chunk, RAW), len(chunk), len(chunk)), len(chunk)
        block = file_leaf(chunk)
        return Node(self._emit(block, DAG_PB), len(chunk), len(block)), len(chunk)

    def _parent(self, children: list[Node]) -> Node:
        block = file_node([c.link() for c in children], [c.size for c in children])
        cid = self._emit(block, DAG_PB)
        return Node(cid, sum(c.size for c in children), len(block) + sum(c.tsize for c in children))

    # ------------------------------------------------------------------ files
    def add_stream(self, stream: BinaryIO) -> Node:
        levels: list[list[Node]] = [[]]
        first = True
        while True:
            chunk = _read_chunk(stream)
            if not chunk and not first:
                break
            first = False
            leaf, n = self._leaf(chunk)
            self._push(levels, 0, leaf)
            if self.progress:
                self.progress(n)
            if len(chunk) < CHUNK_SIZE:
                break
        depth = 0
        while True:
            level = levels[depth]
            if depth == len(levels) - 1:
                # the top level: a single node is the root, several get one parent
                return level[0] if len(level) == 1 else self._parent(level)
            if level:
                self._push(levels, depth + 1, self._parent(level))
            depth += 1

    def _push(self, levels: list[list[Node]], depth: int, node: Node) -> None:
        if depth == len(levels):
            levels.append([])
        if len(levels[depth]) == MAX_LINKS:
            self._push(levels, depth + 1, self._parent(levels[depth]))
            levels[depth] = []
        levels[depth].append(node)

    def add_file(self, path: Path) -> Node:
        try:
            with open(path, "rb") as stream:
                return self.add_stream(stream)
        except OSError as exc:
            raise InputPathError(f"cannot read {path}: {exc.strerror or exc}") from exc

    def add_bytes(self, data: bytes) -> Node:
        import io

        return self.add_stream(io.BytesIO(data))

    # ------------------------------------------------------------------ directories
    def add_directory(self, path: Path, include_hidden: bool = False, _prefix: str = "") -> Node:
        links: list[Link] = []
        total = 0
        for name, child in _entries(path, include_hidden):
            rel = f"{_prefix}{name}"
            if child.is_dir():
                node = self.add_directory(child, include_hidden, rel + "/")
            else:
                node = self.add_file(child)
                self.files.append(FileEntry(rel, node.size, node.cid))
            links.append(node.link(name))
            total += node.size
        block = directory_node(links)
        cid = self._emit(block, DAG_PB)
        return Node(cid, total, len(block) + sum(link.tsize for link in links))

    def add_path(self, path: Path, include_hidden: bool = False) -> Node:
        if not path.exists():
            raise InputPathError(f"no such file or directory: {path}")
        if path.is_dir():
            return self.add_directory(path, include_hidden)
        node = self.add_file(path)
        self.files.append(FileEntry(path.name, node.size, node.cid))
        return node


def _read_chunk(stream: BinaryIO) -> bytes:
    parts: list[bytes] = []
    remaining = CHUNK_SIZE
    while remaining:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _entries(path: Path, include_hidden: bool) -> Iterator[tuple[str, Path]]:
    try:
        names = sorted(os.listdir(path), key=name_bytes)
    except OSError as exc:
        raise InputPathError(f"cannot list {path}: {exc.strerror or exc}") from exc
    for name in names:
        if name.startswith(".") and not include_hidden:
            continue
        child = path / name
        if child.is_symlink():
            raise InputPathError(f"symbolic links are not supported: {child}")
        yield name, child


def compute_cid(path: Path, cid_version: int = 0, include_hidden: bool = False) -> Cid:
    """The CID `ipfs add [-r] [--cid-version=1] --only-hash` prints for `path`."""
    return Importer(cid_version).add_path(path, include_hidden).cid
