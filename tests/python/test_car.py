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


def _car_without(source_car, target_car, leave_out):
    """The CAR file `source_car` with every block whose CID is in `leave_out` left out."""
    from opencommons.ipfs.car import read_car
    from opencommons.ipfs.multiformats import decode_varint, encode_varint

    data = source_car.read_bytes()
    length, start = decode_varint(data, 0)
    with open(source_car, "rb") as stream:
        _, blocks = read_car(stream)
        sections = [encode_varint(len(cid.to_bytes()) + len(block)) + cid.to_bytes() + block
                    for cid, block in blocks if cid not in leave_out]
    target_car.write_bytes(data[:start + length] + b"".join(sections))


def test_import_pins_only_a_complete_dag_from_the_file_or_the_store(samples, tmp_path):
    """A root is pinned when every block under it is in the file or, verified, already in the store:
    a block neither holds, or a corrupted copy on disk, leaves it unpinned."""
    from opencommons.errors import BlockNotFoundError, CorruptBlockError
    from opencommons.ipfs.store import walk

    source = EmbeddedStore(tmp_path / "a")
    root = Importer(1, sink=source).add_path(samples / "tree").cid
    export_car(source, root, tmp_path / "whole.car")
    leaf = [c for c in walk(source, root)][-1]
    _car_without(tmp_path / "whole.car", tmp_path / "lacking.car", {leaf})
    alone = EmbeddedStore(tmp_path / "alone")
    with pytest.raises(BlockNotFoundError):
        import_car(alone, tmp_path / "lacking.car")
    assert alone.pins() == []
    holding = EmbeddedStore(tmp_path / "holding")
    holding.put_block(leaf, source.get_block(leaf))
    assert import_car(holding, tmp_path / "lacking.car") == [root]
    assert [p.same_content(root) for p in holding.pins()] == [True]
    damaged = EmbeddedStore(tmp_path / "damaged")
    damaged.put_block(leaf, source.get_block(leaf))
    on_disk = damaged.blocks / leaf.digest.hex()[:2] / leaf.digest.hex()
    on_disk.write_bytes(b"not the block")
    with pytest.raises(CorruptBlockError):
        import_car(damaged, tmp_path / "whole.car")
    assert damaged.pins() == []
