"""A published dataset in the tools ML engineers use: Hugging Face `datasets`, pandas, Parquet.

Everything is read from a verified local copy (:mod:`.download`) kept under
``$OPENCOMMONS_HOME/datasets/<manifest CID>``; the record sets are those of the dataset's Croissant
metadata (its FileObjects with a CSV, JSON Lines or Parquet encoding), or, for a dataset published
before Croissant, its files with those extensions.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OpenCommonsError
from ..ipfs.blocks import BlockSource
from ..ipfs.cid import Cid
from ..ipfs.store import read_document
from ..home import opencommons_home
from .croissant import TABULAR, mime_and_charset
from .download import Resolved, download

#: the `datasets` builder for each record set's encoding
BUILDERS = {"text/csv": "csv", "application/jsonlines": "json", "application/x-parquet": "parquet"}


class RecordSetError(OpenCommonsError, KeyError):
    """A record set the dataset does not have, or a dataset with none."""


@dataclass(frozen=True)
class RecordSet:
    name: str
    path: Path
    encoding: str
    #: the text encoding its publisher recorded when not UTF-8 (`text/csv; charset=...`)
    charset: str | None = None


@dataclass(frozen=True)
class LocalCopy:
    directory: Path
    manifest: dict[str, Any]
    croissant: dict[str, Any] | None
    record_sets: dict[str, RecordSet]
    #: the dataset's licence as the chain states it (a licensing.documents.DatasetLicence), when read
    licence: Any = None
    #: the dataset's generation on-chain, when read (a training run records it)
    generation: int | None = None
    #: what licence applies, as `commons dataset get` says it (what the terms permit, whether the
    #: account holds a licence)
    licence_note: tuple[str, ...] = ()


def cache_root() -> Path:
    return opencommons_home("datasets")


def verified_copy(source: BlockSource, resolved: Resolved, root: Path | None = None) -> LocalCopy:
    """The dataset downloaded (or resumed, or found already complete) under the cache, verified."""
    directory = (root or cache_root()) / str(resolved.manifest)
    result = download(source, resolved, directory)
    described = None
    if result.manifest.get("croissant"):
        described = read_document(source, Cid.parse(str(result.manifest["croissant"])), "Croissant document")
    return LocalCopy(directory, result.manifest, described, record_sets_of(directory, result.manifest, described))


def private_copy(commons: Any, resolved: Resolved, manifest: dict[str, Any], signer: Any,
                 gateway: str | None = None, root: Path | None = None) -> LocalCopy:
    """A private dataset's plaintext, decrypted by its gateway for `signer` (a licensee: the
    gateway checks the licence on-chain) and checked here against each file's plaintext sha256,
    kept under the cache's `private/<manifest CID>`; its record sets are its tabular files."""
    from ..private.client import download_private, login

    if commons is None or resolved.dataset_id is None:
        raise OpenCommonsError("a private dataset is served to licensees only: read it by its dataset id, "
                               "with the chain")
    if signer is None:
        raise OpenCommonsError(f"dataset {resolved.dataset_id} is private: pass account= (a licensee's keystore, "
                               "or an unlocked account on a local chain)")
    if not commons.licenses.functions.hasValidLicense(signer.address, resolved.dataset_id).call():
        # checked here too: a plaintext copy already on this machine is no licence
        raise OpenCommonsError(f"{signer.address} holds no valid licence to dataset {resolved.dataset_id}: buy one "
                               f"with `commons license buy {resolved.dataset_id}`")
    gateways = [g.get("url") for g in manifest["private"].get("gateways", []) if isinstance(g, dict)]
    url = gateway or (gateways[0] if gateways else None)
    if not url:
        raise OpenCommonsError(f"dataset {resolved.dataset_id} names no gateway: pass private_gateway=URL")
    directory = (root or cache_root()) / "private" / str(resolved.manifest)
    download_private(url, login(url, commons.w3, signer), resolved.dataset_id, manifest, directory)
    plaintext = {"files": [f for f in manifest["private"].get("files", []) if isinstance(f, dict)]}
    return LocalCopy(directory, manifest, None, record_sets_of(directory, plaintext, None))


