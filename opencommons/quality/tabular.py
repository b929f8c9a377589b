"""Validity of one tabular file (CSV, JSON Lines, Parquet), streamed in blocks so a file of any
size is read in constant memory, with pyarrow's multi-threaded readers and RE2 regular
expressions over whole columns (no Python loop over rows).

Every value is read as text and checked against its column's type: the Croissant field's
`dataType` when the dataset has Croissant metadata, else the type pyarrow infers from the file's
first block (a Text column whose values are mostly of one type is held to that type). A column
whose every value parses as its type (arrow's cast, the fast path) is valid as a whole; otherwise
each value is matched against the type's pattern. A row violates the schema when any non-missing
value does not match its column's type, or when it cannot be parsed at all (a CSV row with the
wrong number of fields). Missing values (empty, NA, null...) are counted per column, not as
violations.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: a value of each Croissant type, as text
PATTERNS = {
    "sc:Integer": r"^\s*[+-]?\d+\s*$",
    "sc:Float": r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^\s*[+-]?(nan|NaN|inf|Inf|infinity|Infinity)\s*$",
    "sc:Boolean": r"^\s*(true|false|True|False|TRUE|FALSE|0|1|yes|no)\s*$",
    "sc:Date": r"^\s*\d{4}-\d{2}-\d{2}\s*$",
    "sc:DateTime": r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\s*$",
}
#: a Text column whose non-missing values are at least this share of one type (in the file's first
#: block) is held to that type: a few corrupted values must not turn a numeric column into text
DOMINANT = 0.9
#: the order types are tried in, most specific first
SPECIFIC = ("sc:Boolean", "sc:Integer", "sc:Float", "sc:Date", "sc:DateTime")
BLOCK = 16 << 20


@dataclass
class TableReport:
    path: str
    rows: int = 0
    violating_rows: int = 0
    unparsed_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    row_hashes: list[Any] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"path": self.path, "rows": self.rows, "violatingRows": self.violating_rows,
                "unparsedRows": self.unparsed_rows, "columns": self.columns, "missing": self.missing,
                "error": self.error}


def _infer_type(arrow_type: Any) -> str:
    """The Croissant type of an arrow type (as croissant.build writes it)."""
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type):
        return "sc:Boolean"
    if pa.types.is_integer(arrow_type):
        return "sc:Integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "sc:Float"
    if pa.types.is_date(arrow_type):
        return "sc:Date"
    if pa.types.is_timestamp(arrow_type):
        return "sc:DateTime"
    return "sc:Text"


def _valid(text: Any, kind: str) -> Any:
    """None when every value of the column parses as `kind` (arrow's own cast: the fast path),
    else a mask of the rows whose value is missing or matches the type's pattern."""
    import pyarrow as pa
    import pyarrow.compute as pc

    target = {"sc:Integer": pa.int64(), "sc:Float": pa.float64(), "sc:Date": pa.date32()}.get(kind)
    if target is not None:
        try:
            pc.cast(text, target)
            return None
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    good = pc.or_(pc.is_null(text), pc.or_(pc.equal(text, ""), pc.match_substring_regex(text, PATTERNS[kind])))
    return pc.fill_null(good, True)


def _csv_batches(path: Path, report: TableReport, charset: str | None = None) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    with open(path, newline="", encoding=charset or "utf-8", errors="replace") as handle:
        header = next(csv.reader(handle), [])
    unparsed = [0]

    def skip(_row: Any) -> str:
        unparsed[0] += 1
        return "skip"

    reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=BLOCK, use_threads=True,
                                                                encoding=charset or "utf8"),
                           parse_options=pcsv.ParseOptions(invalid_row_handler=skip),
                           convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in header},
                                                               strings_can_be_null=True))
    yield from reader
    report.unparsed_rows += unparsed[0]


def _typed_batches(path: Path) -> Iterator[Any]:
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    if path.suffix.lower() == ".parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=1 << 16)
    else:
        with pjson.open_json(path) as reader:
            yield from reader


