"""Client-side encryption of private datasets, and the wrapping of their data keys.

A file is encrypted with the dataset's data key (AES-256-GCM, a fresh random key per dataset) in
chunks of 1 MiB of plaintext, so files stream and any byte range decrypts on its own:

    "OCE1" | file id (8 random bytes) | chunk size (4 bytes, big-endian) | chunk 0 | chunk 1 | ...

Chunk i is AES-GCM(key, nonce = file id | i (4 bytes), plaintext, aad = header | i | last?) with
its 16-byte tag: a chunk moved, dropped from the end, or taken from another file fails its tag.
An empty file is one empty last chunk.

A data key is wrapped for an X25519 public key (a gateway's, or a consumer session's): an
ephemeral X25519 key agreement, HKDF-SHA256, AES-256-GCM; only the holder of the private key
unwraps it.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import OpenCommonsError

MAGIC = b"OCE1"
CHUNK = 1 << 20
TAG = 16
HEADER = len(MAGIC) + 8 + 4
SCHEME = "aes-256-gcm-chunked/1"
WRAP = "x25519-hkdf-sha256-aes-256-gcm/1"


class DecryptionError(OpenCommonsError, ValueError):
    """Ciphertext that does not decrypt: tampered, truncated, or under another key."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">I?", index, last)


def encrypt_stream(key: bytes, source: BinaryIO, sink: BinaryIO, chunk: int = CHUNK) -> int:
    """Encrypts `source` into `sink`; returns the plaintext size."""
    aes = AESGCM(key)
    file_id = os.urandom(8)
    header = MAGIC + file_id + struct.pack(">I", chunk)
    sink.write(header)
    size, index = 0, 0
    current = source.read(chunk)
    while True:
        following = source.read(chunk) if len(current) == chunk else b""
        last = not following
        sink.write(aes.encrypt(file_id + struct.pack(">I", index), current, _aad(header, index, last)))
        size += len(current)
        if last:
            return size
        current, index = following, index + 1


def encrypted_size(plain: int, chunk: int = CHUNK) -> int:
    chunks = max(1, -(-plain // chunk))
    return HEADER + plain + chunks * TAG


class Decryptor:
    """Decrypts chunks of one file given a way to read its ciphertext's byte ranges."""

    def __init__(self, key: bytes, header: bytes, plain_size: int) -> None:
        if len(header) != HEADER or not header.startswith(MAGIC):
            raise DecryptionError("not an OpenCommons encrypted file (bad header)")
        self.aes, self.header, self.size = AESGCM(key), header, plain_size
        self.file_id = header[4:12]
        self.chunk = struct.unpack(">I", header[12:16])[0]
        if self.chunk <= 0:
            raise DecryptionError("not an OpenCommons encrypted file (chunk size 0)")
        self.chunks = max(1, -(-plain_size // self.chunk))

    def cipher_range(self, index: int) -> tuple[int, int]:
        """Byte range [start, end) of chunk `index` in the ciphertext file."""
        start = HEADER + index * (self.chunk + TAG)
        plain = min(self.chunk, self.size - index * self.chunk) if self.size else 0
        return start, start + plain + TAG

    def open(self, index: int, sealed: bytes | memoryview) -> bytes:
        try:
            return self.aes.decrypt(self.file_id + struct.pack(">I", index), sealed,
                                    _aad(self.header, index, index == self.chunks - 1))
        except InvalidTag:
            raise DecryptionError(f"chunk {index} does not decrypt: the ciphertext was altered, truncated or "
                                  "is under another key") from None

    def plaintext(self, read: Any, start: int = 0, end: int | None = None, group: int = 8) -> Iterator[bytes]:
        """Plaintext bytes [start, end), decrypting only the chunks that hold them; `read(a, b)`
        returns ciphertext bytes [a, b). Chunks are read `group` at a time (one walk of the file's
        DAG per group, memory bounded by the group)."""
        end = self.size if end is None else min(end, self.size)
        if start >= end:
            return
        first, last = start // self.chunk, (end - 1) // self.chunk
        for batch in range(first, last + 1, group):
            indices = range(batch, min(batch + group, last + 1))
            span_start, span_end = self.cipher_range(indices[0])[0], self.cipher_range(indices[-1])[1]
            sealed = memoryview(read(span_start, span_end))
            for index in indices:
                a, b = self.cipher_range(index)
                data = self.open(index, sealed[a - span_start:b - span_start])
                offset = index * self.chunk
                yield data[max(0, start - offset):end - offset]


# ------------------------------------------------------------------ key wrapping

def private_key_bytes(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def public_key_hex(key: X25519PrivateKey | X25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _kek(shared: bytes, context: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"opencommons/wrap/v1|" + context).derive(shared)


def wrap(data_key: bytes, recipient_hex: str, context: bytes) -> dict[str, str]:
    """`data_key` sealed for the X25519 public key `recipient_hex`, bound to `context`."""
    try:
        recipient = X25519PublicKey.from_public_bytes(bytes.fromhex(recipient_hex))
    except ValueError:
        raise OpenCommonsError(f"{recipient_hex!r} is not an X25519 public key (64 hex digits)") from None
    ephemeral = X25519PrivateKey.generate()
    nonce = os.urandom(12)
    sealed = AESGCM(_kek(ephemeral.exchange(recipient), context)).encrypt(nonce, data_key, context)
    return {"scheme": WRAP, "ephemeral": public_key_hex(ephemeral), "nonce": nonce.hex(), "sealed": sealed.hex()}


def unwrap(wrapped: dict[str, Any], key: X25519PrivateKey, context: bytes) -> bytes:
    try:
        ephemeral = X25519PublicKey.from_public_bytes(bytes.fromhex(str(wrapped["ephemeral"])))
        return AESGCM(_kek(key.exchange(ephemeral), context)).decrypt(
            bytes.fromhex(str(wrapped["nonce"])), bytes.fromhex(str(wrapped["sealed"])), context)
    except (KeyError, ValueError, InvalidTag):
        raise DecryptionError("the wrapped data key does not open with this key") from None
