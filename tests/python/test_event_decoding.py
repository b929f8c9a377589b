"""The index reads events whose values are each one static word word by word: every event of every
contract the index follows decodes to what eth-abi gives, and a word eth-abi refuses is refused
with eth-abi's own error."""

from __future__ import annotations

import random

import pytest
from eth_abi import encode
from eth_abi.exceptions import DecodingError
from web3 import Web3

from opencommons.chain.deploy import HOUSES_SUITE, SUITE
from opencommons.index.events import _type_of, decode_log, events_of

#: the contracts a deployment names: what the indexer follows
FOLLOWED = SUITE + HOUSES_SUITE


def _value(rng: random.Random, kind: str) -> object:
    if kind.endswith("]"):
        size = kind[kind.rindex("[") + 1:-1]
        return [_value(rng, kind[:kind.rindex("[")]) for _ in range(int(size) if size else rng.randrange(3))]
    if kind.startswith("("):
        inner, depth, parts, start = kind[1:-1], 0, [], 0
        for i, ch in enumerate(inner):
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                parts.append(inner[start:i])
                start = i + 1
        parts.append(inner[start:])
        return tuple(_value(rng, p) for p in parts if p)
    if kind == "address":
        return Web3.to_checksum_address(rng.randbytes(20).hex())
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "string":
        return "".join(rng.choice("aé😀 z") for _ in range(rng.randrange(40)))
    if kind == "bytes":
        return rng.randbytes(rng.randrange(70))
    if kind.startswith("bytes"):
        return rng.randbytes(int(kind[5:]))
    bits = int(kind.lstrip("uint") or 256)
    edge = rng.choice(["low", "high", "any"])
    if kind.startswith("u"):
        return {"low": 0, "high": (1 << bits) - 1}.get(edge, rng.randrange(1 << bits))
    return {"low": -(1 << (bits - 1)), "high": (1 << (bits - 1)) - 1}.get(
        edge, rng.randrange(-(1 << (bits - 1)), 1 << (bits - 1)))


def test_every_event_decodes_as_eth_abi_decodes_it():
    rng = random.Random(7)
    checked = fast = 0
    for name in FOLLOWED:
        for topic0, abi in events_of(name).items():
            for _ in range(25):
                indexed = [_type_of(i) for i in abi.indexed]
                kinds = [_type_of(i) for i in abi.data]
                topics = [topic0]
                for kind in indexed:
                    topics.append(rng.randbytes(32) if not _word_kind(kind) else encode([kind], [_value(rng, kind)]))
                values = [_value(rng, k) for k in kinds]
                data = encode(kinds, values)
                got = decode_log(name, topics, data)
                assert got is not None and got[0] == abi.name
                # what eth-abi gives, shaped as the index stores it
                for item, value in zip(abi.data, values):
                    assert got[1][item["name"]] == _shaped(item, value), (name, abi.name, item["name"])
                checked += 1
                fast += abi.words is not None
    assert checked > 500 and 0 < fast < checked  # both paths ran


def _word_kind(kind: str) -> bool:
    return not (kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("("))


def _shaped(item: dict, value: object) -> object:
    kind = str(item["type"])
    if kind.endswith("]"):
        inner = {**item, "type": kind[: kind.rindex("[")]}
        return [_shaped(inner, v) for v in value]  # type: ignore[union-attr]
    if kind == "tuple":
        return {c["name"]: _shaped(c, v) for c, v in zip(item["components"], value)}  # type: ignore[call-overload]
    if kind == "address":
        return Web3.to_checksum_address(value)  # type: ignore[arg-type]
    return value


@pytest.mark.parametrize("kind, word", [
    ("address", b"\x01" + bytes(31)),  # a dirty high byte
    ("bool", (2).to_bytes(32, "big")),
    ("uint8", (1 << 8).to_bytes(32, "big")),  # out of range
    ("uint16", (1 << 16).to_bytes(32, "big")),
    ("uint96", (1 << 96).to_bytes(32, "big")),
])
def test_a_word_eth_abi_refuses_is_refused(kind, word):
    name, topic0, abi = next((n, t, a) for n in FOLLOWED for t, a in events_of(n).items()
                             if a.words and kind in a.words)
    at = abi.words.index(kind)
    data = bytes(32 * at) + word + bytes(32 * (len(abi.words) - at - 1))  # zeros are good words of every kind
    topics = [topic0] + [bytes(32)] * len(abi.indexed)
    with pytest.raises(DecodingError):
        decode_log(name, topics, data)
    assert decode_log(name, topics, bytes(32 * len(abi.words))) is not None


def test_data_of_the_wrong_length_is_eth_abis_to_judge():
    name, topic0, abi = next((n, t, a) for n in FOLLOWED for t, a in events_of(n).items()
                             if a.words and len(a.words) >= 2)
    topics = [topic0] + [bytes(32)] * len(abi.indexed)
    with pytest.raises(DecodingError):
        decode_log(name, topics, bytes(32 * len(abi.words) - 1))
