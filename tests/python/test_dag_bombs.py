"""An adversarial content corpus: DAGs nobody here wrote, every hash correct, built to make a
reader work without end or write where it should not. Each is run through import (CAR), pin, gc,
walk, cat, get, a byte range, the dApp's `/ipfs/` and a gateway source, which must refuse it in
one line or finish in time linear in the distinct blocks."""
import http.server
import threading
import time

import pytest

from opencommons.errors import CarFormatError, CorruptBlockError, DagBudgetError, MalformedDagError, OpenCommonsError
from opencommons.ipfs.blocks import budgeted
from opencommons.ipfs.car import encode_header, export_car, import_car
from opencommons.ipfs.cid import DAG_PB, RAW, Cid
from opencommons.ipfs.directory import entries
from opencommons.ipfs.gateway import GatewaySource
from opencommons.ipfs.hamt import HASH_MURMUR3
from opencommons.ipfs.multiformats import encode_varint
from opencommons.ipfs.store import EmbeddedStore, cat, get, read_document, read_range, walk
from opencommons.ipfs.unixfs import (TYPE_FILE, TYPE_HAMT_SHARD, Link, decode_node, directory_node, pb_node,
                                     unixfs_data)


class Corpus:
    """Blocks put straight into a store (as a CAR import or a node would hand them out)."""

    def __init__(self, store):
        self.store = store

    def raw(self, data: bytes) -> Cid:
        cid = Cid.for_block(data, RAW, 1)
        self.store.put_block(cid, data)
        return cid

    def node(self, block: bytes) -> Cid:
        cid = Cid.for_block(block, DAG_PB, 1)
        self.store.put_block(cid, block)
        return cid

    def file(self, children: list[tuple[Cid, int]], filesize: int | None = None) -> Cid:
        sizes = [size for _, size in children]
        data = unixfs_data(TYPE_FILE, None, sum(sizes) if filesize is None else filesize, sizes)
        return self.node(pb_node(data, [Link(c.to_bytes(), "", size) for c, size in children]))


@pytest.fixture
def corpus(tmp_path):
    return Corpus(EmbeddedStore(tmp_path / "ipfs"))


def repeated_links(corpus, levels=4, fanout=174):
    """A file of fanout**levels KiB from levels + 1 blocks: every node links one child 174 times
    (a walk without a visited set makes 174**4 = 9e8 visits)."""
    leaf = corpus.raw(b"x" * 1024)
    child, size = leaf, 1024
    for _ in range(levels):
        child = corpus.file([(child, size)] * fanout)
        size *= fanout
    return child, size


def test_repeated_links_walk_pin_gc_and_export_once_per_block(corpus, tmp_path):
    root, size = repeated_links(corpus)
    started = time.monotonic()
    assert len(list(walk(corpus.store, root))) == 5
    corpus.store.pin(root)
    assert corpus.store.gc() == 0
    assert export_car(corpus.store, root, tmp_path / "bomb.car") == 5
    fresh = EmbeddedStore(tmp_path / "fresh")
    assert import_car(fresh, tmp_path / "bomb.car") == [root]
    assert time.monotonic() - started < 30  # linear in 5 blocks; without the visited set: days


def test_repeated_links_cat_and_get_stop_at_their_budget(corpus, tmp_path):
    """The file declares 916 GB and its sizes agree: only a budget stops reading it."""
    root, size = repeated_links(corpus)
    assert size == 174 ** 4 * 1024
    with pytest.raises(DagBudgetError, match="read 1,000 blocks, its limit: the content links blocks over and over"):
        for _ in cat(budgeted(corpus.store, max_blocks=1000), root):
            pass
    with pytest.raises(DagBudgetError, match=r"read [\d,]+ bytes, over its limit of 4,096"):
        for _ in cat(budgeted(corpus.store, max_bytes=4096), root):
            pass
    # get has a budget of its own (4,000,000 block reads by default; here 2,000 to keep the test short)
    with pytest.raises(DagBudgetError, match="getting .* read 2,000 blocks"):
        get(corpus.store, root, tmp_path / "out", max_blocks=2000)
    assert not (tmp_path / "out").exists() and list(tmp_path.glob(".out.partial*")) == []


def test_a_file_that_declares_more_or_less_than_its_children_is_refused(corpus):
    leaf = corpus.raw(b"y" * 100)
    lying_root = corpus.file([(leaf, 100)] * 3, filesize=10 ** 12)  # declares a terabyte
    with pytest.raises(MalformedDagError, match="declares 1,000,000,000,000 bytes but its data and 3 children"):
        list(cat(corpus.store, lying_root))
    lying_size = corpus.file([(leaf, 10 ** 9)])  # blocksizes say a gigabyte, the leaf holds 100
    with pytest.raises(MalformedDagError, match="says its child .* holds 1,000,000,000 bytes; it holds 100"):
        list(cat(corpus.store, lying_size))
    inner = corpus.file([(leaf, 100)])
    lying_inner = corpus.file([(inner, 5000)])
    with pytest.raises(MalformedDagError, match="holds 5,000 bytes; it declares 100"):
        list(cat(corpus.store, lying_inner))
    mismatched = corpus.node(pb_node(unixfs_data(TYPE_FILE, None, 200, [100]), [Link(leaf.to_bytes(), "", 100)] * 2))
    with pytest.raises(MalformedDagError, match="1 block sizes"):
        list(cat(corpus.store, mismatched))
    with pytest.raises(OpenCommonsError, match="block sizes for 2 links"):
        read_range(corpus.store, mismatched, 0, 10)


