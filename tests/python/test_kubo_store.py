"""The Kubo-RPC store against a real peer (js-ipfs), and against a node that lies."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from opencommons.errors import CidMismatchError, CorruptBlockError, NodeUnreachableError
from opencommons.ipfs.car import export_car, import_car
from opencommons.ipfs.cid import Cid
from opencommons.ipfs.importer import Importer, compute_cid
from opencommons.ipfs.kubo import KuboStore, to_multiaddr
from opencommons.ipfs.store import EmbeddedStore

CASES = ["empty", "ten", "chunk", "chunk_plus_one", "several_mb", "two_levels", "tree"]


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("name", CASES)
def test_add_path_cid_equals_real_node(jsipfs, samples, name, version):
    # the node's own importer (`ipfs add`) computes the same CID as ours...
    assert Cid.parse(jsipfs.add(samples / name, version)) == compute_cid(samples / name, version)
    # ...and the store hands it our blocks (a CAR), which it pins under that CID
    store = KuboStore(jsipfs.api)
    cid = store.add_path(samples / name, version)  # raises CidMismatchError if the node disagrees
    assert cid == compute_cid(samples / name, version)
    assert any(p.same_content(cid) for p in store.pins())


def test_add_path_one_letter_directory_name(jsipfs, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.csv").write_text("js-ipfs refuses a one-letter directory name in multipart uploads\n")
    assert KuboStore(jsipfs.api).add_path(d, 1) == compute_cid(d, 1)


def test_cat_and_get_round_trip_through_real_node(jsipfs, samples, tmp_path):
    store = KuboStore(jsipfs.api)
    cid = store.add_path(samples / "chunk_plus_one", 1)
    assert b"".join(store.cat(cid)) == (samples / "chunk_plus_one").read_bytes()
    tree = store.add_path(samples / "tree", 1)
    store.get(tree, tmp_path / "out")
    assert compute_cid(tmp_path / "out", 1) == tree


def test_unpin_removes_pin_on_real_node(jsipfs, samples):
    store = KuboStore(jsipfs.api)
    cid = store.add_path(samples / "ten", 0)
    store.unpin(cid)
    assert not any(p.same_content(cid) for p in store.pins())


def test_car_export_imports_into_real_node_and_back(jsipfs, samples, tmp_path):
    local = EmbeddedStore(tmp_path / "local")
    root = Importer(1, sink=local).add_path(samples / "tree").cid
    export_car(local, root, tmp_path / "tree.car")
    with open(tmp_path / "tree.car", "rb") as handle:
        reply = requests.post(f"{jsipfs.url}/dag/import",
                              files={"file": ("tree.car", handle, "application/vnd.ipld.car")}, timeout=60)
    assert reply.ok, reply.text
    exported = requests.post(f"{jsipfs.url}/dag/export", params={"arg": str(root)}, timeout=60)
    (tmp_path / "back.car").write_bytes(exported.content)
    other = EmbeddedStore(tmp_path / "other")
    assert [r.same_content(root) for r in import_car(other, tmp_path / "back.car")] == [True]


def test_unreachable_node_error_names_address(samples):
    store = KuboStore("http://127.0.0.1:9")
    with pytest.raises(NodeUnreachableError, match="/ip4/127.0.0.1/tcp/9/http"):
        store.add_path(samples / "ten", 0)


def test_to_multiaddr_rejects_garbage():
    assert to_multiaddr("http://127.0.0.1:5001") == "/ip4/127.0.0.1/tcp/5001/http"
    with pytest.raises(Exception, match="invalid IPFS API address"):
        to_multiaddr("nonsense")


class LyingNode(BaseHTTPRequestHandler):
    """Answers a CAR import with another file's CID and every block with other bytes."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/api/v0/dag/import"):
            wrong = str(compute_cid_bytes(b"something else"))
            body = json.dumps({"Root": {"Cid": {"/": wrong}, "PinErrorMsg": ""}}).encode()
        else:
            body = b"corrupted!"
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def compute_cid_bytes(data):
    return Importer(0).add_bytes(data).cid


@pytest.fixture
def liar():
    server = HTTPServer(("127.0.0.1", 0), LyingNode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_add_path_raises_when_node_returns_other_cid(liar, samples):
    with pytest.raises(CidMismatchError, match="returned Qm"):
        KuboStore(liar).add_path(samples / "ten", 0)


def test_cat_raises_when_node_returns_corrupted_bytes(liar, samples):
    cid = compute_cid(samples / "ten", 0)
    with pytest.raises(CorruptBlockError):
        b"".join(KuboStore(liar).cat(cid))
