"""Blocks from an HTTP gateway, used as a trustless gateway is: each block is asked for raw
(`GET /ipfs/CID?format=raw`, `Accept: application/vnd.ipld.raw`) and re-hashed here, so a gateway
that lies or a network that corrupts is caught at the first wrong byte and never trusted."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request

from ..errors import BlockNotFoundError, CorruptBlockError, NodeUnreachableError
from .blocks import MAX_BLOCK_SIZE
from .cid import Cid

RAW_BLOCK = "application/vnd.ipld.raw"


class GatewaySource:
    """A block source over `url` (e.g. http://127.0.0.1:8080, with or without a trailing /ipfs/)."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        self.base = url.rstrip("/").removesuffix("/ipfs")
        self.location, self.timeout = self.base, timeout

    def get_block(self, cid: Cid) -> bytes:
        request = urllib.request.Request(f"{self.base}/ipfs/{cid}?format=raw", headers={"Accept": RAW_BLOCK})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                # never more than a block: a gateway answering gigabytes is cut off at the first byte over
                block = bytes(reply.read(MAX_BLOCK_SIZE + 1))
            if len(block) > MAX_BLOCK_SIZE:
                raise CorruptBlockError(f"the gateway {self.base} answered more than {MAX_BLOCK_SIZE:,} bytes for "
                                        f"block {cid}: no block is that large")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise BlockNotFoundError(f"the gateway {self.base} does not have block {cid}") from None
            raise NodeUnreachableError(f"the gateway {self.base} answered {exc.code} for block {cid}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeUnreachableError(f"cannot reach the gateway {self.base}: {reason}") from None
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"the gateway {self.base} returned a block for {cid} that does not hash to it")
        return block
