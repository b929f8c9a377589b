"""Throughput of the verified download (`commons dataset get`, the library's plan + fetch): a
dataset of --size-mb MiB (8 files of random bytes) pinned as publishing pins it, then fetched with
every block re-hashed and every file's sha256 checked, from the embedded store and (--kubo) from a
real js-ipfs node over the Kubo RPC API. Peak Python memory (tracemalloc) at the full size and at
an eighth of it shows whether memory stays flat in the dataset's size.

    python benchmarks/get.py [--size-mb 1024] [--kubo] [--json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))

from report import emit  # noqa: E402
from opencommons.ipfs.content import open_store  # noqa: E402
from opencommons.ml.download import Resolved, download  # noqa: E402
from opencommons.publish import PublishRequest, pin_content, scan  # noqa: E402

ACCOUNT = "0x00000000000000000000000000000000000000a1"


def make_dataset(root: Path, size: int, files: int = 8) -> Path:
    folder = root / f"data-{size}"
    folder.mkdir()
    each = size // files
    for i in range(files):
        with open(folder / f"part-{i:02d}.bin", "wb") as handle:
            left = each
            while left:
                n = min(left, 8 << 20)
                handle.write(os.urandom(n))
                left -= n
    return folder


def pinned(store: object, folder: Path) -> Resolved:
    scanned = scan(PublishRequest(folder, "CC0-1.0", "XX/bench", [(ACCOUNT, 10_000)], folder.name))
    pin_content(store, folder, scanned)  # type: ignore[arg-type]
    return Resolved(scanned.content, scanned.manifest_cid)


def timed_get(store: object, resolved: Resolved, target: Path, size: int) -> tuple[float, int]:
    tracemalloc.start()
    start = time.perf_counter()
    result = download(store, resolved, target)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.bytes_fetched == size and len(result.fetched) == 8
    return size / seconds / 1e6, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--kubo", action="store_true", help="also through a js-ipfs node (Kubo RPC API)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    size = args.size_mb << 20
    out: dict[str, float] = {"size_mb": args.size_mb}
    root = Path(tempfile.mkdtemp(prefix="oc-bench-get-"))
    try:
        store = open_store("embedded", root / "store")
        big, small = make_dataset(root, size), make_dataset(root, size // 8)
        resolved_big, resolved_small = pinned(store, big), pinned(store, small)
        # the small one first: whatever the first download allocates once (imports, caches) is
        # then not counted against the large one
        _, peak_small = timed_get(store, resolved_small, root / "out-small", size // 8)
        rate, peak = timed_get(store, resolved_big, root / "out-big", size)
        out.update(get_embedded_mb_per_s=round(rate, 1), peak_python_kb=round(peak / 1024),
                   peak_python_kb_eighth=round(peak_small / 1024))
        if args.kubo:
            from jsipfs_node import JsIpfsNode
            from opencommons.ipfs.kubo import KuboStore

            node = JsIpfsNode(root / "jsipfs").start()
            try:
                kubo = KuboStore(node.api, timeout=3600)
                started = time.perf_counter()
                resolved = pinned(kubo, big)
                out["pin_kubo_s"] = round(time.perf_counter() - started, 1)
                rate, _ = timed_get(kubo, resolved, root / "out-kubo", size)
                out["get_kubo_mb_per_s"] = round(rate, 1)
            finally:
                node.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    emit(out, args.json)


if __name__ == "__main__":
    main()
