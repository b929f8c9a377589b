"""One verified download of a published dataset: `commons dataset get ID_OR_CID DIR`.

The dataset's record on-chain names its content and manifest CIDs; the manifest (fetched and
re-hashed against its CID) lists every file with its path, size, sha256 and CID. Each file is
reached through the content CID's directory tree (every block re-hashed as it arrives, from the
embedded store, a Kubo-RPC node or an HTTP gateway used as a trustless one), must resolve to the
CID the manifest lists, is written under a hidden partial name while its sha256 is computed, and
is renamed to its final name only when that sha256 is the manifest's. A file already in DIR with
the manifest's sha256 is kept: an interrupted download resumes where it stopped. Nothing
unverified ever stands in DIR under its final name.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CidMismatchError, InvalidCidError, MalformedDagError, OpenCommonsError, UnsafePathError
from ..ipfs.blocks import BlockSource
from ..ipfs.cid import DAG_PB, RAW, Cid
from ..ipfs.directory import resolve
from ..ipfs.blocks import budgeted
from ..ipfs.store import cat, file_size, read_document
from ..ipfs.unixfs import check_entry_name

#: DIR's record of the files already verified (hidden: `dataset verify --path DIR` ignores it)
STATE = ".opencommons-get.json"


class DownloadError(OpenCommonsError):
    """A dataset reference that names no dataset, or content that does not verify."""


@dataclass(frozen=True)
class Resolved:
    """What a reference (id, content CID or manifest CID) names: `dataset_id` is None when only a
    manifest CID was given and no chain was asked."""

    content: Cid
    manifest: Cid
    dataset_id: int | None = None
    view: dict[str, Any] = field(default_factory=dict)


@dataclass
class Downloaded:
    directory: Path
    manifest: dict[str, Any]
    fetched: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    bytes_fetched: int = 0
    #: symbolic links the manifest lists, restored as links
    links: list[str] = field(default_factory=list)


def parse_reference(text: str) -> Any:
    """A dataset id (decimal or 0x hex), a CID (a raw CID is taken as a manifest, a dag-pb one as
    a dataset's content, whose digest is the dataset's id), or a dataset link
    (:class:`opencommons.references.DatasetLink`, which names its commons too)."""
    from ..queries import parse_dataset_id
    from ..references import DatasetLink, is_link

    text = text.strip()
    if is_link(text):
        return DatasetLink.parse(text)
    if text.isdigit() or text.startswith("0x"):
        return parse_dataset_id(text)
    try:
        cid = Cid.parse(text)
    except (InvalidCidError, ValueError):
        raise DownloadError(f"{text!r} is neither a dataset id nor a CID") from None
    if cid.codec == DAG_PB:
        return int.from_bytes(cid.digest, "big")
    if cid.codec == RAW:
        return cid
    raise DownloadError(f"{text} is neither a dataset's content (dag-pb) nor its manifest (raw) CID")


def resolve_reference(reference: int | Cid, commons: Any, source: BlockSource) -> Resolved:
    """The content and manifest a reference names: from the chain for an id (`commons` needed),
    from the manifest itself for a manifest CID (checked against the chain too when `commons`)."""
    from ..queries import dataset_view

    if isinstance(reference, int):
        if commons is None:
            raise DownloadError("a dataset id needs a chain to look it up: pass --rpc, or give the manifest CID")
        view = dataset_view(commons, reference)
        _refuse_taken_down(commons, reference, view)
        return Resolved(Cid.parse(view["content"]), Cid.parse(view["manifest"]), reference, view)
    manifest = read_manifest(source, reference)
    content = Cid.parse(str(manifest.get("content")))
    dataset_id = int.from_bytes(content.digest, "big")
    if commons is None:
        return Resolved(content, reference, None)
    view = dataset_view(commons, dataset_id)
    _refuse_taken_down(commons, dataset_id, view)
    if not Cid.parse(view["manifest"]).same_content(reference):
        raise DownloadError(f"manifest {reference} is not the one dataset {dataset_id} records on-chain "
                            f"({view['manifest']})")
    return Resolved(content, reference, dataset_id, view)


def _refuse_taken_down(commons: Any, dataset_id: int, view: dict[str, Any]) -> None:
    """A tombstoned dataset (a dispute upheld against it) is not fetched: refused with the reason."""
    if view.get("status") == "Suspended":
        from ..rights import refuse_if_taken_down

        refuse_if_taken_down(commons, dataset_id)


def read_manifest(source: BlockSource, cid: Cid) -> dict[str, Any]:
    try:
        manifest = read_document(source, cid, "manifest")
    except MalformedDagError as exc:
        raise DownloadError(str(exc)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list) or "content" not in manifest:
        raise DownloadError(f"{cid} is not a manifest (no content and files)")
    return manifest


def _safe_parts(path: Any) -> list[str]:
    if not isinstance(path, str) or not path:
        raise DownloadError(f"the manifest lists a file with no path ({path!r}): refusing this manifest")
    return [check_entry_name(part, "the manifest") for part in path.split("/")]


def prepare_target(directory: Path, target: Path) -> None:
    """Makes `target`'s folders inside `directory`, refusing any part of the way that is a
    symbolic link (one an earlier `ipfs get` of someone's content left there would send the write
    anywhere on this machine)."""
    relative = target.relative_to(directory)
    here = directory
    for part in relative.parts:
        here = here / part
        if here.is_symlink():
            raise UnsafePathError(f"{here} is a symbolic link (left by an earlier download?): nothing is written "
                                  "through it; remove it or download into an empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)


def open_new(path: Path) -> Any:
    """`path` created for writing, never an existing file or a link planted at its name."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644), "wb")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_state(directory: Path, manifest_cid: Cid) -> dict[str, list[Any]]:
    try:
        state = json.loads((directory / STATE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("manifest") != str(manifest_cid):
        return {}
    files = state.get("files")
    return files if isinstance(files, dict) else {}


def _save_state(directory: Path, manifest_cid: Cid, files: dict[str, list[Any]]) -> None:
    partial = directory / (STATE + ".partial")
    partial.write_text(json.dumps({"manifest": str(manifest_cid), "files": files}))
    os.replace(partial, directory / STATE)


@dataclass
class Plan:
    """What a download must still fetch (`todo`: manifest record, target path) and what DIR
    already holds verified."""

    source: BlockSource
    resolved: Resolved
    directory: Path
    result: Downloaded
    verified: dict[str, list[Any]]
    todo: list[tuple[dict[str, Any], Path]]

    @property
    def bytes_to_fetch(self) -> int:
        return sum(int(f.get("size") or 0) for f, _ in self.todo)


def plan(source: BlockSource, resolved: Resolved, directory: Path) -> Plan:
    """Reads and checks the manifest, and finds which files DIR already holds verified."""
    manifest = read_manifest(source, resolved.manifest)
    if manifest.get("content") != str(resolved.content):
        raise CidMismatchError(f"manifest {resolved.manifest} names content {manifest.get('content')}, "
                               f"the dataset records {resolved.content}")
    files = [f for f in manifest["files"] if isinstance(f, dict)]
    if len(files) != len(manifest["files"]):
        raise DownloadError(f"manifest {resolved.manifest} lists an entry that is not a file record")
    targets = [(f, directory.joinpath(*_safe_parts(f.get("path")))) for f in files]  # all checked first
    if directory.exists() and not directory.is_dir():
        raise DownloadError(f"{directory} is a file: give a folder to download the dataset into (new or one an "
                            "earlier download left)")
    directory.mkdir(parents=True, exist_ok=True)
    verified = _load_state(directory, resolved.manifest)
    result = Downloaded(directory, manifest)
    todo = []
    for f, target in targets:
        expected = str(f.get("sha256"))
        if target.is_file() and not target.is_symlink():
            stat = target.stat()
            if verified.get(f["path"]) == [stat.st_size, stat.st_mtime_ns, expected] or (
                    stat.st_size == f.get("size") and sha256_file(target) == expected):
                verified[f["path"]] = [stat.st_size, stat.st_mtime_ns, expected]
                result.kept.append(f["path"])
                continue
        todo.append((f, target))
    return Plan(source, resolved, directory, result, verified, todo)


def fetch(work: Plan, progress: Callable[[int], None] | None = None) -> Downloaded:
    """Fetches what `work` lists, each file verified before it takes its final name; then restores
    the symbolic links the manifest lists (as the content holds them: `ipfs get` and this agree)."""
    _save_state(work.directory, work.resolved.manifest, work.verified)
    for f, target in work.todo:
        fetch_file(work, f, target, progress)
    for link in work.result.manifest.get("links") or []:
        restore_link(work, link)
    return work.result


def restore_link(work: Plan, link: Any) -> None:
    """One symbolic link of the manifest, checked against the content (the same target there) and
    kept inside the folder (a relative target that does not leave it), then made."""
    from ..ipfs.unixfs import TYPE_SYMLINK, decode_node

    if not isinstance(link, dict) or not isinstance(link.get("target"), str):
        raise DownloadError(f"the manifest lists a malformed link {link!r}: refusing this manifest")
    parts, target_text = _safe_parts(link.get("path")), link["target"]
    inside = os.path.normpath(os.path.join(*parts[:-1], target_text)) if len(parts) > 1 else \
        os.path.normpath(target_text)
    if os.path.isabs(target_text) or "\0" in target_text or inside == ".." or inside.startswith("../"):
        raise DownloadError(f"the manifest's link {link['path']} points to {target_text!r}, outside the dataset's "
                            "folder: refusing to make it")
    cid = resolve(work.source, f"{work.resolved.content}/{link['path']}")
    node = decode_node(work.source.get_block(cid)) if cid.codec == DAG_PB else None
    if node is None or node.kind != TYPE_SYMLINK or node.data != os.fsencode(target_text):
        raise CidMismatchError(f"the manifest says {link['path']} links to {target_text!r}; the content disagrees")
    path = work.directory.joinpath(*parts)
    if path.is_symlink() and os.readlink(path) == target_text:
        work.result.kept.append(link["path"])
        return
    prepare_target(work.directory, path)  # no link among its folders (nor an older link at its name)
    if os.path.lexists(path):
        raise DownloadError(f"{path} exists and is not the link the dataset has ({link['path']} -> {target_text}): "
                            "move it away or download into an empty folder")
    os.symlink(target_text, path)
    work.result.links.append(link["path"])


def fetch_file(work: Plan, f: dict[str, Any], target: Path, progress: Callable[[int], None] | None = None) -> None:
    """One file of `work`: resolved through the content, checked against the manifest's CID and
    sha256, then renamed into place (an error leaves nothing under its name)."""
    source, resolved, result, verified = work.source, work.resolved, work.result, work.verified
    expected = str(f.get("sha256"))
    cid = resolve(source, f"{resolved.content}/{f['path']}")
    if f.get("cid") and not cid.same_content(Cid.parse(str(f["cid"]))):
        raise CidMismatchError(f"{f['path']} resolves to {cid} under the content, the manifest lists {f['cid']}")
    prepare_target(work.directory, target)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    digest = hashlib.sha256()
    # a node that can send a whole DAG at once (a Kubo-RPC store's CAR export) does so
    bulk = getattr(source, "fetched", None)
    try:
        with open_new(partial) as handle, (bulk(cid) if bulk else nullcontext(source)) as blocks:
            declared = file_size(blocks, cid)
            if isinstance(f.get("size"), int) and declared != f["size"]:
                raise CidMismatchError(f"{f['path']} is {declared:,} bytes under the content, the manifest says "
                                       f"{f['size']:,}: refusing it before reading")
            for part in cat(budgeted(blocks, what=f"fetching {f['path']}"), cid):
                handle.write(part)
                digest.update(part)
                result.bytes_fetched += len(part)
                if progress is not None:
                    progress(len(part))
        if digest.hexdigest() != expected:
            raise CidMismatchError(f"{f['path']} does not match the manifest: sha256 {digest.hexdigest()[:16]}..., "
                                   f"expected {expected[:16]}...")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    stat = target.stat()
    verified[f["path"]] = [stat.st_size, stat.st_mtime_ns, expected]
    _save_state(work.directory, resolved.manifest, verified)
    result.fetched.append(f["path"])


def download(source: BlockSource, resolved: Resolved, directory: Path,
             progress: Callable[[int], None] | None = None) -> Downloaded:
    """:func:`plan` then :func:`fetch`."""
    return fetch(plan(source, resolved, directory), progress)


def licence_note(commons: Any, resolved: Resolved, manifest: dict[str, Any], account: str | None,
                 source: Any = None) -> list[str]:
    """What licence applies: the manifest's SPDX expression, the on-chain terms and what their
    terms document permits (read from `source`), and whether `account` holds a valid licence
    when the terms sell one."""
    from ..licensing import documents, odrl
    from ..ml.croissant import licence_urls
    from ..present import duration, expiry
    from ..queries import format_amount

    expression = str(manifest.get("license"))
    lines = [f"licence: {expression} ({', '.join(licence_urls(expression))})"]
    if commons is None or resolved.dataset_id is None:
        return lines + ["on-chain terms not checked (no chain given)"]
    status = resolved.view.get("status")
    if status in ("Rejected", "Retired"):
        lines.append(f"warning: the dataset is {status} by its commons' curators")
    from ..rights import notices

    lines += [f"warning: {line}" for line in notices(commons, resolved.dataset_id)]
    token, seconds, active, price, digest = commons.licenses.functions.termsOf(resolved.dataset_id).call()
    if not active:
        return lines + ["no licence is sold on-chain for this dataset: its SPDX licence alone applies"]
    lines.append(f"on-chain licence: {format_amount(commons, price, token)} for {duration(seconds)}")
    if bytes(digest) != bytes(32):
        cid = odrl.cid_of_digest(bytes(digest))
        if source is None:
            lines.append(f"terms document: {cid} (not read here)")
        else:
            try:
                _, terms = documents.fetch(source, bytes(digest), "the terms document")
                lines += [f"terms document: {cid}", *odrl.summary(terms)]
            except odrl.TermsError as exc:
                lines.append(f"warning: {exc}")
    if account is None:
        return lines + ["pass --of ADDRESS (or --account) to check whether you hold it"]
    if commons.licenses.functions.hasValidLicense(account, resolved.dataset_id).call():
        until = expiry(commons.licenses.functions.licenseExpiry(account, resolved.dataset_id).call())
        return lines + [f"{account} holds a valid licence ({until})"]
    return lines + [f"{account} holds no valid licence: buy one with `commons license buy {resolved.dataset_id}`"]
