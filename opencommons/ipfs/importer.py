"""`ipfs add` as Kubo does it by default, offline: fixed 262,144-byte chunks, a balanced DAG of
at most 174 links per node, UnixFS in dag-pb, sha2-256. CIDv0 uses dag-pb leaves; CIDv1 (as
`--cid-version=1`) uses raw leaves. Directories as `ipfs add -r`: entries sorted by name, empty
sub-directories kept, hidden files left out unless asked, no wrapping directory, sharded into a
HAMT from Kubo's threshold on (:mod:`.hamt`); symbolic links stored as UnixFS symlinks, or
followed with `dereference` (Kubo's `--dereference-symlinks`).

Files stream through in constant memory: a few batches of chunks plus one pending node per DAG
level. A file larger than one batch has its chunks hashed on every core (hashlib lets go of the
GIL), each leaf hashed piece by piece around its chunk, which is never copied for an only-hash.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from ..errors import InputPathError
from . import hamt
from .cid import DAG_PB, RAW, Cid
from .unixfs import Link, directory_node, file_leaf, file_leaf_frame, file_node, name_bytes, symlink_node

CHUNK_SIZE = 262_144
MAX_LINKS = 174
#: chunks read at once; a file longer than this is hashed on a pool of threads, two batches ahead
BATCH = 16 * CHUNK_SIZE


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
    """One file of an imported directory, for manifests (`sha256` when the importer was asked
    for file digests, else empty)."""

    path: str
    size: int
    cid: Cid
    sha256: str = ""


class Importer:
    def __init__(self, cid_version: int = 0, sink: BlockSink | None = None,
                 progress: Callable[[int], None] | None = None, *, include_hidden: bool = False,
                 dereference: bool = False, file_digests: bool = False, workers: int = 1) -> None:
        """`workers`: processes importing files (0: one per core); used for directories of many
        files when blocks go to the embedded store or nowhere."""
        if cid_version not in (0, 1):
            raise ValueError(f"cid version must be 0 or 1, got {cid_version}")
        self.version = cid_version
        self.sink = sink or NullSink()
        self.progress = progress
        self.include_hidden = include_hidden
        self.dereference = dereference
        self.file_digests = file_digests
        self.workers = workers
        self.files: list[FileEntry] = []
        #: what the content holds besides files, for a manifest to say so: (path, target) of each
        #: symbolic link stored as a link, and the hidden names left out
        self.links: list[tuple[str, str]] = []
        self.hidden: list[str] = []
        self._keeps_blocks = not isinstance(self.sink, NullSink)

    # ------------------------------------------------------------------ blocks
    def _emit(self, block: bytes, codec: int) -> Cid:
        cid = Cid.for_block(block, codec, self.version)
        self.sink.put_block(cid, block)
        return cid

    def _hash_leaf(self, chunk: memoryview) -> tuple[Cid, bytes | None, int, int]:
        """A chunk's leaf: its CID, its block when a sink keeps blocks, the chunk's size and the
        block's. Runs on the pool's threads: touches nothing shared."""
        size = len(chunk)
        if self.version == 1:
            return (Cid(1, RAW, hashlib.sha256(chunk).digest()), bytes(chunk) if self._keeps_blocks else None,
                    size, size)
        if not size:
            empty = file_leaf(b"")
            return Cid.for_block(empty, DAG_PB, 0), empty, 0, len(empty)
        prefix, suffix = _leaf_frame(size)
        digest = hashlib.sha256(prefix)
        digest.update(chunk)
        digest.update(suffix)
        block = b"".join((prefix, chunk, suffix)) if self._keeps_blocks else None
        return Cid(0, DAG_PB, digest.digest()), block, size, len(prefix) + size + len(suffix)

    def _stored(self, leaves: Iterator[tuple[Cid, bytes | None, int, int]]) -> Iterator[Node]:
        for cid, block, size, block_size in leaves:
            if block is not None:
                self.sink.put_block(cid, block)
            yield Node(cid, size, block_size)

    def _leaves(self, stream: BinaryIO, digest: "hashlib._Hash | None") -> Iterator[Node]:
        """Every chunk's leaf in order (an empty stream is one empty leaf). A stream of one batch
        is hashed here; a longer one on a pool of threads, the next batch read while the pool
        hashes this one, at most two batches in memory."""
        batch = _read_full(stream, BATCH)
        if len(batch) < BATCH:
            if digest is not None:
                digest.update(batch)
            yield from self._stored(map(self._hash_leaf, _chunks(batch)))
            return
        with ThreadPoolExecutor(max_workers=_cores(), thread_name_prefix="leaf-hash") as pool:
            ahead: deque[Iterator[tuple[Cid, bytes | None, int, int]]] = deque()
            while batch:
                ahead.append(pool.map(self._hash_leaf, _chunks(batch)))
                if digest is not None:
                    digest.update(batch)
                if len(ahead) == 2:
                    yield from self._stored(ahead.popleft())
                batch = _read_full(stream, BATCH) if len(batch) == BATCH else b""
            while ahead:
                yield from self._stored(ahead.popleft())

    def _parent(self, children: list[Node]) -> Node:
        block = file_node([c.link() for c in children], [c.size for c in children])
        cid = self._emit(block, DAG_PB)
        return Node(cid, sum(c.size for c in children), len(block) + sum(c.tsize for c in children))

    # ------------------------------------------------------------------ files
    def add_stream(self, stream: BinaryIO, digest: "hashlib._Hash | None" = None) -> Node:
        levels: list[list[Node]] = [[]]
        for leaf in self._leaves(stream, digest):
            self._push(levels, 0, leaf)
            if self.progress:
                self.progress(leaf.size)
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

    def add_file(self, path: Path, digest: "hashlib._Hash | None" = None) -> Node:
        try:
            with open(path, "rb") as stream:
                return self.add_stream(stream, digest)
        except OSError as exc:
            raise InputPathError(f"cannot read {path}: {exc.strerror or exc}") from exc

    def add_bytes(self, data: bytes) -> Node:
        import io

        return self.add_stream(io.BytesIO(data))

    def _add_file_entry(self, path: Path, rel: str) -> Node:
        digest = hashlib.sha256() if self.file_digests else None
        node = self.add_file(path, digest)
        self.files.append(FileEntry(rel, node.size, node.cid, digest.hexdigest() if digest else ""))
        return node

    def _symlink(self, path: Path) -> Node:
        try:
            target = os.readlink(os.fsencode(path))
        except OSError as exc:
            raise InputPathError(f"cannot read the symbolic link {path}: {exc.strerror or exc}") from exc
        block = symlink_node(target)
        return Node(self._emit(block, DAG_PB), 0, len(block))

    # ------------------------------------------------------------------ directories
    def add_directory(self, path: Path) -> Node:
        """A directory as `ipfs add -r`: basic below Kubo's sharding threshold, a HAMT from it on.

        Listed first (names, symbolic links, folders), then its files are imported, in worker
        processes when there are many, then the folders are built bottom-up."""
        files: list[tuple[Path, str]] = []
        plan = self._plan(path, "", frozenset(), files)
        results = self._import_files(files)
        return self._build(plan, results)

    def _plan(self, path: Path, prefix: str, open_dirs: frozenset[tuple[int, int]],
              files: list[tuple[Path, str]]) -> list[tuple[str, "Node | int | list[Any]"]]:
        """The directory as (name, entry) pairs: a symlink's Node, a file's index in `files`, or
        a sub-directory's own plan."""
        if self.dereference:
            stat = path.stat()
            key = (stat.st_dev, stat.st_ino)
            if key in open_dirs:
                raise InputPathError(f"symbolic link loop: {path} leads back into a directory it is in")
            open_dirs = open_dirs | {key}
        plan: list[tuple[str, Node | int | list[Any]]] = []
        if not self.include_hidden:
            self.hidden += [f"{prefix}{name}" for name in _hidden(path)]
        for name, child in _entries(path, self.include_hidden):
            if child.is_symlink():
                if not self.dereference:
                    plan.append((name, self._symlink(child)))
                    self.links.append((f"{prefix}{name}", os.fsdecode(os.readlink(child))))
                    continue
                if not child.exists():
                    raise InputPathError(f"symbolic link {child} points to {os.readlink(child)!r}, "
                                         "which does not exist")
            if child.is_dir():
                plan.append((name, self._plan(child, f"{prefix}{name}/", open_dirs, files)))
            else:
                plan.append((name, len(files)))
                files.append((child, f"{prefix}{name}"))
        return plan

    def _import_files(self, files: list[tuple[Path, str]]) -> Iterator[Node]:
        from .parallel import MIN_FILES, can_fork, default_workers, import_files
        from .store import EmbeddedStore

        workers = self.workers or default_workers()
        home = self.sink.home if isinstance(self.sink, EmbeddedStore) else None
        if workers < 2 or len(files) < MIN_FILES or (home is None and not isinstance(self.sink, NullSink)) \
                or not can_fork():
            for path, rel in files:
                yield self._add_file_entry(path, rel)
            return
        results = import_files([p for p, _ in files], functools.partial(_worker_importer, self.version, home),
                               self.file_digests, min(workers, 8))
        for (_, rel), (cid_bytes, size, tsize, sha256) in zip(files, results):
            node = Node(Cid.from_bytes(cid_bytes), size, tsize)
            self.files.append(FileEntry(rel, size, node.cid, sha256))
            if self.progress:
                self.progress(size)
            yield node

    def _build(self, plan: list[tuple[str, "Node | int | list[Any]"]], results: Iterator[Node]) -> Node:
        links: list[Link] = []
        total = 0
        for name, entry in plan:
            if isinstance(entry, Node):
                node = entry
            elif isinstance(entry, int):
                node = next(results)
            else:
                node = self._build(entry, results)
            links.append(node.link(name))
            total += node.size
        if hamt.needs_sharding(links):
            cid, tsize = hamt.build(links, lambda block: self._emit(block, DAG_PB))
            return Node(cid, total, tsize)
        block = directory_node(links)
        cid = self._emit(block, DAG_PB)
        return Node(cid, total, len(block) + sum(link.tsize for link in links))

    def add_path(self, path: Path, include_hidden: bool | None = None) -> Node:
        if include_hidden is not None:
            self.include_hidden = include_hidden
        if not os.path.lexists(path):
            raise InputPathError(f"no such file or directory: {path}")
        if path.is_symlink() and not self.dereference:
            return self._symlink(path)  # as Kubo's `ipfs add LINK` (without --dereference-args)
        if path.is_symlink() and not path.exists():
            raise InputPathError(f"symbolic link {path} points to {os.readlink(path)!r}, which does not exist")
        return self.add_directory(path) if path.is_dir() else self._add_file_entry(path, path.name)


