"""A look at a dataset before using it: the rows of each record set, a page at a time and
searchable, and what each column holds (its type, the share missing, how many distinct values,
the commonest values or a histogram). Read from the verified copy (`tables.verified_copy`), so
what is shown is what the chain records."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from threading import Lock
from typing import Any

from ..errors import OpenCommonsError
from .tables import LocalCopy, RecordSetError, choose, read_pandas

#: a dataset larger than this (its files together) is not previewed here: download it instead
MAX_PREVIEW_BYTES = 512 * 1024 * 1024
#: rows a page may ask for at most
MAX_PAGE = 200
#: histogram bars for a numeric column; values listed for any other
BINS = 10
TOP = 5

_frames: OrderedDict[tuple[str, str], Any] = OrderedDict()
_lock = Lock()


class PreviewError(OpenCommonsError):
    """A dataset (or record set) this preview cannot show, with the reason."""


def check_size(manifest: dict[str, Any]) -> None:
    if isinstance(manifest.get("private"), dict):
        raise PreviewError("a private dataset's rows are shown to its licensees only, not on its public page")
    size = sum(int(f.get("size") or 0) for f in manifest.get("files", []) if isinstance(f, dict))
    if size > MAX_PREVIEW_BYTES:
        raise PreviewError(f"this dataset is {size:,} bytes, more than the {MAX_PREVIEW_BYTES:,} a preview reads: "
                           "download it (`commons dataset get`) to look inside")


def frame_of(local: LocalCopy, record_set: str | None) -> tuple[str, Any]:
    """The record set's rows as a DataFrame (the first, without a name), kept for the last few asked."""
    if record_set is None and local.record_sets:
        record_set = sorted(local.record_sets)[0]
    chosen = choose(local, record_set)[0]
    key = (local.directory.name, chosen.name)
    with _lock:
        if key in _frames:
            _frames.move_to_end(key)
            return chosen.name, _frames[key]
    frame = read_pandas(chosen)
    with _lock:
        _frames[key] = frame
        while len(_frames) > 8:
            _frames.popitem(last=False)
    return chosen.name, frame


def rows(local: LocalCopy, record_set: str | None = None, offset: int = 0, limit: int = 20,
         search: str = "") -> dict[str, Any]:
    """One page of a record set's rows (those containing `search` in any column, case-insensitive)."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise PreviewError(f"a page starts at 0 or later and holds 1 to {MAX_PAGE} rows")
    name, frame = frame_of(local, record_set)
    shown = frame
    if search:
        text = frame.astype(str)
        hit = text.apply(lambda column: column.str.contains(search, case=False, regex=False)).any(axis=1)
        shown = frame[hit]
    page = shown.iloc[offset:offset + limit]
    return {"recordSets": sorted(local.record_sets), "recordSet": name, "columns": [str(c) for c in frame.columns],
            "rows": json.loads(page.to_json(orient="values", date_format="iso")), "total": len(frame),
            "matched": len(shown), "offset": offset}


def columns(local: LocalCopy, record_set: str | None = None) -> dict[str, Any]:
    """What each column of a record set holds."""
    import pandas as pd

    name, frame = frame_of(local, record_set)
    out = []
    for column in frame.columns:
        values = frame[column]
        present = values.dropna()
        entry: dict[str, Any] = {"name": str(column), "type": _type_name(values),
                                 "missing": 0.0 if len(values) == 0 else round(1 - len(present) / len(values), 4),
                                 "distinct": int(present.nunique())}
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) and len(present):
            entry["histogram"] = _histogram(present.astype(float))
        else:
            counts = present.astype(str).value_counts().head(TOP)
            entry["top"] = [[str(v), int(n)] for v, n in counts.items()]
        out.append(entry)
    return {"recordSet": name, "rows": len(frame), "columns": out}


def _type_name(values: Any) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    return "text"


def _histogram(values: Any) -> dict[str, Any]:
    import numpy as np

    finite = values[np.isfinite(values)]
    if not len(finite):
        return {"edges": [], "counts": []}
    low, high = float(finite.min()), float(finite.max())
    counts, edges = np.histogram(finite, bins=BINS if high > low else 1)
    return {"edges": [_round(e) for e in edges], "counts": [int(c) for c in counts]}


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, 6 - int(math.floor(math.log10(abs(value)))))


__all__ = ["PreviewError", "RecordSetError", "check_size", "columns", "rows"]
