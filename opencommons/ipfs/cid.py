"""Content identifiers: CIDv0 and CIDv1 with sha2-256, parsed from and written as text.

The contracts store a CID as (multicodec, sha2-256 digest); :meth:`Cid.from_chain` and
:attr:`Cid.digest` / :attr:`Cid.codec` move between the two forms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import CidMismatchError, InvalidCidError
from .multiformats import b32decode, b32encode, b58decode, b58encode, decode_varint, encode_varint

DAG_PB = 0x70
RAW = 0x55
SHA2_256 = 0x12
_DIGEST_LENGTH = 32


@dataclass(frozen=True, order=True)
class Cid:
    """A CID whose multihash is sha2-256 (the only hash Kubo uses by default)."""

    version: int
    codec: int
    digest: bytes

    def __post_init__(self) -> None:
        if self.version not in (0, 1):
            raise InvalidCidError(f"unsupported CID version {self.version}")
        if self.version == 0 and self.codec != DAG_PB:
            raise InvalidCidError("a CIDv0 is always dag-pb")
        if len(self.digest) != _DIGEST_LENGTH:
            raise InvalidCidError(f"sha2-256 digest must be 32 bytes, got {len(self.digest)}")

    # ---------------------------------------------------------------- construction
    @classmethod
    def for_block(cls, block: bytes, codec: int, version: int) -> "Cid":
        return cls(version, codec, hashlib.sha256(block).digest())

    @classmethod
    def from_chain(cls, codec: int, digest: bytes) -> "Cid":
        """The CIDv1 the contracts' (codec, digest) pair stands for."""
        return cls(1, codec, bytes(digest))

    @classmethod
    def parse(cls, text: str) -> "Cid":
        """Parses `Qm...` (v0), `b...` (v1 base32) or `z...` (v1 base58btc)."""
        text = text.strip()
        if not text:
            raise InvalidCidError("empty CID")
        try:
            if len(text) == 46 and text.startswith("Qm"):
                return cls.from_bytes(b58decode(text))
            if text[0] in "bB":
                return cls.from_bytes(b32decode(text[1:]))
            if text[0] == "z":
                return cls.from_bytes(b58decode(text[1:]))
        except InvalidCidError as exc:
            raise InvalidCidError(f"invalid CID {text!r}: {exc}") from None
        raise InvalidCidError(f"invalid CID {text!r}: expected Qm... (v0), b... (base32) or z... (base58btc)")

    @classmethod
    def from_bytes(cls, data: bytes) -> "Cid":
        if len(data) == 34 and data[0] == SHA2_256 and data[1] == _DIGEST_LENGTH:
            return cls(0, DAG_PB, data[2:])
        version, i = decode_varint(data)
        if version != 1:
            raise InvalidCidError(f"unsupported CID version {version}")
        codec, i = decode_varint(data, i)
        hash_code, i = decode_varint(data, i)
        length, i = decode_varint(data, i)
        if hash_code != SHA2_256 or length != _DIGEST_LENGTH or len(data) - i != _DIGEST_LENGTH:
            raise InvalidCidError("only 32-byte sha2-256 multihashes are supported")
        return cls(1, codec, data[i:])

    # ---------------------------------------------------------------- forms
    @property
    def multihash(self) -> bytes:
        return bytes([SHA2_256, _DIGEST_LENGTH]) + self.digest

    def to_bytes(self) -> bytes:
        if self.version == 0:
            return self.multihash
        return encode_varint(1) + encode_varint(self.codec) + self.multihash

    def to_v1(self) -> "Cid":
        return Cid(1, self.codec, self.digest)

    def encode(self, base: str = "base32") -> str:
        if self.version == 0:
            return b58encode(self.multihash)
        if base == "base58btc":
            return "z" + b58encode(self.to_bytes())
        return "b" + b32encode(self.to_bytes())

    def same_content(self, other: "Cid") -> bool:
        """Equal up to version (a CIDv0 and its CIDv1 name the same block)."""
        return self.codec == other.codec and self.digest == other.digest

    def __str__(self) -> str:
        return self.encode()


def check_same(expected: Cid, actual: Cid, what: str) -> None:
    """Raises when `what` returned another CID than the content hashes to (versions aside)."""
    if not expected.same_content(actual):
        raise CidMismatchError(f"{what} returned {actual} but the content hashes to {expected}")
