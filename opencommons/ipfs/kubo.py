"""A Kubo RPC API node (`/api/v0`) as a content store, through ipfshttpclient.

`ipfshttpclient.connect()` rejects every current daemon version, so the client is built
directly. `add()` sends raw-leaves=false unless told, so CIDv1 asks for raw leaves (as
`ipfs add --cid-version=1` does). Every CID the node returns is compared with the one computed
here; a difference is an error. js-ipfs prints CIDv1 in base58btc: CIDs are compared parsed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ipfshttpclient

from ..errors import BlockNotFoundError, CorruptBlockError, IpfsError, NodeUnreachableError
from .cid import Cid, check_same
from .importer import Importer, compute_cid
from .store import get


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
                 progress: Callable[[int], None] | None = None) -> Cid:
        expected = compute_cid(path, cid_version, include_hidden)
        options: dict[str, Any] = {"cid_version": cid_version, "raw_leaves": cid_version == 1, "pin": True}
        if path.is_dir():
            # The upload is a hard-linked staging copy named "content": ipfshttpclient always sends
            # hidden files, and js-ipfs refuses a one-character directory name ("Unexpected input:
            # object"). The name of the top directory is not part of its CID.
            with tempfile.TemporaryDirectory() as tmp:
                upload = _stage(path, Path(tmp) / "content", include_hidden)
                result = self._call(self.client.add, str(upload), recursive=True, **options)
            entries = result if isinstance(result, list) else [result]
            root = next((e for e in reversed(entries) if e["Name"] == "content"), entries[-1])
        else:
            root = self._call(self.client.add, str(path), **options)
        actual = Cid.parse(str(root["Hash"]))
        check_same(expected, actual, f"the IPFS node at {self.location}")
        if progress:
            progress(path.stat().st_size if path.is_file() else 0)
        return expected

    def add_bytes(self, data: bytes, cid_version: int = 1) -> Cid:
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "data"
            file.write_bytes(data)
            return self.add_path(file, cid_version)

    def cat(self, cid: Cid) -> Iterator[bytes]:
        """The file's bytes, re-hashed here before they are handed out."""
        data = self._call(self.client.cat, str(cid))
        check_same(cid, Importer(cid.version).add_bytes(data).cid, f"the IPFS node at {self.location}")
        yield data

    def get_block(self, cid: Cid) -> bytes:
        """One raw block from the node, re-hashed here (as a trustless gateway client does)."""
        block = bytes(self._call(self.client.block.get, str(cid)))
        if hashlib.sha256(block).digest() != cid.digest:
            raise CorruptBlockError(f"the IPFS node at {self.location} returned a block for {cid} "
                                    "that does not hash to it")
        return block

    def get(self, cid: Cid, target: Path) -> None:
        """Fetched block by block and written by the same code as the embedded store's `get`:
        every block verified, every entry name checked, nothing under `target` until all is
        verified. (The node's own `get` is a tar archive, which could name paths outside
        `target`.)"""
        get(self, cid, target)

    def pin(self, cid: Cid) -> None:
        self._call(self.client.pin.add, str(cid))

    def unpin(self, cid: Cid) -> None:
        self._call(self.client.pin.rm, str(cid))

    def pins(self) -> list[Cid]:
        listing = self._call(self.client.pin.ls, type="recursive")
        return [Cid.parse(k) for k in listing.get("Keys", {})]

    def verify(self, cid: Cid) -> int:
        """Fetches `cid` (file or directory) and re-hashes it here; returns the files checked."""
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "fetched"
            self.get(cid, target)
            return sum(1 for p in target.rglob("*") if p.is_file()) if target.is_dir() else 1


def _stage(source: Path, target: Path, include_hidden: bool) -> Path:
    """A hard-linked (or copied) tree, without dot-names unless asked."""
    target.mkdir()
    for child in sorted(source.iterdir()):
        if child.name.startswith(".") and not include_hidden:
            continue
        if child.is_dir():
            _stage(child, target / child.name, include_hidden)
        else:
            try:
                os.link(child, target / child.name)
            except OSError:
                shutil.copy2(child, target / child.name)
    return target


__all__ = ["KuboStore", "to_multiaddr"]
