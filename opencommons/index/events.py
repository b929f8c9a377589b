"""Decoding the suite's event logs straight from JSON-RPC (hex strings), by topic, with eth-abi.

One table per contract name: topic0 -> the event's name, its indexed and non-indexed inputs.
Tuples come back as dicts by component name, addresses checksummed, bytes as bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi.abi import decode
from eth_utils.crypto import keccak
from web3 import Web3

from ..chain import artifacts


@dataclass(frozen=True)
class EventAbi:
    name: str
    indexed: tuple[dict[str, Any], ...]
    data: tuple[dict[str, Any], ...]


def _type_of(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_type_of(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


def _shape(item: dict[str, Any], value: Any) -> Any:
    """A decoded value in the form the index stores: dicts for tuples, checksummed addresses."""
    kind = str(item["type"])
    if kind.endswith("]"):
        inner = {**item, "type": kind[: kind.rindex("[")]}
        return [_shape(inner, v) for v in value]
    if kind == "tuple":
        return {c["name"]: _shape(c, v) for c, v in zip(item["components"], value)}
    if kind == "address":
        return Web3.to_checksum_address(value)
    return value


@lru_cache(maxsize=None)
def events_of(contract_name: str) -> dict[bytes, EventAbi]:
    table: dict[bytes, EventAbi] = {}
    for item in artifacts.load(contract_name).abi:
        if item.get("type") != "event" or item.get("anonymous"):
            continue
        inputs = item["inputs"]
        signature = f"{item['name']}(" + ",".join(_type_of(i) for i in inputs) + ")"
        table[keccak(text=signature)] = EventAbi(item["name"], tuple(i for i in inputs if i["indexed"]),
                                                 tuple(i for i in inputs if not i["indexed"]))
    return table


def decode_log(contract_name: str, topics: list[bytes], data: bytes) -> tuple[str, dict[str, Any]] | None:
    """(event name, args) of a raw log of `contract_name`, or None for an event it does not declare."""
    if not topics:
        return None
    abi = events_of(contract_name).get(topics[0])
    if abi is None or len(topics) != 1 + len(abi.indexed):
        return None
    args: dict[str, Any] = {}
    for item, topic in zip(abi.indexed, topics[1:]):
        kind = _type_of(item)
        if kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("("):
            args[item["name"]] = topic  # a dynamic indexed value is only its hash
        else:
            args[item["name"]] = _shape(item, decode([kind], topic)[0])
    values = decode([_type_of(i) for i in abi.data], data) if abi.data else ()
    for item, value in zip(abi.data, values):
        args[item["name"]] = _shape(item, value)
    return abi.name, args
