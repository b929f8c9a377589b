"""Private datasets against the public path, for a dataset of --size-mb MiB (8 files of random
bytes), on the embedded store, with no chain (the licence check is one call per request and is
left out of the throughput):

- publish: the public path hashes and pins the folder; the private path encrypts it first
  (AES-256-GCM, 1 MiB chunks), then hashes and pins the ciphertext;
- download: the public path is `dataset get`'s verified fetch; the private one is the gateway's
  decryption as it streams a file (read_range of each chunk's blocks, each re-hashed, then the
  tag checked) with the client's sha256 of the plaintext.

Goal (issue 19): the private path at >= 70% of the public path's MB/s, memory flat in size.
`--json` prints one object.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from report import emit  # noqa: E402
from opencommons.ipfs.content import open_store  # noqa: E402
from opencommons.ipfs.directory import resolve  # noqa: E402
from opencommons.ipfs.store import read_range  # noqa: E402
from opencommons.ml.download import Resolved, download  # noqa: E402
from opencommons.private.crypto import HEADER, Decryptor, encrypt_stream, new_data_key  # noqa: E402
from get import make_dataset, pinned  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    size = args.size_mb << 20
    out: dict[str, float] = {"size_mb": args.size_mb}
    root = Path(tempfile.mkdtemp(prefix="oc-bench-private-"))
    try:
        plain = make_dataset(root, size)
        store = open_store("embedded", root / "store")
        started = time.perf_counter()
        public = pinned(store, plain)
        out["publish_public_mb_per_s"] = round(size / (time.perf_counter() - started) / 1e6, 1)
        key = new_data_key()
        started = time.perf_counter()
        (root / "sealed").mkdir()
        for path in sorted(plain.iterdir()):
            with open(path, "rb") as a, open(root / "sealed" / path.name, "wb") as b:
                encrypt_stream(key, a, b)
        private = pinned(store, root / "sealed")
        out["publish_private_mb_per_s"] = round(size / (time.perf_counter() - started) / 1e6, 1)

        started = time.perf_counter()
        download(store, public, root / "copy")  # type: ignore[arg-type]
        out["get_public_mb_per_s"] = round(size / (time.perf_counter() - started) / 1e6, 1)

        digests: dict[str, str] = {}

        def serve_all(limit: int) -> int:
            peak = 0
            for path in sorted(plain.iterdir())[:limit]:
                cid = resolve(store, f"{private.content}/{path.name}")  # type: ignore[arg-type]
                part = path.stat().st_size
                decryptor = Decryptor(key, read_range(store, cid, 0, HEADER), part)  # type: ignore[arg-type]
                digest = hashlib.sha256()
                with open(root / "received", "wb") as sink:
                    for chunk in decryptor.plaintext(lambda a, b: read_range(store, cid, a, b)):  # type: ignore[arg-type]
                        sink.write(chunk)
                        digest.update(chunk)
                digests[path.name] = digest.hexdigest()
                peak = max(peak, tracemalloc.get_traced_memory()[1])
            return peak

        tracemalloc.start()
        serve_all(1)
        one_file_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        started = time.perf_counter()
        serve_all(8)
        out["get_private_mb_per_s"] = round(size / (time.perf_counter() - started) / 1e6, 1)
        for path in sorted(plain.iterdir()):  # every file decrypted to its very bytes
            with open(path, "rb") as handle:
                assert digests[path.name] == hashlib.file_digest(handle, "sha256").hexdigest()
        out["peak_python_kb_one_file"] = round(one_file_peak / 1024)
        out["private_vs_public_get"] = round(out["get_private_mb_per_s"] / out["get_public_mb_per_s"], 2)
        out["private_vs_public_publish"] = round(out["publish_private_mb_per_s"] / out["publish_public_mb_per_s"], 2)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    emit(out, args.json)


if __name__ == "__main__":
    main()
