"""Decoding the suite's event logs straight from JSON-RPC (hex strings), by topic: canonical
encodings (what Solidity emits) read here, anything else by eth-abi, which raises on what is invalid.

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
    #: the non-indexed inputs compiled for `_canonical` (None: a type it does not read, eth-abi does)
    nodes: "tuple[_Node, ...] | None" = None


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


class _NotCanonical(Exception):
    """An encoding `_canonical` leaves to eth-abi."""


@dataclass(frozen=True)
class _Node:
    """One ABI type compiled for `_canonical`: "word" (a static word of type `word`), "bytes",
    "string", "array" (of `items[0]`, `size` long or dynamic when None) or "tuple" (of `items`)."""

    kind: str
    dynamic: bool
    head: int  # bytes it takes in its container's head: one pointer when dynamic, else its whole size
    word: str = ""
    items: tuple["_Node", ...] = ()
    names: tuple[str, ...] = ()
    size: int | None = None


def _compile(item: dict[str, Any]) -> _Node:
    kind = str(item["type"])
    if kind.endswith("]"):
        inner = _compile({**item, "type": kind[:kind.rindex("[")]})
        spec = kind[kind.rindex("[") + 1:-1]
        size = int(spec) if spec else None
        dynamic = size is None or inner.dynamic
        return _Node("array", dynamic, 32 if dynamic else (size or 0) * inner.head, items=(inner,), size=size)
    if kind == "tuple":
        items = tuple(_compile(c) for c in item["components"])
        dynamic = any(i.dynamic for i in items)
        return _Node("tuple", dynamic, 32 if dynamic else sum(i.head for i in items), items=items,
                     names=tuple(str(c["name"]) for c in item["components"]))
    if kind in ("bytes", "string"):
        return _Node(kind, True, 32)
    if not _static_word(kind):
        raise ValueError(f"unsupported ABI type {kind}")
    return _Node("word", False, 32, word=kind)


def _compiled(items: tuple[dict[str, Any], ...]) -> tuple[_Node, ...] | None:
    try:
        return tuple(_compile(i) for i in items)
    except ValueError:
        return None


def _sequence(items: tuple[_Node, ...], data: bytes, base: int) -> tuple[list[Any], int]:
    """The values of `items` encoded from `base` (heads, then the tails in order, each where the one
    before ended), shaped as the index stores them, and where their encoding ends."""
    head, tail, values = base, base + sum(i.head for i in items), []
    for item in items:
        if item.dynamic:
            if base + int.from_bytes(data[head:head + 32], "big") != tail:
                raise _NotCanonical
            value, tail = _value(item, data, tail)
            head += 32
        else:
            value, head = _value(item, data, head)
        values.append(value)
    return values, tail


def _value(item: _Node, data: bytes, at: int) -> tuple[Any, int]:
    if item.kind == "word":
        value = _word(item.word, data[at:at + 32]) if at + 32 <= len(data) else None
        if value is None:
            raise _NotCanonical
        return value, at + 32
    if item.kind == "tuple":
        values, end = _sequence(item.items, data, at)
        return dict(zip(item.names, values)), end
    if item.kind == "array":
        if item.size is not None:
            return _sequence(item.items * item.size, data, at)
        count = int.from_bytes(data[at:at + 32], "big")
        if count > (len(data) - at) // 32:  # each element takes at least a word
            raise _NotCanonical
        return _sequence(item.items * count, data, at + 32)
    size = int.from_bytes(data[at:at + 32], "big")  # bytes or string
    end = at + 32 + -(-size // 32) * 32
    if end > len(data) or any(data[at + 32 + size:end]):
        raise _NotCanonical
    raw = data[at + 32:at + 32 + size]
    try:
        return (raw.decode("utf-8") if item.kind == "string" else raw), end
    except UnicodeDecodeError:
        raise _NotCanonical from None


def _canonical(items: tuple[_Node, ...], data: bytes) -> list[Any] | None:
    """`items` decoded from `data` when it is their canonical encoding (each tail where a
    Solidity encoder puts it, zero padding, nothing after the end), shaped as the index stores
    them; None otherwise (eth-abi then judges it: it reads the same values from a canonical
    encoding and accepts some others)."""
    try:
        values, end = _sequence(items, data, 0)
    except _NotCanonical:
        return None
    return values if end == len(data) else None


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
                                                 kinds if all(_static_word(k) for k in kinds) else None,
                                                 _compiled(data))
    return table


def decode_log(contract_name: str, topics: list[bytes], data: bytes) -> tuple[str, dict[str, Any]] | None:
    """(event name, args) of a raw log of `contract_name`, or None for an event it does not declare.
    Events whose values are each one static word are read word by word, other canonical
    encodings by `_canonical`; anything else, or a word eth-abi would refuse, goes through eth-abi
    (the same values, the same errors)."""
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
    if abi.words is not None:
        values = _words(abi.words, data)
    else:
        values = _canonical(abi.nodes, data) if abi.nodes is not None else None
    if values is None:
        values = [_shape(item, value) for item, value in
                  zip(abi.data, decode([_type_of(i) for i in abi.data], data) if abi.data else ())]
    for item, value in zip(abi.data, values):
        args[item["name"]] = value
    return abi.name, args
