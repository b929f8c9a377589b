"""Publishing from the dApp: the page uploads the files and the publication's fields; the server
stages them, checks everything `commons dataset publish` checks, computes the content and
manifest CIDs exactly as the CLI does, and answers the on-chain parameters. The user's wallet then
commits and reveals; only after the reveal is mined (for a store that announces to the network)
does the server pin the content, as the CLI does, so the CID is not public before its id is taken.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from web3 import Web3

from .errors import OpenCommonsError, PublishError
from .ipfs.cid import Cid
from .ipfs.content import ContentStore
from .ipfs.unixfs import check_entry_name
from .publish import NotRegisteredError, PublishRequest, Scanned, check_chain, params_of, pin_content, scan, validate
from .suite import Commons

#: what one upload may hold (the JSON body carries the files in base64)
MAX_UPLOAD = 64 << 20
#: how long a staged upload waits for its reveal, and how many may wait at once
STAGE_TTL = 3600.0
MAX_STAGED = 64


class Staged:
    def __init__(self, directory: Path, scanned: Scanned) -> None:
        import time

        self.directory, self.scanned = directory, scanned
        self.content, self.manifest_cid = scanned.content, scanned.manifest_cid
        self.at = time.monotonic()


class DappPublisher:
    """Stages uploads by content CID until their reveal is mined; then pins them to `store`."""

    def __init__(self, commons: Commons, store: ContentStore) -> None:
        self.commons, self.store = commons, store
        self.root = Path(tempfile.mkdtemp(prefix="oc-dapp-publish-"))
        self.staged: dict[str, Staged] = {}
        self.lock = threading.Lock()
        #: called with the manifest's CID once pinned (the explorer indexes the manifest then)
        self.on_pinned: Any = None

    def prepare(self, body: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise PublishError("the publication must be a JSON object")
        publisher = _address(body.get("publisher"), "publisher")
        files = body.get("files")
        if not isinstance(files, list) or not files:
            raise PublishError("choose at least one file to publish")
        self.expire()
        with self.lock:
            if len(self.staged) >= MAX_STAGED:
                raise PublishError(f"{MAX_STAGED} publications are waiting for their reveal on this server: "
                                   "try again within the hour")
        stage = Path(tempfile.mkdtemp(dir=self.root))
        kept = False  # once staged, the folder stays until pinned (or staged again)
        try:
            for f in files:
                target = stage / _safe_path(f.get("path") if isinstance(f, dict) else None)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    target.write_bytes(base64.b64decode(str(f.get("data", "")), validate=True))
                except ValueError:
                    raise PublishError(f"{f.get('path')}: the upload is not base64") from None
            contributors = [(_address(c.get("account"), "contributor"), _whole(c.get("shareBps"), "a share"))
                            for c in body.get("contributors") or []]
            request = validate(PublishRequest(
                directory=stage, license=str(body.get("license") or ""), commons=str(body.get("commons") or ""),
                contributors=contributors, name=str(body.get("name") or ""),
                description=str(body.get("description") or ""),
                names=_in_languages(body.get("names"), "names"),
                descriptions=_in_languages(body.get("descriptions"), "descriptions"),
                parents=tuple(_whole(p, "a parent id") for p in body.get("parents") or []),
                ancestor_bps=_whole(body.get("ancestorBps") or 0, "the ancestor share")))
            if not request.name:
                raise PublishError("give the dataset a name")
            if not request.commons:
                raise PublishError("give the commons code (e.g. KE/education)")
            try:
                check_chain(self.commons, publisher, request)
            except NotRegisteredError as exc:  # said as this page's users do it
                raise NotRegisteredError(exc.account, "that account registers first, on the wallet page "
                                                      "(Register)") from None
            scanned = scan(request)
            content, manifest_cid = scanned.content, scanned.manifest_cid
            dataset_id = int.from_bytes(content.digest, "big")
            if self.commons.nft.functions.exists(dataset_id).call():
                raise PublishError(f"this content is already published as dataset {dataset_id}")
            staged = Staged(stage, scanned)
            with self.lock:
                old = self.staged.pop(str(content), None)
                self.staged[str(content)] = staged
                kept = True
            if old is not None:
                shutil.rmtree(old.directory, ignore_errors=True)
            if not bool(getattr(self.store, "announces", True)):
                self._pin(staged)  # a private store: pinned now, so the index finds the manifest at once
        finally:
            if not kept:
                shutil.rmtree(stage, ignore_errors=True)
        params = params_of(request, content, manifest_cid)
        return {"datasetId": str(dataset_id), "content": str(content), "manifest": str(manifest_cid),
                "params": _jsonable(params), "minCommitAge": int(self.commons.nft.functions.minCommitAge().call())}

    def expire(self) -> int:
        """Drops uploads staged more than STAGE_TTL ago (their reveal never came); returns how many."""
        import time

        now = time.monotonic()
        with self.lock:
            old = [k for k, staged in self.staged.items() if now - staged.at > STAGE_TTL]
            dropped = [self.staged.pop(k) for k in old]
        for staged in dropped:
            shutil.rmtree(staged.directory, ignore_errors=True)
        return len(dropped)

    def pin(self, body: dict[str, Any]) -> dict[str, Any]:
        """Pins a staged publication once its dataset exists on-chain."""
        if not isinstance(body, dict):
            raise PublishError("the request must be a JSON object")
        key = str(body.get("content") or "")
        with self.lock:
            staged = self.staged.get(key)
        if staged is None:
            raise PublishError(f"nothing staged for content {key!r}: prepare the publication again")
        dataset_id = int.from_bytes(staged.content.digest, "big")
        if not self.commons.nft.functions.exists(dataset_id).call():
            raise PublishError(f"dataset {dataset_id} is not on-chain yet: pin after the reveal is mined")
        self._pin(staged)
        with self.lock:
            self.staged.pop(key, None)
        shutil.rmtree(staged.directory, ignore_errors=True)
        return {"content": str(staged.content), "manifest": str(staged.manifest_cid)}

    def _pin(self, staged: Staged) -> None:
        pin_content(self.store, staged.directory, staged.scanned)
        if self.on_pinned is not None:
            self.on_pinned(staged.manifest_cid)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _safe_path(path: Any) -> str:
    if not isinstance(path, str) or not path or path.startswith("/"):
        raise PublishError(f"a file path must be relative and not empty, not {path!r}")
    for part in path.split("/"):
        try:
            check_entry_name(part, "the upload")
        except OpenCommonsError:
            raise PublishError(f"file path {path!r} would not stay inside the dataset's folder") from None
    return path


def _in_languages(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    """{"sw": "Mito ya Kenya", ...} as (tag, text) pairs (the publish checks each tag and text)."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise PublishError(f"the {what} in other languages must be an object of language tag to text")
    return tuple((k.strip(), v.strip()) for k, v in value.items())


def _address(value: Any, what: str) -> str:
    if not isinstance(value, str) or not Web3.is_address(value):
        raise PublishError(f"the {what} {value!r} is not an account address")
    return Web3.to_checksum_address(value)


def _whole(value: Any, what: str) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise PublishError(f"{what} must be a whole number, not {value!r}")
    return int(text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, int):
        return str(value)
    return value
