"""The scorer at national-dataset size.

1. validity + integrity throughput: a CSV of --size-mb MiB (Palmer penguins' rows repeated, with a
   row id so no two rows are equal) pinned to the embedded store, then fetched through the verified
   store (every block and the file's sha256 checked) and checked row by row against its types.
2. near-duplicate search: an index of --existing datasets (signatures of 2,000 rows each) kept
   incrementally; the time to query a new dataset against all of them, and to add one.
3. the same signatures as a map step on Dask with two worker processes (LocalCluster), against
   the serial loop: MinHash signatures are plain arrays, so any scheduler can compute them.

Goals (issue 18): validity+integrity >= 100 MB/s; near-duplicate query <= 1 s against 1,000.
`--json` prints one object with at least validity_mb_per_s and near_duplicate_query_s_1000.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from report import emit  # noqa: E402
from opencommons.ipfs.content import open_store  # noqa: E402
from opencommons.ml.download import Resolved, fetch_file, plan  # noqa: E402
from opencommons.publish import PublishRequest, pin_content, scan  # noqa: E402
from opencommons.quality.near_duplicates import NearDuplicateIndex, signature  # noqa: E402
from opencommons.quality.tabular import check_table  # noqa: E402

ACCOUNT = "0x00000000000000000000000000000000000000a1"


def big_csv(folder: Path, size: int) -> Path:
    rows = Path(str(files("palmerpenguins") / "data" / "penguins.csv")).read_text().splitlines()
    header, body = rows[0], rows[1:]
    path = folder / "penguins-national.csv"
    written, n = 0, 0
    with open(path, "w") as handle:
        handle.write("row," + header + "\n")
        while written < size:
            chunk = "".join(f"{n + i},{row}\n" for i, row in enumerate(body))
            n += len(body)
            handle.write(chunk)
            written += len(chunk)
    return path


def random_signature(rng: object, rows: int = 2000) -> object:
    import numpy as np

    return signature(np.asarray(rng.integers(0, 2**63, size=rows, dtype=np.uint64)))  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--existing", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import numpy as np

    out: dict[str, float] = {"size_mb": args.size_mb, "existing": args.existing}
    root = Path(tempfile.mkdtemp(prefix="oc-bench-quality-"))
    try:
        folder = root / "data"
        folder.mkdir()
        csv_path = big_csv(folder, args.size_mb << 20)
        size = csv_path.stat().st_size
        store = open_store("embedded", root / "store")
        scanned = scan(PublishRequest(folder, "CC0-1.0", "XX/bench", [(ACCOUNT, 10_000)], "national"))
        pin_content(store, folder, scanned)
        work = plan(store, Resolved(scanned.content, scanned.manifest_cid), root / "copy")
        started = time.perf_counter()
        for f, target in work.todo:
            fetch_file(work, f, target)  # integrity: every block and the sha256
        integrity_s = time.perf_counter() - started
        started = time.perf_counter()
        report = check_table(root / "copy" / csv_path.name, csv_path.name, None, hashes=False)
        validity_s = time.perf_counter() - started
        assert report.error is None and report.violating_rows == 0, report.summary()
        out.update(rows=report.rows, integrity_mb_per_s=round(size / integrity_s / 1e6, 1),
                   validity_only_mb_per_s=round(size / validity_s / 1e6, 1),
                   validity_mb_per_s=round(size / (integrity_s + validity_s) / 1e6, 1))

        rng = np.random.default_rng(7)
        index = NearDuplicateIndex(root / "index.pickle")
        signatures = [random_signature(rng) for _ in range(args.existing)]
        started = time.perf_counter()
        for i, sig in enumerate(signatures[:-1]):
            index.add(str(i), sig)  # as scoring adds them, one at a time, saved each time
        out["index_build_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        index.add(str(args.existing - 1), signatures[-1])
        out["near_duplicate_add_s"] = round(time.perf_counter() - started, 3)
        new = random_signature(rng)
        started = time.perf_counter()
        found = index.query(new, among=set(index.signatures))
        out[f"near_duplicate_query_s_{args.existing}"] = round(time.perf_counter() - started, 4)
        out["near_duplicate_query_s_1000"] = out[f"near_duplicate_query_s_{args.existing}"]
        assert found == {}, found

        # signatures as a map step: serial, then Dask with two worker processes
        row_sets = [np.asarray(rng.integers(0, 2**63, size=200_000, dtype=np.uint64)) for _ in range(8)]
        started = time.perf_counter()
        serial = [signature(rows) for rows in row_sets]
        out["signatures_serial_s"] = round(time.perf_counter() - started, 2)
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            scattered = client.scatter(row_sets)
            client.gather(client.map(signature, scattered[:2]))  # warm the workers
            started = time.perf_counter()
            mapped = client.gather(client.map(signature, scattered, pure=False))
            out["signatures_dask_2_workers_s"] = round(time.perf_counter() - started, 2)
        assert all((a == b).all() for a, b in zip(serial, mapped))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    emit(out, args.json)


if __name__ == "__main__":
    main()