def test_deep_recursion_is_refused_in_one_line(corpus, tmp_path):
    """A chain of 2,000 file nodes (Python's recursion limit is 1,000) and of 2,000 folders."""
    child, size = corpus.raw(b"z"), 1
    for _ in range(2000):
        child = corpus.file([(child, size)])
    with pytest.raises(MalformedDagError, match="levels deep: a file's DAG nests at most 64"):
        list(cat(corpus.store, child))
    with pytest.raises(MalformedDagError, match="levels deep"):
        read_range(corpus.store, child, 0, 1)
    folder = corpus.node(directory_node([]))
    for _ in range(2000):
        folder = corpus.node(directory_node([Link(folder.to_bytes(), "d", 10)]))
    with pytest.raises(MalformedDagError, match="nested 256 folders deep: at most 256"):
        get(corpus.store, folder, tmp_path / "deep")
    assert not (tmp_path / "deep").exists()


def test_a_hamt_whose_slots_all_link_one_shard_is_refused(corpus):
    """Every one of 256 slots links the same sub-shard, 6 levels down: 256**6 entries to list."""
    leaf = corpus.raw(b"entry")
    shard = corpus.node(pb_node(unixfs_data(TYPE_HAMT_SHARD, b"\x01", hash_type=HASH_MURMUR3, fanout=256),
                                [Link(leaf.to_bytes(), "00name", 5)]))
    bits = (b"\xff" * 32)
    for _ in range(6):
        shard = corpus.node(pb_node(unixfs_data(TYPE_HAMT_SHARD, bits, hash_type=HASH_MURMUR3, fanout=256),
                                    [Link(shard.to_bytes(), f"{slot:02X}", 100) for slot in range(256)]))
    root = shard
    node = decode_node(corpus.store.get_block(root))
    started = time.monotonic()
    with pytest.raises(MalformedDagError, match="links shard .* more than once"):
        list(entries(corpus.store, root, node))
    assert time.monotonic() - started < 5
    # walking it (pin) visits each of its 8 blocks once
    assert len(list(walk(corpus.store, root))) == 8
    # and a chain of shards deeper than a 64-bit hash can place a name is refused too
    for _ in range(3):
        shard = corpus.node(pb_node(unixfs_data(TYPE_HAMT_SHARD, b"\x01", hash_type=HASH_MURMUR3, fanout=256),
                                    [Link(shard.to_bytes(), "00", 100)]))
    with pytest.raises(MalformedDagError, match="nests 9 shards deep: a 64-bit name hash allows 8"):
        list(entries(corpus.store, shard, decode_node(corpus.store.get_block(shard))))


def test_oversized_car_sections_and_headers_are_refused_before_reading(tmp_path, corpus):
    path = tmp_path / "huge.car"
    header = encode_header([Cid.for_block(b"x", RAW, 1)])
    path.write_bytes(encode_varint(len(header)) + header + encode_varint(1 << 40) + b"\x01\x55")
    with pytest.raises(CarFormatError, match="CAR section of 1,099,511,627,776 bytes: a block is at most 1,048,576"):
        import_car(corpus.store, path)
    path.write_bytes(encode_varint(1 << 30) + b"\xa2")
    with pytest.raises(CarFormatError, match="CAR header of 1,073,741,824 bytes"):
        import_car(corpus.store, path)
    nested = b"\x81" * 60000 + b"\x00"  # arrays nested 60,000 deep
    path.write_bytes(encode_varint(len(nested)) + nested)
    with pytest.raises(CarFormatError, match="nests too deep"):
        import_car(corpus.store, path)


def test_a_gateway_answering_more_than_a_block_is_cut_off(corpus):
    class Flood(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(64 << 20))
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"\0" * (1 << 20))
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flood)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        source = GatewaySource(f"http://127.0.0.1:{server.server_address[1]}")
        with pytest.raises(CorruptBlockError, match="answered more than 1,048,576 bytes for block"):
            source.get_block(Cid.for_block(b"anything", RAW, 1))
    finally:
        server.shutdown()


def test_a_manifest_too_large_is_refused_before_it_is_read(corpus):
    leaf = corpus.raw(b"{" * 1000)
    big = corpus.file([(leaf, 1000)] * 100)
    with pytest.raises(MalformedDagError, match="is 100,000 bytes, over the 10,000 a manifest may have"):
        read_document(corpus.store, big, "manifest", limit=10_000)
    with pytest.raises(MalformedDagError, match="is not JSON"):
        read_document(corpus.store, big, "manifest")


def test_dapp_ipfs_route_refuses_a_lying_file(tmp_path):
    """The dApp's `/ipfs/` serves the declared size and refuses a file whose nodes disagree."""
    import json
    import urllib.error
    import urllib.request
    from types import SimpleNamespace

    from opencommons.dapp_server import DappServer
    from opencommons.ipfs.content import open_store

    content = open_store("embedded", tmp_path / "ipfs")
    corpus = Corpus(content.store)
    leaf = corpus.raw(b"q" * 10)
    lying = corpus.file([(leaf, 10)] * 4, filesize=10 ** 12)
    from opencommons.dapp_server import listening_socket

    app = DappServer.__new__(DappServer)  # the content route needs only a store, a socket and names
    app.store, app.socket, app.server = content, listening_socket(0), None
    app.port = app.socket.getsockname()[1]
    app.hosts, app.origins = {f"127.0.0.1:{app.port}"}, set()
    app.closing, app.stopped = threading.Event(), threading.Event()
    app.commons = SimpleNamespace(deployment=SimpleNamespace(chain_id=1, block=0, addresses={}))
    threading.Thread(target=app.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{app.port}/ipfs/{lying}", timeout=10)
        assert refused.value.code == 400
        assert "declares 1,000,000,000,000 bytes" in json.loads(refused.value.read())["error"]
    finally:
        app.closing.set()
        app.server.should_exit = True
        app.stopped.wait(10)
