"""Reading UnixFS directories, basic or HAMT-sharded: their entries, one name, a path.

Content is untrusted (a CAR file, a node): every entry name is checked before it can become a
path (:func:`unixfs.check_entry_name`) and a shard that does not decode as Kubo writes it is
refused.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import BlockNotFoundError, IpfsError, MalformedDagError
from .blocks import BlockSource
from .cid import DAG_PB, Cid
from .hamt import check_shard, name_hash
from .unixfs import TYPE_DIRECTORY, TYPE_HAMT_SHARD, DecodedNode, Link, check_entry_name, decode_node, name_bytes


def is_directory(node: DecodedNode) -> bool:
    return node.kind in (TYPE_DIRECTORY, TYPE_HAMT_SHARD)


def check_names(node: DecodedNode, cid: Cid) -> None:
    """Refuses a node naming an entry that could not be written out safely (no fetching: each
    shard is checked when it is reached, as `walk` and CAR import reach every block)."""
    if node.kind == TYPE_DIRECTORY:
        for link in node.links:
            check_entry_name(link.name, cid)
    elif node.kind == TYPE_HAMT_SHARD:
        width = check_shard(node, cid)
        for link in node.links:
            if len(link.name) > width:
                check_entry_name(link.name[width:], cid)


def entries(source: BlockSource, cid: Cid, node: DecodedNode) -> Iterator[tuple[str, Link]]:
    """Every (name, link) of a directory, its sub-shards fetched and verified as needed.

    A basic directory yields them in name order, a sharded one in hash order; a name seen twice
    is refused (two entries would be written to one path)."""
    seen: set[str] = set()
    for name, link in _entries(source, cid, node):
        if name in seen:
            raise MalformedDagError(f"directory {cid} has two entries named {name!r}")
        seen.add(name)
        yield name, link


def _entries(source: BlockSource, cid: Cid, node: DecodedNode,
             shards: set[bytes] | None = None, depth: int = 0) -> Iterator[tuple[str, Link]]:
    if node.kind == TYPE_DIRECTORY:
        for link in node.links:
            yield check_entry_name(link.name, cid), link
        return
    if node.kind != TYPE_HAMT_SHARD:
        raise IpfsError(f"{cid} is not a directory")
    width = check_shard(node, cid)
    levels = 64 // max(1, ((node.fanout or 2).bit_length() - 1))
    if depth >= levels:
        raise MalformedDagError(f"sharded directory {cid} nests {depth + 1} shards deep: a 64-bit name hash "
                                f"allows {levels}")
    # a valid HAMT never links one shard twice (its entries' hashes place it in exactly one slot):
    # a shard reached again is a DAG bomb, refused before it is walked again
    shards = set() if shards is None else shards
    shards.add(cid.digest)
    for link in node.links:
        if len(link.name) > width:
            yield check_entry_name(link.name[width:], cid), link
        else:
            child = Cid.from_bytes(link.cid_bytes)
            if child.digest in shards:
                raise MalformedDagError(f"sharded directory {cid} links shard {child} more than once")
            yield from _entries(source, child, _sub_shard(source, child), shards, depth + 1)


def _sub_shard(source: BlockSource, cid: Cid) -> DecodedNode:
    node = decode_node(source.get_block(cid)) if cid.codec == DAG_PB else None
    if node is None or node.kind != TYPE_HAMT_SHARD:
        raise MalformedDagError(f"{cid} is linked as a shard of a sharded directory but is not one")
    return node


def lookup(source: BlockSource, cid: Cid, node: DecodedNode, name: str) -> Cid | None:
    """The CID of entry `name`, or None: a sharded directory is searched along the name's hash,
    fetching one shard per level."""
    if node.kind == TYPE_DIRECTORY:
        return next((Cid.from_bytes(link.cid_bytes) for link in node.links if link.name == name), None)
    if node.kind != TYPE_HAMT_SHARD:
        raise IpfsError(f"{cid} is not a directory")
    digest = name_hash(name_bytes(name))
    depth = 0
    while True:
        width = check_shard(node, cid)
        fanout = node.fanout or 0
        bits = fanout.bit_length() - 1
        # each level takes the next `bits` bits of the hash (8 for fanout 256)
        start = depth * bits
        if start + bits > len(digest) * 8:
            return None
        slot = (int.from_bytes(digest, "big") >> (len(digest) * 8 - start - bits)) & (fanout - 1)
        label = f"{slot:0{width}X}"
        for link in node.links:
            if link.name == label:
                cid = Cid.from_bytes(link.cid_bytes)
                node = _sub_shard(source, cid)
                depth += 1
                break
            if link.name == label + name:
                return Cid.from_bytes(link.cid_bytes)
        else:
            return None


def resolve(source: BlockSource, path: str) -> Cid:
    """`CID` or `CID/a/b` (as `ipfs cat` takes it; a leading /ipfs/ is accepted) to a CID."""
    parts = [p for p in path.removeprefix("/ipfs/").split("/") if p]
    if not parts:
        raise IpfsError("empty IPFS path")
    cid = Cid.parse(parts[0])
    walked = parts[0]
    for name in parts[1:]:
        node = decode_node(source.get_block(cid)) if cid.codec == DAG_PB else None
        if node is None or not is_directory(node):
            raise IpfsError(f"{walked} is a file, it has no entry {name!r}")
        found = lookup(source, cid, node, name)
        if found is None:
            raise BlockNotFoundError(f"{walked} has no entry named {name!r}")
        cid, walked = found, f"{walked}/{name}"
    return cid
