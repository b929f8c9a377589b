"""UnixFS v1 in dag-pb, byte for byte as Kubo writes it (the protobuf by hand: it is tiny)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnsafePathError
from .multiformats import decode_varint, encode_varint

TYPE_DIRECTORY = 1
TYPE_FILE = 2
TYPE_SYMLINK = 4
TYPE_HAMT_SHARD = 5


@dataclass(frozen=True)
class Link:
    cid_bytes: bytes
    name: str
    tsize: int


def name_bytes(name: str) -> bytes:
    """A link name's bytes: a name that is not valid UTF-8 (read from a Linux directory, where
    Python keeps the undecodable bytes as surrogates) keeps its exact bytes, as Kubo stores them."""
    return name.encode("utf-8", "surrogateescape")


def _field_bytes(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | 2) + encode_varint(len(value)) + value


def _field_varint(number: int, value: int) -> bytes:
    return encode_varint(number << 3) + encode_varint(value)


def unixfs_data(kind: int, data: bytes | None = None, filesize: int | None = None,
                blocksizes: list[int] | None = None, hash_type: int | None = None,
                fanout: int | None = None) -> bytes:
    """The UnixFS Data message, fields in number order as Go's protobuf writes them."""
    out = _field_varint(1, kind)
    if data:
        out += _field_bytes(2, data)
    if filesize is not None:
        out += _field_varint(3, filesize)
    for size in blocksizes or []:
        out += _field_varint(4, size)
    if hash_type is not None:
        out += _field_varint(5, hash_type)
    if fanout is not None:
        out += _field_varint(6, fanout)
    return out


def pb_node(data: bytes, links: list[Link]) -> bytes:
    """dag-pb PBNode: links (field 2) first, then data (field 1)."""
    out = b""
    for link in links:
        body = _field_bytes(1, link.cid_bytes) + _field_bytes(2, name_bytes(link.name)) + _field_varint(3, link.tsize)
        out += _field_bytes(2, body)
    return out + _field_bytes(1, data)


def file_leaf(chunk: bytes) -> bytes:
    if not chunk:
        return pb_node(unixfs_data(TYPE_FILE, chunk, 0), [])
    prefix, suffix = file_leaf_frame(len(chunk))
    return b"".join((prefix, chunk, suffix))


def file_leaf_frame(size: int) -> tuple[bytes, bytes]:
    """The bytes before and after a non-empty chunk of `size` bytes in its dag-pb leaf: a
    PBNode whose Data is UnixFS {Type: File, Data: chunk, filesize: size}. A leaf can then be
    hashed piece by piece, its chunk never copied."""
    inner = _field_varint(1, TYPE_FILE) + encode_varint(2 << 3 | 2) + encode_varint(size)
    suffix = _field_varint(3, size)
    data_length = len(inner) + size + len(suffix)
    return encode_varint(1 << 3 | 2) + encode_varint(data_length) + inner, suffix


def file_node(links: list[Link], blocksizes: list[int]) -> bytes:
    return pb_node(unixfs_data(TYPE_FILE, None, sum(blocksizes), blocksizes), links)


def directory_node(links: list[Link]) -> bytes:
    return pb_node(unixfs_data(TYPE_DIRECTORY), sorted(links, key=lambda link: name_bytes(link.name)))


def symlink_node(target: bytes) -> bytes:
    """A symbolic link as Kubo stores it: the target's bytes, no size, no links."""
    return pb_node(unixfs_data(TYPE_SYMLINK, target), [])


# ------------------------------------------------------------------ decoding (for cat/get)
def check_entry_name(name: str, directory: object) -> str:
    """`name` as a directory entry that stays inside its folder when written out.

    Content from a CAR file or a node is untrusted: an entry named ``..``, ``a/b`` or with a NUL
    byte would write outside the target folder (or fail half-way), so it is refused everywhere
    content becomes paths.
    """
    if name in ("", ".", "..") or "/" in name or "\x00" in name:
        raise UnsafePathError(f"directory {directory} has an entry named {name!r}, which would not stay "
                              "inside the target folder: refusing this content")
    return name



@dataclass
class DecodedNode:
    links: list[Link]
    kind: int
    data: bytes
    filesize: int | None
    hash_type: int | None = None
    fanout: int | None = None
    #: a file node's children's sizes in file bytes, in link order (for reading a byte range)
    blocksizes: list[int] | None = None


def _read_fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    fields: list[tuple[int, int | bytes]] = []
    i, end = 0, len(buf)
    while i < end:
        # a one-byte varint (nearly every key and length of a UnixFS node) read in place
        key = buf[i]
        if key < 0x80:
            i += 1
        else:
            key, i = decode_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = decode_varint(buf, i)
            fields.append((number, value))
        elif wire == 2:
            length = buf[i] if i < end else 0x80
            if length < 0x80:
                i += 1
            else:
                length, i = decode_varint(buf, i)
            fields.append((number, buf[i:i + length]))
            i += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return fields


def decode_node(block: bytes) -> DecodedNode:
    links: list[Link] = []
    data = b""
    for number, value in _read_fields(block):
        if number == 2 and isinstance(value, bytes):
            cid_bytes, name, tsize = b"", "", 0
            for n, v in _read_fields(value):
                if n == 1 and isinstance(v, bytes):
                    cid_bytes = v
                elif n == 2 and isinstance(v, bytes):
                    name = v.decode("utf-8", "surrogateescape")
                elif n == 3 and isinstance(v, int):
                    tsize = v
            links.append(Link(cid_bytes, name, tsize))
        elif number == 1 and isinstance(value, bytes):
            data = value
    decoded = DecodedNode(links, TYPE_FILE, b"", None)
    for number, value in _read_fields(data):
        if number == 1 and isinstance(value, int):
            decoded.kind = value
        elif number == 2 and isinstance(value, bytes):
            decoded.data = value
        elif number == 3 and isinstance(value, int):
            decoded.filesize = value
        elif number == 5 and isinstance(value, int):
            decoded.hash_type = value
        elif number == 6 and isinstance(value, int):
            decoded.fanout = value
        elif number == 4:
            decoded.blocksizes = decoded.blocksizes or []
            if isinstance(value, int):
                decoded.blocksizes.append(value)
            else:  # packed
                at = 0
                while at < len(value):
                    size, at = decode_varint(value, at)
                    decoded.blocksizes.append(size)
    return decoded
