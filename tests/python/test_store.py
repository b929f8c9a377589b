"""The embedded store: add and pin, cat and get verify every block, gc, corruption named."""
import pytest

from opencommons.errors import BlockNotFoundError, CorruptBlockError
from opencommons.ipfs.importer import Importer, compute_cid
from opencommons.ipfs.store import EmbeddedStore, cat, get


@pytest.fixture
def store(tmp_path):
    return EmbeddedStore(tmp_path / "home")


def test_cat_returns_added_bytes(store, samples):
    node = Importer(0, sink=store).add_path(samples / "chunk_plus_one")
    assert b"".join(cat(store, node.cid)) == (samples / "chunk_plus_one").read_bytes()


def test_get_rebuilds_directory_with_same_cid(store, samples, tmp_path):
    node = Importer(1, sink=store).add_path(samples / "tree")
    get(store, node.cid, tmp_path / "out")
    assert (tmp_path / "out" / "empty_dir").is_dir()
    assert compute_cid(tmp_path / "out", 1) == node.cid


def test_cat_detects_corrupted_block(store, samples):
    node = Importer(0, sink=store).add_path(samples / "ten")
    path = next(store.blocks.glob("*/*"))
    path.write_bytes(b"tampered")
    with pytest.raises(CorruptBlockError, match="corrupted"):
        b"".join(cat(store, node.cid))


def test_gc_keeps_pinned_and_removes_unpinned(store, samples):
    kept = Importer(0, sink=store).add_path(samples / "ten")
    Importer(0, sink=store).add_path(samples / "chunk")
    store.pin(kept.cid)
    assert store.gc() == 1
    assert b"".join(cat(store, kept.cid)) == (samples / "ten").read_bytes()
    store.unpin(kept.cid)
    assert store.gc() == 1
    with pytest.raises(BlockNotFoundError, match="not in the store"):
        store.get_block(kept.cid)


def test_pin_refuses_incomplete_dag(store, samples):
    node = Importer(0).add_path(samples / "ten")  # hashed only, nothing stored
    with pytest.raises(BlockNotFoundError):
        store.pin(node.cid)
    assert store.pins() == []


def test_get_restores_non_utf8_names_byte_for_byte(store, tmp_path):
    import os

    d = tmp_path / "names"
    d.mkdir()
    for raw in (b"caf\xe9.csv", b"\xff\xfe"):
        with open(os.path.join(os.fsencode(d), raw), "wb") as handle:
            handle.write(raw)
    node = Importer(1, sink=store).add_path(d)
    get(store, node.cid, tmp_path / "out")
    assert sorted(os.listdir(os.fsencode(tmp_path / "out"))) == sorted([b"caf\xe9.csv", b"\xff\xfe"])
    assert compute_cid(tmp_path / "out", 1) == node.cid


def test_get_reports_progress_in_bytes_written(tmp_path):
    import os

    from opencommons.ipfs.importer import Importer
    from opencommons.ipfs.store import EmbeddedStore, content_size, get

    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.bin").write_bytes(os.urandom(700_000))
    (source / "sub" / "b.bin").write_bytes(os.urandom(300_001))
    store = EmbeddedStore(tmp_path / "store")
    root = Importer(1, sink=store).add_path(source).cid
    seen = []
    get(store, root, tmp_path / "out", seen.append)
    assert sum(seen) == 1_000_001 and len(seen) > 2
    assert 1_000_001 <= content_size(store, root) < 1_010_000
