"""Human names for what the chain records as hashes, from the JSON documents an IPFS store holds:
a dataset's manifest (its name and commons code) and a contributor's profile (name, community).
A code is given only when it hashes to the value recorded on-chain, so a document cannot claim
a commons it was not published under."""

from __future__ import annotations

import json
from typing import Any

from web3 import Web3

from .errors import OpenCommonsError
from .ipfs.cid import Cid


def json_document(store: Any, cid: Cid) -> dict[str, Any] | None:
    """The JSON object at `cid` in `store` (every block verified as read), or None when the store
    does not have it or it is not a JSON object."""
    try:
        data = json.loads(b"".join(store.cat(cid)))
    except (OpenCommonsError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _code(document: dict[str, Any], key: str, onchain_hash: str) -> str | None:
    code = document.get(key)
    if isinstance(code, str) and "0x" + bytes(Web3.keccak(text=code)).hex() == onchain_hash:
        return code
    return None


def manifest_names(store: Any, manifest: str, commons_hash: str) -> dict[str, str]:
    """`name` and `commonsCode` of a dataset from its manifest (CID text), those found."""
    document = json_document(store, Cid.parse(manifest))
    if document is None:
        return {}
    out: dict[str, str] = {}
    if isinstance(document.get("name"), str):
        out["name"] = document["name"]
    code = _code(document, "commons", commons_hash)
    if code:
        out["commonsCode"] = code
    return out


def profile_names(store: Any, record: dict[str, Any]) -> dict[str, str]:
    """`name` and `communityCode` of a contributor from the profile its registry record points at
    (`record` as `Reader.contributor` returns it), those found."""
    if not record.get("codec"):
        return {}
    document = json_document(store, Cid.from_chain(int(record["codec"]), bytes.fromhex(record["digest"][2:])))
    if document is None:
        return {}
    out: dict[str, str] = {}
    if isinstance(document.get("name"), str):
        out["name"] = document["name"]
    code = _code(document, "commons", record["community"])
    if code:
        out["communityCode"] = code
    return out


def own_code(commons: Any, onchain_hash: str) -> str | None:
    """The code of the commons `commons` was launched as, when `onchain_hash` is its hash (a
    factory commons' datasets and contributors are in its own commons)."""
    code = commons.deployment.code
    if code and "0x" + bytes(Web3.keccak(text=code)).hex() == onchain_hash:
        return str(code)
    return None