def record_sets_of(directory: Path, manifest: dict[str, Any], described: dict[str, Any] | None) -> dict[str, RecordSet]:
    out: dict[str, RecordSet] = {}
    if described is not None:
        files = {d.get("@id"): d for d in described.get("distribution", []) if isinstance(d, dict)}
        for record_set in described.get("recordSet", []):
            fields = record_set.get("field") or []
            fields = fields if isinstance(fields, list) else [fields]
            source = ((fields[0].get("source") or {}).get("fileObject") or {}).get("@id") if fields else None
            if source in files:
                encoding, charset = mime_and_charset(files[source].get("encodingFormat"))
                if encoding in BUILDERS:
                    out[str(record_set.get("name") or record_set.get("@id"))] = RecordSet(
                        str(record_set.get("name")), directory / str(source), encoding, charset)
        return out
    for f in manifest.get("files", []):
        suffix = Path(str(f.get("path"))).suffix.lower()
        if suffix in TABULAR:
            name = str(f["path"]).rsplit(".", 1)[0]
            charset = f.get("encoding") if isinstance(f.get("encoding"), str) else None
            out[name] = RecordSet(name, directory / str(f["path"]), TABULAR[suffix], charset)
    return out


def choose(local: LocalCopy, record_set: str | None) -> list[RecordSet]:
    """The named record set, or every record set when they share one encoding (one table)."""
    if not local.record_sets:
        empty = [str(f.get("path")) for f in local.manifest.get("files", []) if isinstance(f, dict)
                 and f.get("size") == 0 and Path(str(f.get("path"))).suffix.lower() in TABULAR]
        if empty:
            raise RecordSetError(f"{empty[0]} is empty: this dataset has no rows to load")
        raise RecordSetError("this dataset has no CSV, JSON Lines or Parquet file to load")
    if record_set is not None:
        if record_set not in local.record_sets:
            raise RecordSetError(f"no record set {record_set!r}: this dataset has {', '.join(sorted(local.record_sets))}")
        return [local.record_sets[record_set]]
    if len(local.record_sets) == 1:
        return list(local.record_sets.values())
    raise RecordSetError(f"this dataset has several record sets ({', '.join(sorted(local.record_sets))}): "
                         "name one with record_set=")


def read_pandas(chosen: RecordSet) -> Any:
    """The record set as a pandas DataFrame, decoded with its recorded charset; a file that does
    not decode, or is empty, is refused in one line naming it."""
    import pandas as pd

    if chosen.path.stat().st_size == 0:
        raise RecordSetError(f"{chosen.path.name} is empty: record set {chosen.name!r} has no rows")
    try:
        if chosen.encoding == "text/csv":
            return pd.read_csv(chosen.path, encoding=chosen.charset or "utf-8")
        if chosen.encoding == "application/jsonlines":
            return pd.read_json(chosen.path, lines=True)
        return pd.read_parquet(chosen.path)
    except UnicodeDecodeError as exc:
        raise RecordSetError(f"{chosen.path.name} is not {chosen.charset or 'UTF-8'} (byte 0x{exc.object[exc.start]:02x}"
                             f" at offset {exc.start:,} of a piece) and its publisher recorded no other encoding: "
                             "read it with pandas.read_csv(path, encoding=...) naming the right one") from None


def hf_dataset(local: LocalCopy, record_set: str | None, split: str | None) -> Any:
    """A Hugging Face `datasets.Dataset` built by `datasets`' own CSV/JSON/Parquet builder from
    the verified files (offline: nothing is fetched from a hub)."""
    import datasets

    chosen = choose(local, record_set)
    for c in chosen:
        if c.path.stat().st_size == 0:
            raise RecordSetError(f"{c.path.name} is empty: record set {c.name!r} has no rows")
    extra = {"encoding": chosen[0].charset} if chosen[0].encoding == "text/csv" and chosen[0].charset else {}
    return datasets.load_dataset(BUILDERS[chosen[0].encoding], data_files={"train": [str(c.path) for c in chosen]},
                                 split=split or "train", cache_dir=str(local.directory.parent / ".hf-cache"), **extra)


