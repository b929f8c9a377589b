"""`commons`: the command line. It parses, calls the library and prints; nothing else."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import OpenCommonsError
from .ipfs.cid import Cid
from .ipfs.importer import Importer, compute_cid
from .ipfs.store import EmbeddedStore, cat as store_cat

app = typer.Typer(help="OpenCommons: build a verifiable dataset together and own it together.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
ipfs_app = typer.Typer(help="Content addressing: Kubo-identical CIDs, the embedded store.", no_args_is_help=True)
app.add_typer(ipfs_app, name="ipfs")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state = {"debug": False}


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks.")) -> None:
    _state["debug"] = debug


def _fail(exc: Exception) -> None:
    if _state["debug"]:
        raise exc
    err.print(f"error: {exc}", markup=False, highlight=False)
    raise typer.Exit(1)


@app.command()
def demo(rpc: Optional[str] = typer.Option(None, help="Use this RPC URL instead of starting Ganache."),
         deployments: Path = typer.Option(Path("deployments"), help="Where to write <chainId>.json.")) -> None:
    """Run the whole mission story on a local Ganache: deploy, register, publish, license, pay, claim, vote."""
    from .demo import run_demo

    try:
        run_demo(lambda line: out.print(line, markup=False, highlight=False), rpc, deployments)
    except OpenCommonsError as exc:
        _fail(exc)


@ipfs_app.command("add")
def ipfs_add(path: Path, cid_version: int = typer.Option(0, "--cid-version", min=0, max=1),
             only_hash: bool = typer.Option(False, "--only-hash"),
             hidden: bool = typer.Option(False, "--hidden", help="Include files whose names start with a dot."),
             home: Optional[Path] = typer.Option(None, envvar="OPENCOMMONS_IPFS_HOME")) -> None:
    """Add a file or directory as `ipfs add [-r]` would; prints the root CID on the last line."""
    try:
        if only_hash:
            cid = compute_cid(path, cid_version, hidden)
        else:
            store = EmbeddedStore(home)
            cid = Importer(cid_version, sink=store).add_path(path, hidden).cid
            store.pin(cid)
        out.print(str(cid), markup=False, highlight=False)
    except OpenCommonsError as exc:
        _fail(exc)


@ipfs_app.command("cat")
def ipfs_cat(cid: str, home: Optional[Path] = typer.Option(None, envvar="OPENCOMMONS_IPFS_HOME")) -> None:
    """Write a file's bytes to stdout, verifying every block."""
    try:
        for part in store_cat(EmbeddedStore(home), Cid.parse(cid)):
            sys.stdout.buffer.write(part)
    except OpenCommonsError as exc:
        _fail(exc)


@ipfs_app.command("verify")
def ipfs_verify(path: Path, cid: str, hidden: bool = typer.Option(False, "--hidden")) -> None:
    """Recompute PATH's CID and compare it with CID."""
    try:
        expected = Cid.parse(cid)
        actual = compute_cid(path, expected.version, hidden)
        if not actual.same_content(expected):
            _fail(OpenCommonsError(f"{path} hashes to {actual}, not {expected}"))
        out.print(f"ok {actual}", markup=False, highlight=False)
    except OpenCommonsError as exc:
        _fail(exc)


if __name__ == "__main__":
    app()
