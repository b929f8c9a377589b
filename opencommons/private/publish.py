"""Publishing a private dataset: every file encrypted client-side before anything is hashed, pinned
or minted; the CIDs address ciphertext. The manifest keeps the public metadata (paths, plaintext
sizes and sha256, tabular columns and types) and, for each gateway the publisher names, the data
key wrapped for that gateway's key. The data key itself is never written anywhere in the clear.

The ciphertext is staged under ``$OPENCOMMONS_HOME/private/<plaintext digest>``, so a publish
interrupted at any point resumes with the very same ciphertext and CIDs (exactly once, as any
publish), without keeping the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from ..errors import OpenCommonsError, PublishError
from ..home import opencommons_home
from ..ml.croissant import TABULAR, CroissantError, read_schema
from ..ml.download import sha256_file
from .crypto import CHUNK, SCHEME, encrypt_stream, new_data_key, wrap


def _get_json(url: str, method: str = "GET") -> dict[str, Any]:
    from .client import call

    with call(url, method=method) as reply:
        return dict(json.loads(reply.read()))


def gateway_key(url: str) -> str:
    """The gateway's X25519 public key (hex), as it publishes it."""
    return str(_get_json(url.rstrip("/") + "/v1/key")["publicKey"])


def register_key(url: str, dataset_id: int) -> None:
    _get_json(f"{url.rstrip('/')}/v1/keys/{dataset_id}", "POST")


def _files(directory: Path) -> list[Path]:
    """The regular files under `directory` (hidden ones left out), never following a symbolic
    link: a link to a file or folder outside the dataset (say ~/.ssh) would be encrypted and
    served to every licensee, so one is refused in one line instead."""
    found = []
    for folder, dirs, names in os.walk(directory, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names) + dirs:
            path = here / name
            if name.startswith("."):
                continue
            if path.is_symlink():
                raise PublishError(f"{path} is a symbolic link (to {os.readlink(path)}): a private dataset holds "
                                   "regular files only; copy what it points to into the folder instead")
            if name in names:
                found.append(path)
    return sorted(found)


def encrypt_folder(directory: Path, gateways: list[str], root: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The staged ciphertext folder and the manifest's `private` section (without the wrapped keys,
    which need the content CID: see :func:`wrap_for`), made once per plaintext and gateways."""
    if not directory.is_dir():
        raise PublishError(f"not a directory: {directory}")
    files = []
    for path in _files(directory):
        rel = path.relative_to(directory).as_posix()
        entry: dict[str, Any] = {"path": rel, "size": path.stat().st_size, "sha256": sha256_file(path)}
        if path.suffix.lower() in TABULAR:
            try:
                entry["columns"] = {f.name: str(f.type) for f in read_schema(path)}
            except CroissantError:
                pass
        files.append(entry)
    if not files:
        raise PublishError(f"directory is empty: {directory}")
    digest = hashlib.sha256(json.dumps([files, sorted(gateways)], sort_keys=True).encode()).hexdigest()[:32]
    stage = (root or opencommons_home("private")) / digest
    section = {"scheme": SCHEME, "chunk": CHUNK, "files": files}
    done = stage / "staged.json"
    if done.exists():
        return stage / "content", json.loads(done.read_text())
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "content").mkdir(parents=True)
    key = new_data_key()
    for f in files:
        target = stage / "content" / f["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(directory / f["path"], "rb") as source, open(target, "wb") as sink:
            encrypt_stream(key, source, sink)
    # the key leaves this function only wrapped, once the content CID it is bound to is known
    section["pending"] = {"gateways": [{"url": url.rstrip("/"), "publicKey": gateway_key(url)} for url in gateways]}
    section["_key"] = key.hex()  # in memory only: staged.json is written once the key is wrapped
    return stage / "content", section


def content_cid(folder: Path) -> str:
    from ..ipfs.importer import Importer

    return str(Importer(cid_version=1).add_path(folder).cid)


def prepare(directory: Path, gateways: list[str], root: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Encrypts (or finds staged) and wraps: the folder to publish and the `private` section."""
    if not gateways:
        raise PublishError("a private dataset needs at least one --gateway URL to hold its key")
    folder, section = encrypt_folder(directory, gateways, root)
    return folder, wrap_for(section, content_cid(folder), folder)


def wrap_for(section: dict[str, Any], content: str, stage: Path) -> dict[str, Any]:
    """The `private` section with the data key wrapped for each gateway, bound to the content CID;
    the stage then keeps only that (the clear key is dropped)."""
    if "_key" not in section:
        return section
    key = bytes.fromhex(section.pop("_key"))
    pending = section.pop("pending")
    section["gateways"] = [{**g, "wrappedKey": wrap(key, g["publicKey"], content.encode())} for g in pending["gateways"]]
    (stage.parent / "staged.json").write_text(json.dumps(section, sort_keys=True))
    return section


def private_request(request: Any, gateways: list[str], root: Path | None = None) -> Any:
    """`request` (a PublishRequest for a folder of plaintext) made private: the folder it publishes
    is the staged ciphertext, its `private` section carries the public metadata and the data key
    wrapped for each gateway. The name defaults to the plaintext folder's."""
    import dataclasses

    folder, section = prepare(request.directory, gateways, root)
    return dataclasses.replace(request, directory=folder, private=section,
                               name=request.name or Path(request.directory).name)


def register_keys(gateways: list[str], dataset_id: int) -> list[str]:
    """Asks each gateway to keep the dataset's key; returns one line per gateway that could not
    (the dataset is published either way: its key can be registered later)."""
    problems = []
    for url in gateways:
        try:
            register_key(url, dataset_id)
        except OpenCommonsError as exc:
            problems.append(f"{exc}; once it is reachable run `commons gateway register {dataset_id} --gateway {url}`")
    return problems
