"""Importing the files of a directory on every core.

Python spends most of a small file's import in system calls and protobuf bytes (the GIL
allows one thread at a time, so threads made it slower here), so files go to worker processes,
forked: only from a process running a single thread (a thread's lock copied mid-hold would
hang the child; a forkserver or spawn start would re-import the caller's main module, the
whole CLI), otherwise the import stays serial. Each worker imports
whole files, writing their blocks straight into the embedded store (its writes are atomic
renames, safe from several processes), and returns each file's root; the parent builds the
directories. Results come back in submission order, so the CIDs and the file list are exactly
the serial importer's.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

#: below this many files the pool's start-up costs more than it saves
MIN_FILES = 256

class FileImporter(Protocol):
    """What a worker needs: something that imports one file (the Importer)."""

    def add_file(self, path: Path, digest: Any = None) -> Any: ...


#: in a worker: (the importer it made, whether to hash each file's bytes with sha256)
_worker: "tuple[FileImporter, bool] | None" = None


def can_fork() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _init(make_importer: Callable[[], FileImporter], digests: bool) -> None:
    global _worker
    _worker = (make_importer(), digests)


def _import_batch(paths: list[str]) -> list[tuple[bytes, int, int, str]]:
    assert _worker is not None
    importer, digests = _worker
    out = []
    for path in paths:
        digest = hashlib.sha256() if digests else None
        node = importer.add_file(Path(os.fsdecode(path)), digest)
        out.append((node.cid.to_bytes(), node.size, node.tsize, digest.hexdigest() if digest else ""))
    return out


def import_files(paths: list[Path], make_importer: Callable[[], FileImporter], digests: bool,
                 workers: int) -> Iterator[tuple[bytes, int, int, str]]:
    """(CID bytes, size, cumulative size, sha256 hex or "") of each file, in order. Each worker
    makes its own importer with `make_importer` (passed to forked workers without pickling): this
    module knows nothing of the importer, which is what calls it."""
    context = multiprocessing.get_context("fork")
    batch = max(1, min(64, len(paths) // (workers * 8) or 1))
    batches = [[str(p) for p in paths[i:i + batch]] for i in range(0, len(paths), batch)]
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                             initargs=(make_importer, digests)) as pool:
        for results in pool.map(_import_batch, batches):
            yield from results
