"""Merkle trees in OpenZeppelin's standard format (`@openzeppelin/merkle-tree`'s
`StandardMerkleTree`, which OpenZeppelin's `MerkleProof.verify` checks on-chain): a leaf is the
keccak-256 of the keccak-256 of its ABI-encoded values (hashed twice, so no leaf can pass for an
inner node), leaves are sorted by hash, and each inner node hashes its two children in sorted
order. A model's training record is such a tree of (dataset id, weight) leaves: its root goes
on-chain at a constant cost whatever the number of datasets, and each dataset proves its weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from .errors import OpenCommonsError


def leaf_hash(types: Sequence[str], values: Sequence[Any]) -> bytes:
    """`keccak256(bytes.concat(keccak256(abi.encode(values))))`, as the standard tree hashes a leaf."""
    return keccak(keccak(abi_encode(list(types), list(values))))


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a < b else b + a)


@dataclass(frozen=True)
class StandardTree:
    """A tree over `values` (each a tuple of `types`), laid out as OpenZeppelin's: `tree[0]` is the
    root, the leaves fill the end of the array in sorted order."""

    types: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    tree: tuple[bytes, ...]
    #: the position in `tree` of each value's leaf, by the value's index
    positions: tuple[int, ...]

    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], types: Sequence[str]) -> "StandardTree":
        if not values:
            raise OpenCommonsError("a Merkle tree needs at least one leaf")
        hashed = sorted(((leaf_hash(types, v), i) for i, v in enumerate(values)), key=lambda item: item[0])
        size = 2 * len(hashed) - 1
        tree: list[bytes] = [b""] * size
        positions = [0] * len(hashed)
        for i, (digest, index) in enumerate(hashed):
            tree[size - 1 - i] = digest
            positions[index] = size - 1 - i
        for i in range(size - 1 - len(hashed), -1, -1):
            tree[i] = _pair(tree[2 * i + 1], tree[2 * i + 2])
        return cls(tuple(types), tuple(tuple(v) for v in values), tuple(tree), tuple(positions))

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from the leaf of value `index` up to the root."""
        position, path = self.positions[index], []
        while position > 0:
            path.append(self.tree[position + 1 if position % 2 else position - 1])
            position = (position - 1) // 2
        return path


def verify(root: bytes, leaf: bytes, proof: Sequence[bytes]) -> bool:
    """What OpenZeppelin's `MerkleProof.verify` answers."""
    node = leaf
    for sibling in proof:
        node = _pair(node, sibling)
    return node == root
