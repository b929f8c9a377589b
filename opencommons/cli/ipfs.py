"""`commons ipfs ...`: Kubo-identical CIDs, the embedded store or a Kubo-RPC node, CAR files."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from .common import err, fail, say
from ..errors import InputPathError, OpenCommonsError
from ..ipfs.car import export_car, import_car
from ..ipfs.cid import Cid
from ..ipfs.content import ContentStore, open_store
from ..ipfs.directory import resolve
from ..ipfs.importer import compute_cid
from ..ipfs.store import EmbeddedStore, content_size

app = typer.Typer(help="Content addressing: Kubo-identical CIDs, stores, verification, CAR files.",
                  no_args_is_help=True)
PROGRESS_MIN_BYTES = 16 * 1024 * 1024

StoreOpt = typer.Option("embedded", "--store", help="embedded (default, offline) or kubo.")
ApiOpt = typer.Option(None, "--api", help="Kubo RPC address: /ip4/HOST/tcp/PORT/http or http://HOST:PORT.")
HomeOpt = typer.Option(None, "--home", envvar="OPENCOMMONS_IPFS_HOME", help="Embedded store folder.")
DereferenceOpt = typer.Option(False, "--dereference", help="Follow symbolic links and add what they point to "
                              "(Kubo's --dereference-symlinks); by default they are stored as links.")


def _store(store: str, home: Optional[Path], api: Optional[str]) -> ContentStore:
    return open_store(store, home, api)


def _size(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


@contextmanager
def _progress(total: int, label: str = "adding") -> Iterator[Callable[[int], None] | None]:
    if total < PROGRESS_MIN_BYTES:
        yield None
        return
    # refreshed from the callback, not by rich's own thread: importing in worker processes
    # forks, which is only safe from a single-threaded process (see ipfs/parallel.py)
    with Progress(label, BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=err,
                  transient=True, auto_refresh=False) as bar:
        task = bar.add_task("add", total=total)
        last = [0.0]

        def advance(n: int) -> None:
            bar.advance(task, n)
            now = time.monotonic()
            if now - last[0] > 0.1:
                last[0] = now
                bar.refresh()

        yield advance


@app.command("add")
def add(path: Path, cid_version: int = typer.Option(0, "--cid-version", min=0, max=1, help="0 (Kubo's default) or 1."),
        only_hash: bool = typer.Option(False, "--only-hash", help="Compute the CID, store nothing."),
        hidden: bool = typer.Option(False, "--hidden", help="Include names starting with a dot."),
        dereference: bool = DereferenceOpt,
        store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Add a file or directory as `ipfs add [-r]`; the root CID alone on the last line."""
    try:
        if not os.path.lexists(path):
            raise InputPathError(f"no such file or directory: {path}")
        if only_hash:
            cid = compute_cid(path, cid_version, hidden, dereference)
        else:
            with _progress(_size(path)) as progress:
                cid = _store(store, home, api).add_path(path, cid_version, hidden, progress, dereference)
        say(str(cid))
    except OpenCommonsError as exc:
        fail(exc)


@app.command("cat")
def cat(cid: str = typer.Argument(..., metavar="CID[/PATH]"), store: str = StoreOpt, api: Optional[str] = ApiOpt,
        home: Optional[Path] = HomeOpt) -> None:
    """Write a file's bytes to stdout, every block verified (a path inside a directory may follow the CID)."""
    try:
        content = _store(store, home, api)
        for part in content.cat(resolve(content, cid)):
            sys.stdout.buffer.write(part)
    except OpenCommonsError as exc:
        fail(exc)


@app.command("get")
def get(cid: str = typer.Argument(..., metavar="CID[/PATH]"), target: Path = typer.Argument(...),
        store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Write a file, directory or symbolic link to TARGET, every block verified."""
    try:
        if os.path.lexists(target):
            raise InputPathError(f"target already exists: {target}")
        content = _store(store, home, api)
        root = resolve(content, cid)
        with _progress(content_size(content, root), "getting") as progress:
            content.get(root, target, progress)
        say(str(target))
    except OpenCommonsError as exc:
        fail(exc)


@app.command("verify")
def verify(path: Path, cid: str, hidden: bool = typer.Option(False, "--hidden",
                                                             help="Include hidden files, as `ipfs add --hidden`."),
           dereference: bool = DereferenceOpt) -> None:
    """Recompute PATH's CID and compare it with CID."""
    try:
        expected = Cid.parse(cid)
        actual = compute_cid(path, expected.version, hidden, dereference)
        if not actual.same_content(expected):
            raise OpenCommonsError(f"{path} hashes to {actual}, not {expected}")
        say(f"ok {actual}")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("check")
def check(cid: str, store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Fetch CID from the store and re-hash every block."""
    try:
        blocks = _store(store, home, api).verify(Cid.parse(cid))
        say(f"ok {cid} ({blocks} blocks verified)")
    except OpenCommonsError as exc:
        fail(exc)


pin_app = typer.Typer(help="The pin set.", no_args_is_help=True)
app.add_typer(pin_app, name="pin")


@pin_app.command("ls")
def pin_ls(store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """List pinned roots."""
    try:
        for cid in _store(store, home, api).pins():
            say(str(cid))
    except OpenCommonsError as exc:
        fail(exc)


@pin_app.command("rm")
def pin_rm(cid: str, store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Unpin CID (its blocks go at the next gc)."""
    try:
        _store(store, home, api).unpin(Cid.parse(cid))
        say(f"unpinned {cid}")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("gc")
def gc(home: Optional[Path] = HomeOpt) -> None:
    """Remove every block of the embedded store that no pin reaches."""
    try:
        say(f"removed {EmbeddedStore(home).gc()} blocks")
    except OpenCommonsError as exc:
        fail(exc)


car_app = typer.Typer(help="CAR v1 files, to move content to any IPFS node or pinning service.",
                      no_args_is_help=True)
app.add_typer(car_app, name="car")


ForceOpt = typer.Option(False, "--force", help="Overwrite FILE if it exists.")


@car_app.command("export")
def car_export(cid: str, file: Path, also: list[str] = typer.Option([], "--with",
                                                                  help="CID of another root to include (repeat)."),
               force: bool = ForceOpt, home: Optional[Path] = HomeOpt) -> None:
    """Write the DAG under CID (and each --with root) from the embedded store to FILE."""
    try:
        roots = [Cid.parse(cid)] + [Cid.parse(c) for c in also]
        count = export_car(EmbeddedStore(home), roots, file, overwrite=force)
        say(f"{count} blocks written to {file}")
    except OpenCommonsError as exc:
        fail(exc)


@car_app.command("import")
def car_import(file: Path, home: Optional[Path] = HomeOpt) -> None:
    """Store and pin the content of a CAR file (every block verified); prints the roots."""
    try:
        if not file.is_file():
            raise InputPathError(f"no such file: {file}")
        for root in import_car(EmbeddedStore(home), file):
            say(str(root))
    except OpenCommonsError as exc:
        fail(exc)