def check_table(path: Path, name: str, declared: dict[str, str] | None, hashes: bool = True,
                charset: str | None = None) -> TableReport:
    """Reads `path` block by block: rows, rows violating the schema (`declared` column ->
    Croissant type, else inferred), missing values per column, and (for uniqueness) each row's
    64-bit hash."""
    import pyarrow as pa
    import pyarrow.compute as pc

    report = TableReport(name)
    suffix = path.suffix.lower()
    csv_file = suffix == ".csv"  # read with empty strings as missing already
    try:
        if suffix == ".csv":
            from ..ml.croissant import read_schema

            inferred = {f.name: _infer_type(f.type) for f in read_schema(path, charset)}
            batches = _csv_batches(path, report, charset)
        else:
            inferred = {}
            batches = _typed_batches(path)
        types: dict[str, str] = {}
        for batch in batches:
            if not types:
                inferred = inferred or {f.name: _infer_type(f.type) for f in batch.schema}
                types = {c: (declared or {}).get(c) or inferred.get(c, "sc:Text") for c in batch.schema.names}
                types = {c: _dominant(batch.column(c)) if t == "sc:Text" else t for c, t in types.items()}
                report.columns = types
            ok = None
            texts = []
            for column_name in batch.schema.names:
                column = batch.column(column_name)
                try:
                    text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    text = None  # nested values: not checked against a scalar type
                empty = 0 if text is None or csv_file else int(pc.sum(pc.equal(text, "")).as_py() or 0)
                report.missing[column_name] = report.missing.get(column_name, 0) + column.null_count + empty
                if hashes and text is not None:
                    texts.append(_canonical(pc.fill_null(text, ""), types[column_name]))
                if text is None or types[column_name] not in PATTERNS:
                    continue
                good = _valid(text, types[column_name])
                if good is not None:
                    ok = good if ok is None else pc.and_(ok, good)
            report.rows += batch.num_rows
            if ok is not None:
                report.violating_rows += batch.num_rows - int(pc.sum(pc.cast(ok, pa.int64())).as_py() or 0)
            # (a batch whose every typed column parsed whole needed no per-value check at all)
            if hashes and texts:
                report.row_hashes.append(_hash_rows(texts))
    except (pa.ArrowInvalid, OSError, ValueError) as exc:
        report.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    report.violating_rows += report.unparsed_rows
    report.rows += report.unparsed_rows
    return report


def _dominant(column: Any) -> str:
    """The most specific type at least DOMINANT of the column's non-missing values match."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_string(column.type):
        return "sc:Text"
    present = pc.drop_null(pc.if_else(pc.equal(column, ""), None, column))
    if len(present) == 0:
        return "sc:Text"
    for kind in SPECIFIC:
        matched = int(pc.sum(pc.cast(pc.match_substring_regex(present, PATTERNS[kind]), pa.int64())).as_py() or 0)
        if matched >= DOMINANT * len(present):
            return kind
    return "sc:Text"


def _canonical(text: Any, kind: str) -> Any:
    """A value as the row hash sees it: numbers without the trailing `.0` a writer may add
    (3750 and 3750.0 are one value), surrounding blanks dropped."""
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(text)
    if kind in ("sc:Integer", "sc:Float"):
        text = pc.replace_substring_regex(text, r"^([+-]?\d+)\.0*$", r"\1")
    return text


def _hash_rows(texts: list[Any]) -> Any:
    """One 64-bit hash per row of the given text columns (values joined with a unit separator)."""
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    joined = pc.binary_join_element_wise(*texts, "\x1f") if len(texts) > 1 else texts[0]
    values = np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)
    return pd.util.hash_array(values, categorize=False)


def line_hashes(path: Path) -> Any:
    """One hash per non-empty line of a text file (near-duplicate text)."""
    import numpy as np
    import pandas as pd

    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return pd.util.hash_array(np.asarray(lines, dtype=object), categorize=False)