def export_parquet(local: LocalCopy, out: Path) -> list[tuple[str, Path, int]]:
    """Every record set as `out/<name>.parquet` (written under a partial name, then renamed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not local.record_sets:
        raise RecordSetError("this dataset has no CSV, JSON Lines or Parquet file to export")
    written = []
    for name, chosen in sorted(local.record_sets.items()):
        table = pa.Table.from_pandas(read_pandas(chosen), preserve_index=False)
        target = out / (name.replace("/", "__") + ".parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{target.name}.partial"
        pq.write_table(table, partial)
        os.replace(partial, target)
        written.append((name, target, table.num_rows))
    return written


#: in the cache root: dataset id -> manifest CID of the copies verified against a chain here
OFFLINE_INDEX = ".opencommons-verified.json"
#: in a copy's folder: the manifest's and the Croissant document's own bytes (raw blocks)
KEPT = {"manifest": ".opencommons-manifest", "croissant": ".opencommons-croissant"}


def remember_verified(source: BlockSource, resolved: Any, copy: LocalCopy, root: Path | None = None) -> None:
    """Keeps what loading `copy` again without the chain needs: the manifest's and Croissant's
    bytes beside the files (each a raw block, so its CID checks it offline) and the dataset id's
    manifest in the cache's index. Nothing is kept for a manifest that is not one raw block."""
    from ..ipfs.cid import RAW

    if resolved.dataset_id is None or resolved.manifest.codec != RAW:
        return
    (copy.directory / KEPT["manifest"]).write_bytes(source.get_block(resolved.manifest))
    named = copy.manifest.get("croissant")
    if named and Cid.parse(str(named)).codec == RAW:
        (copy.directory / KEPT["croissant"]).write_bytes(source.get_block(Cid.parse(str(named))))
    index_path = (root or cache_root()) / OFFLINE_INDEX
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError):
        index = {}
    index = index if isinstance(index, dict) else {}
    index[str(resolved.dataset_id)] = str(resolved.manifest)
    partial = index_path.with_name(index_path.name + ".partial")
    partial.write_text(json.dumps(index, sort_keys=True))
    os.replace(partial, index_path)


def _kept_document(path: Path, cid: Cid, what: str) -> dict[str, Any]:
    import hashlib

    data = path.read_bytes()
    if hashlib.sha256(data).digest() != cid.digest:
        raise OpenCommonsError(f"the {what} kept at {path} does not hash to {cid}: fetch the dataset again with the "
                               "chain")
    loaded = json.loads(data)
    if not isinstance(loaded, dict):
        raise OpenCommonsError(f"the {what} kept at {path} is not a JSON object")
    return loaded


def offline_copy(dataset_id: int, root: Path | None = None) -> LocalCopy | None:
    """The copy of `dataset_id` verified against a chain here before, checked again without one:
    its manifest and Croissant against their CIDs, every file against the manifest's sha256.
    None when no such copy was kept."""
    import hashlib

    root = root or cache_root()
    try:
        index = json.loads((root / OFFLINE_INDEX).read_text())
    except (OSError, ValueError):
        return None
    named = index.get(str(dataset_id)) if isinstance(index, dict) else None
    if not isinstance(named, str):
        return None
    directory = root / named
    if not (directory / KEPT["manifest"]).is_file():
        return None
    manifest = _kept_document(directory / KEPT["manifest"], Cid.parse(named), "manifest")
    for f in manifest.get("files", []):
        target = directory.joinpath(*str(f.get("path", "")).split("/"))
        if not target.is_file():
            raise OpenCommonsError(f"{target} of the copy verified before is gone: fetch the dataset again with "
                                   "the chain")
        digest = hashlib.sha256()
        with target.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != f.get("sha256"):
            raise OpenCommonsError(f"{target} changed since it was verified (sha256 {digest.hexdigest()[:16]}...): "
                                   "fetch the dataset again with the chain")
    described = None
    if manifest.get("croissant") and (directory / KEPT["croissant"]).is_file():
        described = _kept_document(directory / KEPT["croissant"], Cid.parse(str(manifest["croissant"])),
                                   "Croissant document")
    from ..licensing.documents import DatasetLicence

    return LocalCopy(directory, manifest, described, record_sets_of(directory, manifest, described),
                     DatasetLicence(dataset_id, str(manifest.get("license"))))
