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
from eth_abi.abi import decode

from opencommons.index.events import _canonical, _type_of, decode_log, events_of

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


def _eth_abi(abi, data):
    return [_shaped(item, value) for item, value in zip(abi.data, decode([_type_of(i) for i in abi.data], data))]


def test_encodings_read_here_are_what_eth_abi_reads_even_when_mangled():
    """Every event with dynamic values: a canonical encoding is read here (not handed to eth-abi),
    and whatever this reader accepts of a mangled one (a byte changed, an offset or a length moved,
    cut short, grown) eth-abi accepts too, with the same values."""
    rng = random.Random(11)
    events = [(n, a) for n in FOLLOWED for a in events_of(n).values() if a.words is None]
    assert len(events) >= 5
    accepted = refused = 0
    for name, abi in events:
        kinds = [_type_of(i) for i in abi.data]
        for _ in range(40):
            values = [_value(rng, k) for k in kinds]
            data = encode(kinds, values)
            assert abi.nodes is not None and _canonical(abi.nodes, data) == _eth_abi(abi, data), (name, abi.name)
            for _ in range(10):
                mangled = bytearray(data)
                how = rng.randrange(4)
                if how == 0 and mangled:  # a byte changed anywhere
                    mangled[rng.randrange(len(mangled))] ^= 1 << rng.randrange(8)
                elif how == 1 and len(mangled) >= 32:  # a word (offset, length, value) set to a small number
                    at = 32 * rng.randrange(len(mangled) // 32)
                    mangled[at:at + 32] = rng.randrange(0, 400).to_bytes(32, "big")
                elif how == 2:  # cut short
                    del mangled[rng.randrange(len(mangled) + 1):]
                else:  # grown
                    mangled += bytes(32 * rng.randrange(1, 3))
                ours = _canonical(abi.nodes, bytes(mangled))
                if ours is None:
                    refused += 1
                    continue
                accepted += 1
                assert ours == _eth_abi(abi, bytes(mangled)), (name, abi.name, how)
    assert accepted > 100 and refused > 100  # both outcomes were exercised
