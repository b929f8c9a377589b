"""UnixFS HAMT-sharded directories, as Kubo (boxo `ipld/unixfs/hamt`) builds them.

A directory becomes a HAMT when its estimated size, the sum over its entries of the name's
length in bytes plus the entry CID's length in bytes, reaches 256 KiB (Kubo 0.22's `ipfs add`
default: reaching counts). The HAMT has fanout 256: each level takes the next byte of the
name's hash, the first 64 bits of murmur3-x64-128 (multicodec ``murmur3-x64-64``, 0x22),
big-endian. A shard node is dag-pb with UnixFS data {HAMTShard, bitfield, hashType, fanout}; its
links are in slot order, named with the slot as two upper-case hex digits, followed by the
entry's name for an entry, alone for a sub-shard. A slot holds a sub-shard exactly when two or
more names share the hash prefix that leads to it, so the tree depends only on the names and
not on the order they were added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import mmh3

from ..errors import MalformedDagError
from .cid import Cid
from .unixfs import TYPE_HAMT_SHARD, DecodedNode, Link, name_bytes, pb_node, unixfs_data

SHARD_WIDTH = 256
SHARDING_THRESHOLD = 256 * 1024
HASH_MURMUR3 = 0x22
_HASH_BYTES = 8


def estimated_size(links: Iterable[Link]) -> int:
    """Kubo's size estimate of a basic directory: names plus CIDs, in bytes."""
    return sum(len(name_bytes(link.name)) + len(link.cid_bytes) for link in links)


def needs_sharding(links: list[Link]) -> bool:
    return estimated_size(links) >= SHARDING_THRESHOLD


def name_hash(name: bytes) -> bytes:
    """The 8 hash bytes that place `name` in the trie (murmur3-x64-64, big-endian)."""
    return int(mmh3.hash64(name, signed=False)[0]).to_bytes(_HASH_BYTES, "big")


def prefix_length(fanout: int) -> int:
    """How many hex digits name a slot: 2 for fanout 256."""
    return len(f"{fanout - 1:X}")


def build(links: list[Link], emit: Callable[[bytes], Cid]) -> tuple[Cid, int]:
    """Writes the shard nodes for `links` (an unsharded directory's entries) through `emit`;
    returns the root shard's CID and its cumulative size (the Tsize of a link to it)."""
    keyed = [(name_hash(name_bytes(link.name)), link) for link in links]
    return _shard(keyed, 0, emit)


def _shard(keyed: list[tuple[bytes, Link]], depth: int, emit: Callable[[bytes], Cid]) -> tuple[Cid, int]:
    if depth == _HASH_BYTES:
        names = ", ".join(repr(link.name) for _, link in keyed)
        raise MalformedDagError(f"sharded directory too deep: {names} share a 64-bit hash")
    slots: dict[int, list[tuple[bytes, Link]]] = {}
    for entry in keyed:
        slots.setdefault(entry[0][depth], []).append(entry)
    width = prefix_length(SHARD_WIDTH)
    out: list[Link] = []
    bitfield = 0
    for slot in sorted(slots):
        bitfield |= 1 << slot
        label = f"{slot:0{width}X}"
        members = slots[slot]
        if len(members) == 1:
            link = members[0][1]
            out.append(Link(link.cid_bytes, label + link.name, link.tsize))
        else:
            cid, tsize = _shard(members, depth + 1, emit)
            out.append(Link(cid.to_bytes(), label, tsize))
    bits = bitfield.to_bytes(SHARD_WIDTH // 8, "big").lstrip(b"\0")
    block = pb_node(unixfs_data(TYPE_HAMT_SHARD, bits, hash_type=HASH_MURMUR3, fanout=SHARD_WIDTH), out)
    return emit(block), len(block) + sum(link.tsize for link in out)


def check_shard(node: DecodedNode, cid: Cid) -> int:
    """The slot-label width of a shard node, once its parameters are ones Kubo reads."""
    fanout = node.fanout or 0
    if node.hash_type != HASH_MURMUR3:
        raise MalformedDagError(f"sharded directory {cid} uses hash function {node.hash_type}, not murmur3")
    if fanout < 8 or fanout > 1024 or fanout & (fanout - 1) or fanout % 8:
        raise MalformedDagError(f"sharded directory {cid} has fanout {fanout}, not a power of two from 8 to 1024")
    width = prefix_length(fanout)
    for link in node.links:
        label = link.name[:width]
        if len(link.name) < width or not all(c in "0123456789ABCDEF" for c in label) or int(label, 16) >= fanout:
            raise MalformedDagError(f"sharded directory {cid} has a link named {link.name!r}, not a slot label")
    return width
