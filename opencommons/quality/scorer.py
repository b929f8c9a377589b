"""The proof-of-contribution scorer: measures a dataset, reproducibly, and writes a results JSON.

Four metrics, each 0..1, and a combined score 0..10,000 (their weighted mean, weights in basis
points; the defaults below, or a JSON file of the same shape):

- integrity: the share of the dataset's bytes whose file re-hashes to the manifest's sha256
  through content whose every block re-hashes to its CID (the content CID being the one on-chain);
- validity: over tabular files (CSV, JSON Lines, Parquet), the share of rows that parse and whose
  every value matches its column's type (Croissant's, else inferred), times the share of tabular
  files that parse at all; missing values are reported per column;
- uniqueness: (1 - share of duplicate rows) x (1 - share of duplicate files) x (1 - the largest
  near-duplicate overlap, the MinHash-estimated Jaccard similarity of its rows with any dataset
  of the same commons published before it);
- ownership: the share (by contributor shares) of contributors that are registered, halved when
  the publisher is not (the publisher's signature over the manifest is the publish transaction
  itself, which carries the manifest's digest and is checked on-chain by the mint).

Given the same CIDs and the same earlier datasets, the results file is identical byte for byte
(no clock, no machine-specific value, sorted keys, rounded figures): anyone can re-run it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OpenCommonsError
from ..ml.croissant import TABULAR
from .near_duplicates import NearDuplicateIndex, signature
from .tabular import TableReport, check_table, line_hashes

VERSION = "opencommons-quality/1"
#: the combined score's weights (basis points, summing to 10,000) until governance sets its own on
#: chain (`ContributionRewards.setScoreWeights`, read by `commons dataset score`); --weights FILE
#: (a JSON object of this shape) overrides both
DEFAULT_WEIGHTS = {"integrity": 3000, "validity": 3000, "uniqueness": 3000, "ownership": 1000}
TEXT = {".txt", ".md", ".json", ".tsv"}


class ScoreError(OpenCommonsError, ValueError):
    """Weights that do not make sense, or a dataset the scorer cannot read."""


@dataclass(frozen=True)
class Subject:
    """What is scored: a local folder (`files` from its manifest, or listed) and what the chain
    says of it (None for a folder scored before publishing)."""

    directory: Path
    files: list[dict[str, Any]]
    croissant: dict[str, Any] | None = None
    dataset_id: int | None = None
    inputs: dict[str, Any] | None = None
    integrity: dict[str, str] | None = None  # path -> "verified" or why not
    ownership: dict[str, Any] | None = None
    commons_key: str | None = None
    earlier: tuple[str, ...] = ()
    #: files whose content could not be fetched at all (no block anywhere): they cannot be measured
    #: and score 0, and the command fails (a validator must not attest a dataset it could not read)
    missing: tuple[str, ...] = ()


def load_weights(path: Path | None) -> dict[str, int]:
    if path is None:
        return dict(DEFAULT_WEIGHTS)
    try:
        weights = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ScoreError(f"cannot read weights {path}: {exc}") from None
    if not isinstance(weights, dict) or set(weights) != set(DEFAULT_WEIGHTS) or not all(
            isinstance(v, int) and v >= 0 for v in weights.values()) or sum(weights.values()) != 10_000:
        raise ScoreError(f"weights {path} must give each of {', '.join(DEFAULT_WEIGHTS)} a whole number of basis "
                         f"points, summing to 10000")
    return weights


def chain_weights(commons: Any) -> dict[str, int] | None:
    """The weights governance set on-chain (None until it does)."""
    values = [int(v) for v in commons.rewards.functions.scoreWeights().call()]
    if sum(values) != 10_000:
        return None
    return dict(zip(DEFAULT_WEIGHTS, values))


def _declared(croissant: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """file path -> column -> Croissant dataType."""
    out: dict[str, dict[str, str]] = {}
    for record_set in (croissant or {}).get("recordSet", []) or []:
        fields = record_set.get("field") or []
        for f in fields if isinstance(fields, list) else [fields]:
            source = f.get("source") or {}
            file_id = (source.get("fileObject") or {}).get("@id")
            column = (source.get("extract") or {}).get("column")
            kind = f.get("dataType")
            if file_id and column and isinstance(kind, str):
                out.setdefault(file_id, {})[column] = kind
    return out


def measure_files(directory: Path, files: list[dict[str, Any]],
                  declared: dict[str, dict[str, str]]) -> tuple[list[TableReport], list[Any]]:
    """Each tabular file's validity report, and every row's (and text line's) hash: the set the
    near-duplicate signature summarises. Only verified bytes are ever passed here."""
    tables: list[TableReport] = []
    elements: list[Any] = []
    for f in files:
        path = directory / f["path"]
        suffix = path.suffix.lower()
        if suffix in TABULAR:
            report = check_table(path, f["path"], declared.get(f["path"]),
                                 charset=f.get("encoding") if isinstance(f.get("encoding"), str) else None)
            tables.append(report)
            elements.extend(report.row_hashes)
        elif suffix in TEXT:
            elements.append(line_hashes(path))
    return tables, elements


def signature_of(subject: Subject) -> Any:
    """The near-duplicate signature of a subject's verified files (None when it has no rows)."""
    import numpy as np

    skip = {path for path, outcome in (subject.integrity or {}).items() if outcome != "verified"}
    _, elements = measure_files(subject.directory, [f for f in subject.files if f["path"] not in skip],
                                _declared(subject.croissant))
    hashes = np.concatenate(elements) if elements else np.zeros(0, dtype=np.uint64)
    return signature(hashes) if len(hashes) else None


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 6) if denominator else 1.0


