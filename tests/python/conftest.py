import os
from pathlib import Path

import pytest

from kubo_oracle import KuboOracle


@pytest.fixture(scope="session")
def kubo(tmp_path_factory):
    return KuboOracle(tmp_path_factory.mktemp("kubo") / "repo")


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Path:
    """The issue's cases: empty, 10 B, exactly one chunk, one chunk + 1, several MB, >174 chunks,
    and a nested directory with an empty sub-directory and a hidden file."""
    root = tmp_path_factory.mktemp("samples")
    rng = __import__("random").Random(7)
    for name, size in [("empty", 0), ("ten", 10), ("chunk", 262_144), ("chunk_plus_one", 262_145),
                       ("several_mb", 5_000_000), ("two_levels", 45_613_057)]:
        with open(root / name, "wb") as handle:
            remaining = size
            while remaining:
                n = min(remaining, 1 << 20)
                handle.write(rng.randbytes(n))
                remaining -= n
    tree = root / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "empty_dir").mkdir()
    (tree / "a.csv").write_text("id,value\n1,2\n")
    (tree / "sub" / "b.json").write_text('{"b": 1}')
    (tree / "sub" / "deeper" / "c.bin").write_bytes(os.urandom(300_000))
    (tree / ".hidden").write_text("left out unless asked")
    return root


@pytest.fixture(scope="session")
def jsipfs(tmp_path_factory):
    """A real js-ipfs daemon (Kubo RPC API), started once for the session."""
    from jsipfs_node import JsIpfsNode

    node = JsIpfsNode(tmp_path_factory.mktemp("jsipfs") / "repo").start()
    yield node
    node.stop()
