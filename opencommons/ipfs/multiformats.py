"""The few multiformats the commons needs: unsigned varints, base32 and base58btc."""

from __future__ import annotations

from ..errors import InvalidCidError

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_INDEX = {c: i for i, c in enumerate(_B32)}
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128, as multiformats uses it."""
    if value < 0:
        raise ValueError(f"varint must be non-negative, got {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Returns (value, next offset); raises InvalidCidError on truncated or oversized input."""
    value = shift = 0
    for i in range(offset, min(len(data), offset + 9)):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    raise InvalidCidError(f"truncated or oversized varint at byte {offset}")


def b32encode(data: bytes) -> str:
    """RFC 4648 base32, lower case, no padding."""
    out = []
    buffer = bits = 0
    for byte in data:
        buffer = (buffer << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append(_B32[(buffer >> bits) & 31])
    if bits:
        out.append(_B32[(buffer << (5 - bits)) & 31])
    return "".join(out)


def b32decode(text: str) -> bytes:
    out = bytearray()
    buffer = bits = 0
    for ch in text.lower():
        if ch not in _B32_INDEX:
            raise InvalidCidError(f"invalid base32 character {ch!r}")
        buffer = (buffer << 5) | _B32_INDEX[ch]
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
    return bytes(out)


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        if ch not in _B58_INDEX:
            raise InvalidCidError(f"invalid base58 character {ch!r}")
        n = n * 58 + _B58_INDEX[ch]
    pad = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * pad + body
