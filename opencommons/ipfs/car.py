"""CAR v1 files: move content to any IPFS node or pinning service (`ipfs dag import`).

Layout: varint(header length) + DAG-CBOR {"roots": [CID], "version": 1}, then for each block
varint(len(cid) + len(block)) + cid + block. Only the tiny part of DAG-CBOR a header needs is
written and read here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from ..errors import CarFormatError, InvalidCidError
from .cid import DAG_PB, Cid
from .multiformats import decode_varint, encode_varint
from .directory import check_names
from .blocks import MAX_BLOCK_SIZE
from .blocks import BlockSource
from .store import EmbeddedStore, walk, walk_blocks
from .unixfs import decode_node

_CID_TAG = 42
MAX_HEADER = 1 << 16
MAX_SECTION = MAX_BLOCK_SIZE + 128  # a block and its CID


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise CarFormatError(f"CBOR value too large: {value}")


def encode_header(roots: list[Cid]) -> bytes:
    out = _cbor_head(5, 2)  # map of 2, keys in DAG-CBOR order (length first): roots, version
    out += _cbor_head(3, 5) + b"roots" + _cbor_head(4, len(roots))
    for root in roots:
        raw = b"\x00" + root.to_bytes()
        out += _cbor_head(6, _CID_TAG) + _cbor_head(2, len(raw)) + raw
    out += _cbor_head(3, 7) + b"version" + _cbor_head(0, 1)
    return out


class _Cbor:
    def __init__(self, data: bytes) -> None:
        self.data, self.i = data, 0

    def _head(self) -> tuple[int, int]:
        if self.i >= len(self.data):
            raise CarFormatError("CAR header ends early")
        first = self.data[self.i]
        self.i += 1
        major, info = first >> 5, first & 31
        if info < 24:
            return major, info
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None:
            raise CarFormatError(f"unsupported CBOR item in CAR header (0x{first:02x})")
        value = int.from_bytes(self.data[self.i:self.i + size], "big")
        self.i += size
        return major, value

    def item(self) -> object:
        major, value = self._head()
        if major == 0:
            return value
        if major in (2, 3):
            raw = self.data[self.i:self.i + value]
            self.i += value
            return raw if major == 2 else raw.decode()
        if major == 4:
            return [self.item() for _ in range(value)]
        if major == 5:
            pairs = [(self.item(), self.item()) for _ in range(value)]
            return dict(pairs)
        if major == 6 and value == _CID_TAG:
            tagged = self.item()
            if not isinstance(tagged, bytes) or not tagged.startswith(b"\x00"):
                raise CarFormatError("malformed CID in CAR header")
            return Cid.from_bytes(tagged[1:])
        raise CarFormatError(f"unsupported CBOR major type {major} in CAR header")


def _read_varint(stream: BinaryIO) -> int | None:
    raw = b""
    while True:
        byte = stream.read(1)
        if not byte:
            if raw:
                raise CarFormatError("CAR file ends inside a length prefix")
            return None
        raw += byte
        if not byte[0] & 0x80:
            return decode_varint(raw)[0]
        if len(raw) > 9:
            raise CarFormatError("oversized length prefix in CAR file")


def _split_cid(section: bytes) -> tuple[Cid, bytes]:
    if section[:2] == b"\x12\x20":
        return Cid.from_bytes(section[:34]), section[34:]
    i = 0
    for _ in range(4):  # version, codec, hash code, digest length
        _, i = decode_varint(section, i)
    return Cid.from_bytes(section[:i + 32]), section[i + 32:]


def read_car(stream: BinaryIO) -> tuple[list[Cid], Iterator[tuple[Cid, bytes]]]:
    length = _read_varint(stream)
    if length is None:
        raise CarFormatError("empty CAR file")
    if length > MAX_HEADER:
        raise CarFormatError(f"CAR header of {length:,} bytes: over the {MAX_HEADER:,} a header needs")
    try:
        header = _Cbor(stream.read(length)).item()
    except RecursionError:
        raise CarFormatError("CAR header nests too deep") from None
    if not isinstance(header, dict) or header.get("version") != 1 or not isinstance(header.get("roots"), list):
        raise CarFormatError("not a CAR v1 header")
    roots = [r for r in header["roots"] if isinstance(r, Cid)]

    def blocks() -> Iterator[tuple[Cid, bytes]]:
        while True:
            size = _read_varint(stream)
            if size is None:
                return
            if size > MAX_SECTION:
                raise CarFormatError(f"CAR section of {size:,} bytes: a block is at most {MAX_BLOCK_SIZE:,} "
                                     "bytes (what IPFS peers exchange)")
            section = stream.read(size)
            if len(section) != size:
                raise CarFormatError("CAR file ends inside a block")
            try:
                cid, block = _split_cid(section)
            except InvalidCidError as exc:
                raise CarFormatError(f"bad CID in CAR block: {exc}") from exc
            if hashlib.sha256(block).digest() != cid.digest:
                raise CarFormatError(f"block {cid} in the CAR file does not match its CID")
            yield cid, block

    return roots, blocks()


class CarWriter:
    """A block sink that streams a CAR v1 file whose root is known only at the end: the header
    is written with a placeholder root of the same length and patched by :meth:`finish`.
    A block emitted twice (two identical files) is written once."""

    def __init__(self, stream: IO[bytes], cid_version: int) -> None:
        self.stream = stream
        self._start = stream.tell()
        placeholder = Cid(cid_version, DAG_PB, bytes(32))
        header = encode_header([placeholder])
        stream.write(encode_varint(len(header)) + header)
        self._header_length = len(header)
        self._seen: set[bytes] = set()
        self.blocks = 0

    def put_block(self, cid: Cid, block: bytes) -> None:
        if cid.digest in self._seen:
            return
        self._seen.add(cid.digest)
        raw = cid.to_bytes()
        self.stream.write(encode_varint(len(raw) + len(block)) + raw + block)
        self.blocks += 1

    def finish(self, root: Cid) -> None:
        header = encode_header([root])
        if len(header) != self._header_length:
            raise CarFormatError(f"root {root} is not a CIDv{root.version} as the CAR header expected")
        end = self.stream.tell()
        self.stream.seek(self._start)
        self.stream.write(encode_varint(len(header)) + header)
        self.stream.seek(end)


def car_stream(store: BlockSource, roots: list[Cid], seen: set[bytes] | None = None) -> Iterator[bytes]:
    """The CAR v1 of the DAGs under `roots`, section by section (the header first): what
    `export_car` writes and a gateway's `?format=car` sends. A block two DAGs share comes once;
    `seen` collects the digests written."""
    seen = set() if seen is None else seen
    header = encode_header(roots)
    yield encode_varint(len(header)) + header
    for each in roots:
        for cid, block in walk_blocks(store, each):
            if cid.digest in seen:
                continue
            seen.add(cid.digest)
            raw = cid.to_bytes()
            yield encode_varint(len(raw) + len(block)) + raw + block


def export_car(store: EmbeddedStore, root: Cid | list[Cid], target: Path, overwrite: bool = True) -> int:
    """Writes the DAG under `root` (or several DAGs, each a root of the file: a dataset's content
    and its manifest) as a CAR v1 file, atomically; returns the block count. A block two DAGs
    share is written once. With `overwrite` False an existing `target` is refused."""
    roots = root if isinstance(root, list) else [root]
    if not overwrite and target.exists():
        raise CarFormatError(f"{target} already exists: pass --force to overwrite it")
    tmp = target.with_name(f".{target.name}.part-{os.getpid()}")
    seen: set[bytes] = set()
    try:
        with open(tmp, "wb") as out:
            for section in car_stream(store, roots, seen):
                out.write(section)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(seen)


def import_car(store: EmbeddedStore, source: Path) -> list[Cid]:
    """Stores every block of a CAR file and pins its roots; returns the roots.

    The file is read twice: first every block is verified and every directory entry name checked
    (an entry named ``..`` or ``a/b`` would write outside its folder on `get`), and only then are
    blocks stored, so a refused file leaves nothing in the store. A block the store already held
    is read back and verified instead. A root is pinned once its whole DAG is known complete: from
    the links the first pass read, and for anything the file lacks, from the store as `pin` walks
    it (the blocks are not read back from disk a second time).
    """
    present: set[bytes] = set()  # digests of the file's blocks, as `walk` keys them
    links: dict[bytes, list[Cid]] = {}  # a DAG-PB block's links, by digest
    try:
        with open(source, "rb") as stream:
            _, blocks = read_car(stream)
            for cid, block in blocks:
                present.add(cid.digest)
                if cid.codec == DAG_PB:
                    node = decode_node(block)
                    check_names(node, cid)
                    links[cid.digest] = [Cid.from_bytes(link.cid_bytes) for link in node.links]
        with open(source, "rb") as stream:
            roots, blocks = read_car(stream)
            for cid, block in blocks:
                if store.has_block(cid):
                    store.get_block(cid)  # verified: a corrupted copy on disk is not pinned over
                else:
                    store.put_block(cid, block)
    except OSError as exc:
        raise CarFormatError(f"cannot read {source}: {exc.strerror or exc}") from exc
    for root in roots:
        _check_complete(store, root, present, links)
        store.pin_checked(root)
    return roots


def _check_complete(store: EmbeddedStore, root: Cid, present: set[bytes], links: dict[bytes, list[Cid]]) -> None:
    """What `pin`'s walk checks, over the links the import read: every block under `root` is in the
    file (stored and verified) or in the store, walked and verified there."""
    stack, seen = [root], set()
    while stack:
        cid = stack.pop()
        if cid.digest in seen:
            continue
        seen.add(cid.digest)
        if cid.digest not in present or (cid.codec == DAG_PB and cid.digest not in links):
            seen.update(c.digest for c in walk(store, cid))  # not in the file as this CID: the store's
        elif cid.codec == DAG_PB:
            stack.extend(c for c in links[cid.digest] if c.digest not in seen)