def score(subject: Subject, weights: dict[str, int] | None = None,
          index: NearDuplicateIndex | None = None) -> dict[str, Any]:
    """The results document (see the module's text). With `index`, the dataset is compared with
    `subject.earlier` in it, and then added to it."""
    weights = weights or dict(DEFAULT_WEIGHTS)
    declared = _declared(subject.croissant)
    notes: list[str] = []
    total_bytes = sum(int(f.get("size") or 0) for f in subject.files) or 1
    integrity = None
    if subject.integrity is not None:
        good = sum(int(f.get("size") or 0) for f in subject.files if subject.integrity.get(f["path"]) == "verified")
        integrity = _ratio(good, total_bytes)
        for path, outcome in sorted(subject.integrity.items()):
            if outcome != "verified":
                notes.append(f"integrity: {path} does not verify ({outcome})")
    skip = {path for path, outcome in (subject.integrity or {}).items() if outcome != "verified"}
    tables, elements = measure_files(subject.directory, [f for f in subject.files if f["path"] not in skip], declared)
    for path in subject.missing:  # a table nobody could read is a table that does not parse
        if Path(path).suffix.lower() in TABULAR:
            tables.append(TableReport(path, error=f"cannot be read: {subject.integrity.get(path, 'missing')}"
                                      if subject.integrity else "cannot be read"))
    for report in tables:
        if report.error:
            notes.append(f"validity: {report.path} does not parse ({report.error})")
        elif report.violating_rows:
            notes.append(f"validity: {report.path}: {report.violating_rows} of {report.rows} rows violate the schema")
    parsed = [t for t in tables if t.error is None]
    rows = sum(t.rows for t in parsed)
    validity = round(_ratio(rows - sum(t.violating_rows for t in parsed), rows) * _ratio(len(parsed), len(tables)), 6)

    import numpy as np

    hashes = np.concatenate(elements) if elements else np.zeros(0, dtype=np.uint64)
    table_hashes = np.concatenate([h for t in parsed for h in t.row_hashes]) if any(t.row_hashes for t in parsed) \
        else np.zeros(0, dtype=np.uint64)
    duplicate_rows = int(len(table_hashes) - len(np.unique(table_hashes)))
    digests = [f.get("sha256") for f in subject.files]
    duplicate_files = len(digests) - len(set(digests))
    if duplicate_rows:
        notes.append(f"uniqueness: {duplicate_rows} rows repeat another row of the dataset")
    if duplicate_files:
        notes.append(f"uniqueness: {duplicate_files} files repeat another file of the dataset")
    overlaps: dict[str, float] = {}
    sig = signature(hashes) if len(hashes) else None
    if index is not None and sig is not None:
        overlaps = index.query(sig, among=set(subject.earlier))
        for other, similarity in sorted(overlaps.items(), key=lambda kv: -kv[1]):
            notes.append(f"uniqueness: rows overlap {similarity:.0%} with dataset {other}")
    uniqueness = round((1 - _ratio(duplicate_rows, len(table_hashes))) * (1 - _ratio(duplicate_files, len(digests)))
                       * (1 - max(overlaps.values(), default=0.0)), 6)
    ownership = None
    if subject.ownership is not None:
        ownership = round(subject.ownership["registeredShareBps"] / 10_000 * (1 if subject.ownership["publisherRegistered"]
                                                                             else 0.5), 6)
        if ownership < 1:
            notes.append("ownership: " + ", ".join(subject.ownership.get("unregistered", [])) + " not registered")
    metrics = {"integrity": integrity, "validity": validity, "uniqueness": uniqueness, "ownership": ownership}
    counted = {k: v for k, v in metrics.items() if v is not None}
    weight_sum = sum(weights[k] for k in counted)
    combined = round(10_000 * sum(weights[k] * v for k, v in counted.items()) / weight_sum) if weight_sum else 0
    results = {
        "scorer": VERSION,
        "inputs": subject.inputs or {"files": {f["path"]: f.get("sha256") for f in subject.files}},
        "metrics": metrics,
        "scores": {k: round(v * 10_000) for k, v in counted.items()},
        "score": combined,
        "weights": weights,
        "details": {
            "bytes": total_bytes, "files": len(subject.files), "tables": [t.summary() for t in tables],
            "rows": rows, "duplicateRows": duplicate_rows, "duplicateFiles": duplicate_files,
            "overlaps": overlaps, "comparedWith": sorted(subject.earlier) if index is not None else None,
            "missing": sorted(subject.missing),
            "ownership": subject.ownership,
        },
        "explanations": notes,
    }
    if index is not None and sig is not None and subject.dataset_id is not None:
        index.add(str(subject.dataset_id), sig)
    return results


def encode(results: dict[str, Any]) -> bytes:
    return json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"
