"""`commons index sync|status`: the SQL index of a commons' events that read commands answer from."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import (ApiOpt, _commons, DbOpt, DeploymentsOpt, _emit, err, fail, HomeOpt, JsonOpt, lazy, RpcOpt, say,
                     StoreOpt)

if TYPE_CHECKING:
    from ..index import database, sync
else:
    database = lazy("opencommons.index.database")
    sync = lazy("opencommons.index.sync")

app = typer.Typer(help="Index the commons' events into SQL (SQLite or PostgreSQL) for fast reads.",
                  no_args_is_help=True)


@app.command("sync")
def index_sync(follow: bool = typer.Option(False, "--follow", help="Keep following new blocks (Ctrl-C stops)."),
               poll: float = typer.Option(1.0, "--poll", min=0.05, help="Seconds between polls with --follow."),
               window: int = typer.Option(2_000, "--window", min=1, help="BLOCKS per eth_getLogs at first (halved "
                                          "when the provider refuses a range)."),
               reorg_depth: int = typer.Option(64, "--reorg-depth", min=1, help="Recent blocks whose hashes are kept."),
               code: Optional[str] = typer.Option(None, "--code", help="The commons' code, e.g. KE/education."),
               quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
               db: Optional[str] = DbOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
               store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """Read every event of the deployment into the index, from where the last sync stopped (with the
    names and file lists of the manifests the IPFS store holds)."""
    from ..ipfs.content import open_store

    try:
        commons = _commons(rpc, deployments)
        url = database.resolve_url(db)
        engine = database.open_engine(url)

        def progress(p: "sync.SyncProgress") -> None:
            if p.rolled_back_to is not None:
                err.print(f"reorg: rolled back to block {p.rolled_back_to}", markup=False)
            elif not quiet:
                err.print(f"synced to block {p.block} of {p.head} (+{p.events} events, window {p.window})",
                          markup=False)

        indexer = sync.Indexer(engine, commons.w3, commons.deployment, code=code, window=window,
                               reorg_depth=reorg_depth, progress=progress, store=open_store(store, home, api))
        started = time.perf_counter()
        written = indexer.sync()
        say(f"indexed {written} events up to block {indexer.next_block() - 1} in "
            f"{time.perf_counter() - started:.1f} s ({database.safe_url(url)})")
        if follow:
            say("following new blocks (Ctrl-C stops)")
            indexer.follow(poll)
    except OpenCommonsError as exc:
        fail(exc)


@app.command("status")
def index_status(as_json: bool = JsonOpt, db: Optional[str] = DbOpt, rpc: Optional[str] = RpcOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """How far the index is, against the chain's head."""
    try:
        commons = _commons(rpc, deployments)
        url = database.resolve_url(db)
        if not database.exists(url):
            raise OpenCommonsError(f"no index at {database.safe_url(url)}: run `commons index sync`")
        from ..index.reads import IndexReader

        reader = IndexReader.find(database.open_engine(url, create=False), commons.deployment.chain_id,
                                  commons.deployment.addresses["DatasetNFT"])
        if reader is None:
            raise OpenCommonsError("the index does not cover this deployment: run `commons index sync`")
        head = commons.w3.eth.block_number
        synced = reader.next_block() - 1
        _emit({"database": database.safe_url(url), "syncedTo": synced, "head": head,
               "behind": max(0, head - synced)}, as_json)
    except OpenCommonsError as exc:
        fail(exc)
