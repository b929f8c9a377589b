"""Decoding the suite's event logs straight from JSON-RPC (hex strings), by topic, with eth-abi.

One table per contract name: topic0 -> the event's name, its indexed and non-indexed inputs.
Tuples come back as dicts by component name, addresses checksummed, bytes as bytes.
"""

from __future__ import annotations

import re
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
    #: the non-indexed inputs' types when each is one static word (read by `_words`), else None
    words: tuple[str, ...] | None = None


def _type_of(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_type_of(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


#: checksummed forms of the addresses met (a sync meets a few hundred, tens of thousands of times:
#: eth-utils' checksum hashes each time, 40 % of a sync's decoding)
checksum = lru_cache(maxsize=1 << 16)(Web3.to_checksum_address)

_WORD = re.compile(r"(u?int)(\d*)|address|bool|bytes(\d+)")


def _static_word(kind: str) -> bool:
    match = _WORD.fullmatch(kind)
    return match is not None and (not match.group(3) or 1 <= int(match.group(3)) <= 32)


def _word(kind: str, word: bytes) -> Any:
    """One ABI word of a static type, checked as eth-abi checks it (padding, range); None when
    eth-abi would refuse it (the caller then asks eth-abi, which raises its own error)."""
    if kind == "address":
        return None if any(word[:12]) else checksum("0x" + word[12:].hex())
    if kind == "bool":
        return None if any(word[:31]) or word[31] > 1 else word[31] == 1
    if kind.startswith("bytes"):
        size = int(kind[5:])
        return None if any(word[size:]) else word[:size]
    bits = int(kind.lstrip("uint") or 256)
    if kind.startswith("u"):
        value = int.from_bytes(word, "big")
        return value if value >> bits == 0 else None
    value = int.from_bytes(word, "big", signed=True)
    return value if -(1 << (bits - 1)) <= value < (1 << (bits - 1)) else None


def _words(kinds: tuple[str, ...], data: bytes) -> list[Any] | None:
    if len(data) != 32 * len(kinds):
        return None
    values = [_word(kind, data[32 * i:32 * i + 32]) for i, kind in enumerate(kinds)]
    return None if any(v is None for v in values) else values


def _shape(item: dict[str, Any], value: Any) -> Any:
    """A decoded value in the form the index stores: dicts for tuples, checksummed addresses."""
    kind = str(item["type"])
    if kind.endswith("]"):
        inner = {**item, "type": kind[: kind.rindex("[")]}
        return [_shape(inner, v) for v in value]
    if kind == "tuple":
        return {c["name"]: _shape(c, v) for c, v in zip(item["components"], value)}
    if kind == "address":
        return checksum(value)
    return value


@lru_cache(maxsize=None)
def events_of(contract_name: str) -> dict[bytes, EventAbi]:
    table: dict[bytes, EventAbi] = {}
    for item in artifacts.load(contract_name).abi:
        if item.get("type") != "event" or item.get("anonymous"):
            continue
        inputs = item["inputs"]
        signature = f"{item['name']}(" + ",".join(_type_of(i) for i in inputs) + ")"
        data = tuple(i for i in inputs if not i["indexed"])
        kinds = tuple(_type_of(i) for i in data)
        table[keccak(text=signature)] = EventAbi(item["name"], tuple(i for i in inputs if i["indexed"]), data,
                                                 kinds if all(_static_word(k) for k in kinds) else None)
    return table


def decode_log(contract_name: str, topics: list[bytes], data: bytes) -> tuple[str, dict[str, Any]] | None:
    """(event name, args) of a raw log of `contract_name`, or None for an event it does not declare.
    Events whose values are each one static word are read word by word; anything else, or a word
    eth-abi would refuse, goes through eth-abi (the same values, the same errors)."""
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
            fast = _words((kind,), topic) if _static_word(kind) else None
            args[item["name"]] = fast[0] if fast else _shape(item, decode([kind], topic)[0])
    values = _words(abi.words, data) if abi.words is not None else None
    if values is None:
        values = [_shape(item, value) for item, value in
                  zip(abi.data, decode([_type_of(i) for i in abi.data], data) if abi.data else ())]
    for item, value in zip(abi.data, values):
        args[item["name"]] = value
    return abi.name, args
