"""Content that would write outside its folder is refused wherever content becomes paths (get from
the embedded store or a node, CAR import, the CLI), and an interrupted get leaves nothing under
its final name."""
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from opencommons.errors import BlockNotFoundError, CorruptBlockError, UnsafePathError
from opencommons.ipfs.car import encode_header, import_car
from opencommons.ipfs.cid import DAG_PB, Cid
from opencommons.ipfs.importer import Importer
from opencommons.ipfs.kubo import KuboStore
from opencommons.ipfs.multiformats import encode_varint
from opencommons.ipfs.store import EmbeddedStore, get
from opencommons.ipfs.unixfs import Link, directory_node

COMMONS = [sys.executable, "-m", "opencommons.cli"]
UNSAFE = ["../escaped.txt", "..", ".", "", "sub/../../escaped.txt", "nul\x00name"]


def crafted(name: str) -> tuple[Cid, dict[Cid, bytes]]:
    """A directory whose one entry is named `name`, pointing at a real file: the blocks a
    hostile CAR file or node would hand out (every hash correct, only the name is hostile)."""
    leaf = Importer(1).add_bytes(b"written outside the target folder\n")
    leaf_block = b"written outside the target folder\n"  # CIDv1 small file: one raw leaf
    block = directory_node([Link(leaf.cid.to_bytes(), name, leaf.tsize)])
    root = Cid.for_block(block, DAG_PB, 1)
    return root, {root: block, leaf.cid: leaf_block}


def write_car(path, root, blocks):
    header = encode_header([root])
    with open(path, "wb") as out:
        out.write(encode_varint(len(header)) + header)
        for cid, block in blocks.items():
            raw = cid.to_bytes()
            out.write(encode_varint(len(raw) + len(block)) + raw + block)


@pytest.fixture
def store(tmp_path):
    return EmbeddedStore(tmp_path / "home")


@pytest.mark.parametrize("name", UNSAFE)
def test_get_refuses_entry_that_leaves_target(store, tmp_path, name):
    root, blocks = crafted(name)
    for cid, block in blocks.items():
        store.put_block(cid, block)
    out = tmp_path / "work" / "out"
    with pytest.raises(UnsafePathError, match="would not stay inside the target folder"):
        get(store, root, out)
    assert not (tmp_path / "work" / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()
    assert list((tmp_path / "work").iterdir()) == []  # no target, no partial copy


@pytest.mark.parametrize("name", UNSAFE)
def test_import_car_refuses_entry_that_leaves_target_and_stores_nothing(store, tmp_path, name):
    root, blocks = crafted(name)
    write_car(tmp_path / "hostile.car", root, blocks)
    with pytest.raises(UnsafePathError):
        import_car(store, tmp_path / "hostile.car")
    assert store.pins() == [] and list(store.blocks.glob("*/*")) == []


def test_get_leaves_nothing_under_final_name_when_a_block_is_missing(store, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_text("first file, complete\n")
    (tree / "b.bin").write_bytes(bytes(range(256)) * 4096)  # 1 MiB: four chunks
    root = Importer(1, sink=store).add_path(tree)
    last_chunk = Importer(1).add_bytes((bytes(range(256)) * 4096)[3 * 262_144:]).cid
    store._path(last_chunk).unlink()
    with pytest.raises(BlockNotFoundError):
        get(store, root.cid, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "tree"]


def test_get_file_leaves_nothing_under_final_name_when_a_block_is_corrupted(store, tmp_path):
    data = bytes(range(256)) * 4096
    node = Importer(1, sink=store).add_bytes(data)
    last_chunk = Importer(1).add_bytes(data[3 * 262_144:]).cid
    store._path(last_chunk).write_bytes(b"tampered")
    with pytest.raises(CorruptBlockError):
        get(store, node.cid, tmp_path / "file.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_ipfs_get_cli_refuses_hostile_directory_in_one_line(store, tmp_path):
    root, blocks = crafted("../escaped.txt")
    for cid, block in blocks.items():
        store.put_block(cid, block)
    (tmp_path / "work").mkdir()
    proc = subprocess.run([*COMMONS, "ipfs", "get", str(root), str(tmp_path / "work" / "out"),
                           "--home", str(store.home)], capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: directory ") and "'../escaped.txt'" in lines[0]
    assert not (tmp_path / "work" / "escaped.txt").exists() and list((tmp_path / "work").iterdir()) == []


def test_car_import_cli_refuses_hostile_directory_in_one_line(tmp_path):
    root, blocks = crafted("../escaped.txt")
    write_car(tmp_path / "hostile.car", root, blocks)
    proc = subprocess.run([*COMMONS, "ipfs", "car", "import", str(tmp_path / "hostile.car"),
                           "--home", str(tmp_path / "home")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "would not stay inside" in proc.stderr
    assert EmbeddedStore(tmp_path / "home").pins() == []


class BlockServer(BaseHTTPRequestHandler):
    """A Kubo-RPC node that serves `block/get` honestly from a dict (hashes right, names hostile)
    and answers `get` with a tar whose member escapes: KuboStore must never use it."""

    blocks: dict[str, bytes] = {}

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlparse(self.path)
        arg = parse_qs(url.query).get("arg", [""])[0]
        if url.path == "/api/v0/block/get" and arg in self.blocks:
            body, status = self.blocks[arg], 200
        else:
            body, status = b'{"Message":"not found","Code":0,"Type":"error"}', 500
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if status == 200 else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def block_node():
    handler = type("Handler", (BlockServer,), {"blocks": {}})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler.blocks, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_kubo_get_refuses_hostile_directory_from_node(block_node, tmp_path):
    served, url = block_node
    root, blocks = crafted("../escaped.txt")
    served.update({str(cid): block for cid, block in blocks.items()})
    (tmp_path / "work").mkdir()
    with pytest.raises(UnsafePathError):
        KuboStore(url).get(root, tmp_path / "work" / "out")
    assert not (tmp_path / "work" / "escaped.txt").exists() and list((tmp_path / "work").iterdir()) == []


def test_kubo_get_raises_when_node_returns_corrupted_block(block_node, tmp_path):
    served, url = block_node
    node = Importer(1).add_bytes(b"the real bytes")
    served[str(node.cid)] = b"other bytes"
    with pytest.raises(CorruptBlockError, match="does not hash to it"):
        KuboStore(url).get(node.cid, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