def _read_full(stream: BinaryIO, size: int) -> bytes:
    """`size` bytes, fewer only at the end of the stream (a pipe or socket may answer less)."""
    first = stream.read(size)
    if not first or len(first) == size:
        return first
    parts, remaining = [first], size - len(first)
    while remaining:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _chunks(batch: bytes) -> list[memoryview]:
    """`batch` cut into chunks without copying (an empty batch is one empty chunk)."""
    view = memoryview(batch)
    return [view[at:at + CHUNK_SIZE] for at in range(0, len(batch), CHUNK_SIZE)] or [view]


@functools.lru_cache(maxsize=8)
def _leaf_frame(size: int) -> tuple[bytes, bytes]:
    return file_leaf_frame(size)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _hidden(path: Path) -> list[str]:
    try:
        return sorted(name for name in os.listdir(path) if name.startswith("."))
    except OSError:
        return []  # _entries says why in one line


def _entries(path: Path, include_hidden: bool) -> Iterator[tuple[str, Path]]:
    try:
        names = sorted(os.listdir(path), key=name_bytes)
    except OSError as exc:
        raise InputPathError(f"cannot list {path}: {exc.strerror or exc}") from exc
    for name in names:
        if name.startswith(".") and not include_hidden:
            continue
        yield name, path / name


def compute_cid(path: Path, cid_version: int = 0, include_hidden: bool = False, dereference: bool = False) -> Cid:
    """The CID `ipfs add [-r] [--cid-version=1] [--dereference-symlinks] --only-hash` prints."""
    return Importer(cid_version, include_hidden=include_hidden, dereference=dereference).add_path(path).cid


def _worker_importer(version: int, home: Path | None) -> "Importer":
    """The importer a worker process uses: blocks straight into the embedded store at `home` (its
    writes are atomic renames, safe from several processes), or nowhere (only-hash)."""
    from .store import EmbeddedStore

    return Importer(version, sink=EmbeddedStore(home) if home else NullSink())
