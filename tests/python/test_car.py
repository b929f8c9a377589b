"""CAR v1: export from one store, import into another, same content; damage is detected."""
import pytest

from opencommons.errors import CarFormatError
from opencommons.ipfs.car import export_car, import_car
from opencommons.ipfs.importer import Importer
from opencommons.ipfs.store import EmbeddedStore, cat, get
from opencommons.ipfs.importer import compute_cid


@pytest.mark.parametrize("version", [0, 1])
def test_export_then_import_round_trips_directory(samples, tmp_path, version):
    source = EmbeddedStore(tmp_path / "a")
    root = Importer(version, sink=source).add_path(samples / "tree").cid
    count = export_car(source, root, tmp_path / "tree.car")
    assert count >= 7
    target = EmbeddedStore(tmp_path / "b")
    assert import_car(target, tmp_path / "tree.car") == [root]
    assert [p.same_content(root) for p in target.pins()] == [True]
    get(target, root, tmp_path / "out")
    assert compute_cid(tmp_path / "out", version) == root


def test_import_rejects_tampered_block(samples, tmp_path):
    source = EmbeddedStore(tmp_path / "a")
    root = Importer(1, sink=source).add_path(samples / "ten").cid
    export_car(source, root, tmp_path / "x.car")
    data = bytearray((tmp_path / "x.car").read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / "x.car").write_bytes(bytes(data))
    target = EmbeddedStore(tmp_path / "b")
    with pytest.raises(CarFormatError, match="does not match its CID"):
        import_car(target, tmp_path / "x.car")
    assert target.pins() == []


@pytest.mark.parametrize("payload,message", [(b"", "empty CAR file"), (b"\x05\xa1abcd", "ends early|unsupported|not a CAR")])
def test_import_rejects_malformed_file(tmp_path, payload, message):
    (tmp_path / "bad.car").write_bytes(payload)
    with pytest.raises(CarFormatError, match=message):
        import_car(EmbeddedStore(tmp_path / "s"), tmp_path / "bad.car")


def test_import_rejects_truncated_file(samples, tmp_path):
    source = EmbeddedStore(tmp_path / "a")
    root = Importer(0, sink=source).add_path(samples / "chunk_plus_one").cid
    export_car(source, root, tmp_path / "x.car")
    (tmp_path / "x.car").write_bytes((tmp_path / "x.car").read_bytes()[:-100])
    with pytest.raises(CarFormatError, match="ends inside a block"):
        import_car(EmbeddedStore(tmp_path / "b"), tmp_path / "x.car")
