"""Near-duplicate search across the datasets of a commons: each dataset is the set of its rows
(and text lines), summarised as a MinHash signature (128 permutations, datasketch's `affine64`
scheme over the rows' 64-bit hashes); a MinHash LSH index
per commons (`datasketch.MinHashLSH`) finds the candidates, whose Jaccard similarity the
signatures estimate. Row order does not matter: a shuffled copy is the same set.

The index is kept incrementally under ``$OPENCOMMONS_HOME/quality/<commons>.pickle``: scoring a
dataset adds its signature, nothing is rebuilt. Signatures are plain arrays, so they can be
computed anywhere (a Dask or Ray map step) and inserted here.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from ..home import opencommons_home

NUM_PERM = 128
SEED = 1
#: datasketch 2's 64-bit affine permutations (datasets of 100 million rows and more stay unbiased)
SCHEME = "affine64"
THRESHOLD = 0.5
_CHUNK = 50_000


def _minhash(hashvalues: Any = None) -> Any:
    from datasketch import MinHash

    # the row hashes are already uniform 64-bit values: hashed again by nothing but int()
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=int, hashvalues=hashvalues)


def signature(row_hashes: Any) -> Any:
    """The MinHash signature (array of NUM_PERM values) of a set given by its 64-bit hashes."""
    import numpy as np

    values = np.unique(np.asarray(row_hashes, dtype=np.uint64))
    sketch = _minhash()
    for start in range(0, len(values), _CHUNK):
        sketch.update_batch(values[start:start + _CHUNK])
    return np.asarray(sketch.hashvalues).copy()


def jaccard(first: Any, second: Any) -> float:
    import numpy as np

    return float(np.mean(np.asarray(first) == np.asarray(second)))


class NearDuplicateIndex:
    """One commons' signatures and their LSH index, saved after each insert."""

    def __init__(self, path: Path) -> None:
        from datasketch import MinHashLSH

        self.path = path
        self.signatures: dict[str, Any] = {}
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        if path.exists():
            with open(path, "rb") as handle:
                saved = pickle.load(handle)
            self.signatures, self.lsh = saved["signatures"], saved["lsh"]

    @classmethod
    def for_commons(cls, commons_key: str, root: Path | None = None) -> "NearDuplicateIndex":
        base = root or opencommons_home("quality")
        return cls(base / f"{commons_key}.pickle")

    def add(self, key: str, sig: Any) -> None:
        from datasketch import LeanMinHash

        if key in self.signatures:
            return
        self.signatures[key] = sig
        self.lsh.insert(key, LeanMinHash(_minhash(sig)))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        with open(partial, "wb") as handle:
            pickle.dump({"signatures": self.signatures, "lsh": self.lsh}, handle)
        os.replace(partial, self.path)

    def query(self, sig: Any, among: set[str] | None = None, floor: float = 0.1) -> dict[str, float]:
        """Datasets whose estimated Jaccard similarity with `sig` is at least `floor`: LSH
        candidates (similarity around THRESHOLD and above), then, within `among` when given, every
        signature the LSH did not propose whose estimate still reaches `floor`, so a partial copy
        is reported too."""
        found = {key: jaccard(sig, self.signatures[key]) for key in self.lsh.query(_minhash(sig))}
        if among is not None:
            found = {k: v for k, v in found.items() if k in among}
            for key in among - set(found):
                if key in self.signatures:
                    similarity = jaccard(sig, self.signatures[key])
                    if similarity >= floor:
                        found[key] = similarity
        return {k: round(v, 4) for k, v in sorted(found.items()) if v >= floor}
