"""`oc://CID/path`: an fsspec filesystem over the embedded store, a Kubo-RPC node or a gateway
that re-hashes every block it reads, so pyarrow, duckdb and `datasets` (streaming) read a dataset
in place without copying it first, and a corrupted block raises instead of returning wrong bytes.

Registered as the fsspec entry point `oc` (pyproject.toml): ``fsspec.filesystem("oc")``, or
``fsspec.open("oc://bafy.../penguins.csv")``; options `store`, `home`, `api`, `gateway` as the
command line's. Reads seek: a byte range fetches only the blocks that hold it.

With a chain (`rpc`, and `deployments` or `commons` as the command line takes them) the
filesystem also says what licence applies: ``fs.licence("oc://bafy...")`` gives the dataset's
SPDX licence, what its terms document permits and whether `account` holds a licence; and opened
with ``purpose="training"`` it warns (refuses in strict mode, as `load_dataset`) before the first
read of a dataset whose licence or terms forbid training AI models.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from ..errors import BlockNotFoundError, OpenCommonsError
from ..ipfs.cid import DAG_PB, Cid
from ..ipfs.directory import entries, is_directory, resolve
from ..ipfs.store import file_size, read_range
from ..ipfs.unixfs import TYPE_SYMLINK, decode_node


class OpenCommonsFileSystem(AbstractFileSystem):  # type: ignore[misc]
    protocol = "oc"
    root_marker = ""

    def __init__(self, store: str = "embedded", home: str | None = None, api: str | None = None,
                 gateway: str | None = None, rpc: str | None = None, deployments: str = "deployments",
                 commons: str | None = None, account: str | None = None, purpose: str | None = None,
                 strict: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rpc, self.deployments, self.commons_name = rpc, deployments, commons
        self.account, self.purpose, self.strict = account, purpose, strict
        self._commons: Any = None
        #: the dataset roots whose licence was checked for `purpose`
        self._checked: set[str] = set()
        if gateway:
            from ..ipfs.gateway import GatewaySource

            self.source: Any = GatewaySource(gateway)
        else:
            from ..ipfs.content import open_store

            self.source = open_store(store, Path(home) if home else None, api)

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        path = path[len("oc://"):] if path.startswith("oc://") else path
        return path.removeprefix("/ipfs/").strip("/")

    def _cid(self, path: str) -> Cid:
        try:
            return resolve(self.source, self._strip_protocol(path))
        except BlockNotFoundError as exc:
            raise FileNotFoundError(str(exc)) from None

    def _chain(self) -> Any:
        """The commons, when a chain was given (`rpc`, or $OPENCOMMONS_RPC); else None."""
        import os

        if self._commons is None and (self.rpc or os.environ.get("OPENCOMMONS_RPC") or self.commons_name):
            from ..connection import open_commons

            self._commons = open_commons(self.rpc, Path(self.deployments), self.commons_name)
        return self._commons

    def _dataset_of(self, path: str) -> int:
        """The dataset whose content `path` lies in: its root CID's digest is the dataset's id."""
        root = Cid.parse(self._strip_protocol(path).split("/")[0])
        if root.codec != DAG_PB:
            raise OpenCommonsError(f"{root} is not a dataset's content (a dag-pb CID): no licence to name")
        return int.from_bytes(root.digest, "big")

    def licence(self, path: str) -> list[str]:
        """What licence applies to the dataset `path` lies in, as `commons dataset get` says it:
        the SPDX licence, the on-chain terms and what their document permits, and whether
        `account` holds a valid licence. Without a chain, says that nothing could be checked."""
        from .download import licence_note, read_manifest, resolve_reference

        dataset_id = self._dataset_of(path)
        commons = self._chain()
        if commons is None:
            return [f"dataset {dataset_id}: its licence is recorded on-chain: pass rpc= (or set $OPENCOMMONS_RPC) "
                    "to read it"]
        resolved = resolve_reference(dataset_id, commons, self.source)
        manifest = read_manifest(self.source, resolved.manifest)
        return licence_note(commons, resolved, manifest, self.account, self.source)

    def _check_purpose(self, path: str) -> None:
        root = self._strip_protocol(path).split("/")[0]
        if self.purpose is None or root in self._checked:
            return
        commons = self._chain()
        if commons is not None and Cid.parse(root).codec == DAG_PB:  # a dataset's content (else no licence)
            from ..licensing.documents import of_dataset
            from .api import check_purpose

            dataset_id = self._dataset_of(path)
            if commons.nft.functions.exists(dataset_id).call():
                check_purpose(of_dataset(commons, self.source, dataset_id), self.purpose, self.strict, stacklevel=4)
        self._checked.add(root)

    def _describe(self, name: str, cid: Cid) -> dict[str, Any]:
        block = self.source.get_block(cid)
        node = decode_node(block) if cid.codec == DAG_PB else None
        if node is not None and is_directory(node):
            return {"name": name, "size": 0, "type": "directory", "cid": str(cid)}
        if node is not None and node.kind == TYPE_SYMLINK:
            return {"name": name, "size": len(node.data), "type": "other", "cid": str(cid)}
        size = len(block) if node is None else (node.filesize if node.filesize is not None else len(node.data))
        return {"name": name, "size": size, "type": "file", "cid": str(cid)}

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self._describe(self._strip_protocol(path), self._cid(path))

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        name = self._strip_protocol(path)
        cid = self._cid(path)
        node = decode_node(self.source.get_block(cid)) if cid.codec == DAG_PB else None
        if node is None or not is_directory(node):
            listed = [self._describe(name, cid)]
        else:
            listed = [self._describe(f"{name}/{entry}", Cid.from_bytes(link.cid_bytes))
                      for entry, link in sorted(entries(self.source, cid, node))]
        return listed if detail else [item["name"] for item in listed]

    def modified(self, path: str) -> datetime:
        """Content under a CID never changes: one fixed time (duckdb asks, to cache)."""
        self._cid(path)
        return datetime(1970, 1, 1, tzinfo=timezone.utc)

    def cat_file(self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any) -> bytes:
        self._check_purpose(path)
        cid = self._cid(path)
        size = file_size(self.source, cid)
        begin = 0 if start is None else (size + start if start < 0 else start)
        stop = size if end is None else (size + end if end < 0 else min(end, size))
        data = read_range(self.source, cid, begin, stop)
        self._note_read(path, len(data))
        return data

    def _note_read(self, path: str, count: int) -> None:
        """Counts `count` bytes of the dataset `path` lies in into the training run in progress."""
        from .training import current

        run = current()
        if run is None or count == 0:
            return
        root = self._strip_protocol(path).split("/")[0]
        cid = Cid.parse(root)
        if cid.codec == DAG_PB:  # a dataset's content: its digest is the dataset's id
            run.record(int.from_bytes(cid.digest, "big"), root, read=count, via="oc://")

    def _open(self, path: str, mode: str = "rb", block_size: int | None = None, autocommit: bool = True,
              cache_options: dict[str, Any] | None = None, **kwargs: Any) -> "OpenCommonsFile":
        if mode != "rb":
            raise OpenCommonsError(f"oc:// is read-only (content is addressed by its hash): cannot open {path} "
                                   f"with mode {mode!r}")
        self._check_purpose(path)
        return OpenCommonsFile(self, path, mode, block_size or "default", cache_options=cache_options or {}, **kwargs)


class OpenCommonsFile(AbstractBufferedFile):  # type: ignore[misc]
    """A read-only file whose ranges come from the verified blocks that hold them."""

    def __init__(self, fs: OpenCommonsFileSystem, path: str, mode: str, block_size: Any, **kwargs: Any) -> None:
        self.cid = fs._cid(path)
        super().__init__(fs, path, mode, block_size, size=file_size(fs.source, self.cid), **kwargs)

    def _fetch_range(self, start: int, end: int) -> bytes:
        data = read_range(self.fs.source, self.cid, start, end)
        self.fs._note_read(self.path, len(data))
        return bytes(data)
