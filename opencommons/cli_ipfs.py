"""`commons ipfs ...`: Kubo-identical CIDs, the embedded store or a Kubo-RPC node, CAR files."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from .cli_common import err, fail, say
from .errors import InputPathError, OpenCommonsError
from .ipfs.car import export_car, import_car
from .ipfs.cid import Cid
from .ipfs.content import ContentStore, open_store
from .ipfs.importer import compute_cid
from .ipfs.store import EmbeddedStore

app = typer.Typer(help="Content addressing: Kubo-identical CIDs, stores, verification, CAR files.",
                  no_args_is_help=True)
PROGRESS_MIN_BYTES = 16 * 1024 * 1024

StoreOpt = typer.Option("embedded", "--store", help="embedded (default, offline) or kubo.")
ApiOpt = typer.Option(None, "--api", help="Kubo RPC address: /ip4/HOST/tcp/PORT/http or http://HOST:PORT.")
HomeOpt = typer.Option(None, "--home", envvar="OPENCOMMONS_IPFS_HOME", help="Embedded store folder.")


def _store(store: str, home: Optional[Path], api: Optional[str]) -> ContentStore:
    return open_store(store, home, api)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    if total < PROGRESS_MIN_BYTES:
        yield None
        return
    with Progress("adding", BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("add", total=total)
        yield lambda n: bar.advance(task, n)


@app.command("add")
def add(path: Path, cid_version: int = typer.Option(0, "--cid-version", min=0, max=1),
        only_hash: bool = typer.Option(False, "--only-hash", help="Compute the CID, store nothing."),
        hidden: bool = typer.Option(False, "--hidden", help="Include names starting with a dot."),
        store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Add a file or directory as `ipfs add [-r]`; the root CID alone on the last line."""
    try:
        if not path.exists():
            raise InputPathError(f"no such file or directory: {path}")
        if only_hash:
            cid = compute_cid(path, cid_version, hidden)
        else:
            with _progress(_size(path)) as progress:
                cid = _store(store, home, api).add_path(path, cid_version, hidden, progress)
        say(str(cid))
    except OpenCommonsError as exc:
        fail(exc)


@app.command("cat")
def cat(cid: str, store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Write a file's bytes to stdout, every block verified."""
    try:
        for part in _store(store, home, api).cat(Cid.parse(cid)):
            sys.stdout.buffer.write(part)
    except OpenCommonsError as exc:
        fail(exc)


@app.command("get")
def get(cid: str, target: Path, store: str = StoreOpt, api: Optional[str] = ApiOpt,
        home: Optional[Path] = HomeOpt) -> None:
    """Write a file or directory to TARGET, every block verified."""
    try:
        if target.exists():
            raise InputPathError(f"target already exists: {target}")
        _store(store, home, api).get(Cid.parse(cid), target)
        say(str(target))
    except OpenCommonsError as exc:
        fail(exc)


@app.command("verify")
def verify(path: Path, cid: str, hidden: bool = typer.Option(False, "--hidden")) -> None:
    """Recompute PATH's CID and compare it with CID."""
    try:
        expected = Cid.parse(cid)
        actual = compute_cid(path, expected.version, hidden)
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


@car_app.command("export")
def car_export(cid: str, file: Path, home: Optional[Path] = HomeOpt) -> None:
    """Write the DAG under CID from the embedded store to FILE."""
    try:
        count = export_car(EmbeddedStore(home), Cid.parse(cid), file)
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
