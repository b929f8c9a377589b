"""A Kubo RPC API node (`/api/v0`) as a content store, through ipfshttpclient.

`ipfshttpclient.connect()` rejects every current daemon version, so the client is built
directly. Content is imported here (Kubo's exact chunking, DAG and HAMT sharding, symlinks) and
streamed to the node as a CAR file (`dag/import`, roots pinned): the node stores the very
blocks the CID names, whatever its own `add` defaults or version (js-ipfs shards directories
by entry count, not by size as Kubo does). The root the node reports is compared with the one
computed here. Reads are block by block (`block/get`), each block re-hashed here, as a
trustless gateway client reads; js-ipfs prints CIDv1 in base58btc: CIDs are compared parsed.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ipfshttpclient

from ..errors import BlockNotFoundError, CorruptBlockError, IpfsError, NodeUnreachableError
from .blocks import BlockSource
from .car import CarWriter, read_car
from .cid import Cid, check_same
from .importer import Importer
from .store import EmbeddedStore, cat, get, walk


def to_multiaddr(api: str) -> str:
    """Accepts a multiaddr or an http(s) URL."""
    if api.startswith("/"):
        return api
    url = urlparse(api if "://" in api else f"http://{api}")
    if not url.hostname or not url.port:
        raise IpfsError(f"invalid IPFS API address {api!r}: use /ip4/HOST/tcp/PORT/http or http://HOST:PORT")
    proto = "ip4" if url.hostname.replace(".", "").isdigit() else "dns"
    return f"/{proto}/{url.hostname}/tcp/{url.port}/{url.scheme or 'http'}"


class KuboStore:
    def __init__(self, api: str, timeout: float = 120) -> None:
        self.location = to_multiaddr(api)
        self.announces = True
        try:
            self.client = ipfshttpclient.Client(self.location, timeout=timeout)
        except ipfshttpclient.exceptions.Error as exc:
            raise NodeUnreachableError(f"IPFS node unreachable at {self.location}: {exc}") from exc

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():  # ipfshttpclient 0.7 passes urllib3 a retired argument
                warnings.filterwarnings("ignore", message="The 'strict' parameter", category=FutureWarning)
                return fn(*args, **kwargs)
        except (ipfshttpclient.exceptions.ConnectionError, ipfshttpclient.exceptions.TimeoutError) as exc:
            raise NodeUnreachableError(f"IPFS node unreachable at {self.location}") from exc
        except ipfshttpclient.exceptions.ErrorResponse as exc:
            text = str(exc)
            if "not found" in text or "no link named" in text:
                raise BlockNotFoundError(f"{args[0] if args else ''} is not on the node at {self.location}") from exc
            raise IpfsError(f"IPFS node at {self.location} refused: {text}") from exc

    def version(self) -> str:
        return str(self._call(self.client.version)["Version"])

    def add_path(self, path: Path, cid_version: int = 1, include_hidden: bool = False,
                 progress: Callable[[int], None] | None = None, dereference: bool = False) -> Cid:
        with tempfile.NamedTemporaryFile(suffix=".car") as car:
            writer = CarWriter(car, cid_version)
            expected = Importer(cid_version, sink=writer, progress=progress, include_hidden=include_hidden,
                                dereference=dereference).add_path(path).cid
            writer.finish(expected)
            car.seek(0)
            return self._import(car, expected)

    def add_bytes(self, data: bytes, cid_version: int = 1) -> Cid:
        with tempfile.NamedTemporaryFile(suffix=".car") as car:
            writer = CarWriter(car, cid_version)
            expected = Importer(cid_version, sink=writer).add_bytes(data).cid
            writer.finish(expected)
            car.seek(0)
            return self._import(car, expected)

    def _import(self, car: Any, expected: Cid) -> Cid:
        result = self._call(self.client.dag.imprt, car)
        entries = result if isinstance(result, list) else [result]
        roots = [e["Root"] for e in entries if isinstance(e, Mapping) and "Root" in e]
        if not roots:
            raise IpfsError(f"the IPFS node at {self.location} imported the CAR but reported no root")
        error = roots[0].get("PinErrorMsg")
        if error:
            raise IpfsError(f"the IPFS node at {self.location} could not pin {expected}: {error}")
        check_same(expected, Cid.parse(str(roots[0]["Cid"]["/"])), f"the IPFS node at {self.location}")
        return expected

    def cat(self, cid: Cid) -> Iterator[bytes]:
        """The file's bytes, block by block, each re-hashed here before it is handed out."""
        return cat(self, cid)

    def get_block(self, cid: Cid) -> bytes:
        """One raw block from the node, re-hashed here (as a trustless gateway client does)."""
        block = bytes(self._call(self.client.block.get, str(cid)))
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"the IPFS node at {self.location} returned a block for {cid} "
                                    "that does not hash to it")
        return block

    def get(self, cid: Cid, target: Path, progress: Callable[[int], None] | None = None) -> None:
        """Written by the same code as the embedded store's `get`: every block verified, every
        entry name checked, nothing under `target` until all is verified. (The node's own `get`
        is a tar archive, which could name paths outside `target`.) The DAG comes in one request
        as a CAR (`dag/export`) into a scratch store, each block re-hashed as it is read; a node
        without that endpoint, or a CAR that does not verify, is read block by block instead."""
        with self.fetched(cid) as blocks:
            get(blocks, cid, target, progress)

    @contextmanager
    def fetched(self, cid: Cid) -> Iterator[BlockSource]:
        """A block source holding the DAG under `cid`, brought from the node in one request
        (`dag/export`, a CAR) into a scratch store and re-hashed as read back; any block the
        export did not bring (a node without the endpoint, a CAR that does not verify) comes
        from the node one by one. Much faster than a request per block for large files."""
        with tempfile.TemporaryDirectory(prefix="opencommons-fetch-") as tmp:
            scratch = EmbeddedStore(Path(tmp) / "blocks")
            try:
                self._export_into(cid, scratch, Path(tmp) / "dag.car")
            except IpfsError:
                pass
            yield _Fallback(scratch, self)

    def _export_into(self, cid: Cid, scratch: EmbeddedStore, car: Path) -> None:
        with open(car, "wb") as handle:
            for part in self._call(self.client.dag.export, str(cid), stream=True):
                handle.write(part)
        with open(car, "rb") as handle:
            _, blocks = read_car(handle)
            for block_cid, block in blocks:
                scratch.put_block(block_cid, block)

    def pin(self, cid: Cid) -> None:
        self._call(self.client.pin.add, str(cid))

    def unpin(self, cid: Cid) -> None:
        self._call(self.client.pin.rm, str(cid))

    def pins(self) -> list[Cid]:
        listing = self._call(self.client.pin.ls, type="recursive")
        return [Cid.parse(k) for k in listing.get("Keys", {})]

    def verify(self, cid: Cid) -> int:
        """Fetches every block of `cid` from the node and re-hashes it here; returns the count."""
        return sum(1 for _ in walk(self, cid))


class _Fallback:
    """Blocks from the scratch store, or from the node for any the export did not bring."""

    def __init__(self, first: EmbeddedStore, then: KuboStore) -> None:
        self.first, self.then = first, then

    def get_block(self, cid: Cid) -> bytes:
        try:
            return self.first.get_block(cid)
        except BlockNotFoundError:
            return self.then.get_block(cid)


__all__ = ["KuboStore", "to_multiaddr"]
