"""What the scorer reads: a published dataset (fetched through the verified store, each file's
integrity recorded instead of stopping at the first that fails) or a local folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import BlockNotFoundError, IpfsError, NodeUnreachableError
from ..ipfs.blocks import BlockSource
from ..ipfs.cid import Cid
from ..ipfs.store import read_document
from ..ml.download import fetch_file, plan, resolve_reference, sha256_file
from ..ml.tables import cache_root
from .scorer import ScoreError, Subject


def from_dataset(commons: Any, source: BlockSource, dataset_id: int, root: Path | None = None,
                 compare: bool = True) -> Subject:
    """The dataset `dataset_id`: its files fetched (or found) verified under the cache; a file that
    does not verify is recorded with the reason and left out of every other metric."""
    from web3 import Web3

    from ..queries import list_datasets

    resolved = resolve_reference(dataset_id, commons, source)
    work = plan(source, resolved, (root or cache_root()) / str(resolved.manifest))
    integrity = {path: "verified" for path in work.result.kept}
    missing = []
    for f, target in work.todo:
        try:
            fetch_file(work, f, target)
            integrity[f["path"]] = "verified"
        except IpfsError as exc:
            integrity[f["path"]] = str(exc).splitlines()[0]
            if isinstance(exc, (BlockNotFoundError, NodeUnreachableError)):
                missing.append(str(f["path"]))
    manifest = work.result.manifest
    croissant = None
    if manifest.get("croissant"):
        try:
            croissant = read_document(source, Cid.parse(str(manifest["croissant"])), "Croissant document")
        except (IpfsError, ValueError):
            croissant = None
    view = resolved.view
    registry = commons.registry.functions
    code = manifest.get("commons")
    same_commons = isinstance(code, str) and "0x" + bytes(Web3.keccak(text=code)).hex() == view["commons"]
    listed = list_datasets(commons, code) if same_commons and compare else []
    own = next((row for row in listed if int(row["id"]) == dataset_id), None)
    publisher = own["publisher"] if own else view["owner"]
    earlier = tuple(row["id"] for row in listed if own is not None and row["block"] < own["block"])
    unregistered = [c["account"] for c in view["contributors"] if not registry.isRegistered(c["account"]).call()]
    ownership = {"publisher": publisher, "publisherRegistered": bool(registry.isRegistered(publisher).call()),
                 "registeredShareBps": sum(c["shareBps"] for c in view["contributors"]
                                           if c["account"] not in unregistered),
                 "unregistered": unregistered}
    inputs = {"dataset": str(dataset_id), "content": str(resolved.content), "manifest": str(resolved.manifest),
              "croissant": manifest.get("croissant"),
              "files": {str(f["path"]): str(f.get("cid")) for f in manifest.get("files", [])}}
    return Subject(work.directory, [f for f in manifest["files"] if isinstance(f, dict)], croissant, dataset_id,
                   inputs, integrity, ownership, view["commons"], earlier, tuple(missing))


def from_directory(directory: Path) -> Subject:
    """A local folder, scored before it is published (no integrity, ownership or comparison)."""
    if not directory.is_dir():
        raise ScoreError(f"{directory} is neither a dataset id, a CID, nor a folder")
    files = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and not any(
            part.startswith(".") for part in p.relative_to(directory).parts)):
        files.append({"path": path.relative_to(directory).as_posix(), "size": path.stat().st_size,
                      "sha256": sha256_file(path)})
    if not files:
        raise ScoreError(f"{directory} holds no file to score")
    return Subject(directory, files)


def index_earlier(commons: Any, source: BlockSource, subject: Subject, index: Any, root: Path | None = None) -> None:
    """Adds to the commons' near-duplicate index every earlier dataset it does not hold yet
    (fetched verified, signed), so the comparison covers all of them, whoever scores."""
    from .scorer import signature_of

    for other in subject.earlier:
        if other in index.signatures:
            continue
        earlier = from_dataset(commons, source, int(other), root, compare=False)
        sig = signature_of(earlier)
        if sig is not None:
            index.add(other, sig)
