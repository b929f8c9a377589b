"""Publishing a dataset: scan, manifest, add and pin to IPFS, mint with both CIDs, read back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from .chain.transactions import Sender, transact
from .errors import PublishError
from .ipfs.cid import Cid
from .ipfs.importer import Importer
from .ipfs.store import BlockStore
from .suite import Commons

BPS = 10_000


@dataclass(frozen=True)
class PublishRequest:
    directory: Path
    license: str
    commons: str
    contributors: list[tuple[str, int]]
    name: str
    description: str = ""
    parents: tuple[int, ...] = ()
    ancestor_bps: int = 0


@dataclass(frozen=True)
class Published:
    dataset_id: int
    content_cid: Cid
    manifest_cid: Cid
    tx_hash: str
    gas_used: int
    manifest: dict[str, Any]


def commons_id(code: str) -> bytes:
    return bytes(Web3.keccak(text=code))


def validate(request: PublishRequest) -> None:
    if not request.directory.is_dir():
        raise PublishError(f"not a directory: {request.directory}")
    if not any(p.is_file() for p in request.directory.rglob("*")):
        raise PublishError(f"directory is empty: {request.directory}")
    if not request.contributors:
        raise PublishError("at least one --contributor ADDR=BPS is required")
    for address, bps in request.contributors:
        if not Web3.is_address(address):
            raise PublishError(f"malformed contributor address: {address}")
        if bps <= 0:
            raise PublishError(f"contributor {address} has a share of {bps} bps; shares must be positive")
    total = sum(bps for _, bps in request.contributors)
    if total != BPS:
        raise PublishError(f"contributor shares sum to {total} bps; they must sum to exactly {BPS}")


def build_manifest(request: PublishRequest, content: Cid, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema": "opencommons/manifest/v1",
        "name": request.name,
        "description": request.description,
        "license": request.license,
        "commons": request.commons,
        "content": str(content),
        "files": files,
        "contributors": [{"account": Web3.to_checksum_address(a), "shareBps": b} for a, b in request.contributors],
        "parents": [str(p) for p in request.parents],
        "ancestorBps": request.ancestor_bps,
    }


def publish(commons: Commons, sender: Sender, store: BlockStore, request: PublishRequest) -> Published:
    validate(request)
    importer = Importer(cid_version=1, sink=store)
    content = importer.add_path(request.directory).cid
    files = []
    for entry in importer.files:
        data = (request.directory / entry.path).read_bytes()
        files.append({"path": entry.path, "size": entry.size, "sha256": hashlib.sha256(data).hexdigest(),
                      "cid": str(entry.cid)})
    manifest = build_manifest(request, content, files)
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    manifest_cid = Importer(cid_version=1, sink=store).add_bytes(manifest_bytes).cid
    store.pin(content)
    store.pin(manifest_cid)
    params = (content.digest, content.codec, manifest_cid.digest, manifest_cid.codec, request.license,
              commons_id(request.commons), request.ancestor_bps, list(request.parents),
              [(Web3.to_checksum_address(a), b) for a, b in request.contributors])
    receipt = transact(commons.w3, sender, commons.nft.functions.publish(params))
    dataset_id = int.from_bytes(content.digest, "big")
    record = commons.nft.functions.dataset(dataset_id).call()
    if bytes(record[2]) != manifest_cid.digest or record[4] != request.license:
        raise PublishError(f"on-chain record of dataset {dataset_id} does not match the manifest")
    return Published(dataset_id, content, manifest_cid, receipt["transactionHash"].to_0x_hex(),
                     int(receipt["gasUsed"]), manifest)


def verify_directory(commons: Commons, dataset_id: int, directory: Path) -> Cid:
    """Re-hashes a local copy and compares it with the on-chain content digest."""
    record = commons.nft.functions.dataset(dataset_id).call()
    expected = Cid.from_chain(record[1], bytes(record[0]))
    actual = Importer(cid_version=1).add_path(directory).cid
    if not actual.same_content(expected):
        from .errors import CidMismatchError

        raise CidMismatchError(f"{directory} hashes to {actual}, dataset {dataset_id} records {expected}")
    return actual
