"""`commons dataset get|export`: what a dataset's consumers run (registered on the dataset group)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import OpenCommonsError
from .common import AccountOpt, ApiOpt, _commons, DeploymentsOpt, fail, HomeOpt, JsonOpt, lazy, RpcOpt, say, StoreOpt
from .dataset import dataset_app
from .ipfs import _progress

if TYPE_CHECKING:
    from ..ml import download as downloading
    from ..ml import tables
    import web3
else:
    downloading = lazy("opencommons.ml.download")
    tables = lazy("opencommons.ml.tables")
    web3 = lazy("web3")

GatewayOpt = typer.Option(None, "--gateway", help="Fetch from an HTTP gateway URL instead of the store "
                          "(every block re-hashed, as trustless gateways are used).")
NoChainOpt = typer.Option(False, "--no-chain", help="For a manifest CID: check against the manifest only, "
                          "without reading the chain.")


def source_for(store: str, home: Optional[Path], api: Optional[str], gateway: Optional[str],
               commons: Any = None, link: Any = None) -> Any:
    """Where blocks come from: a gateway when named, else the store, then what a joined commons
    (or a dataset link) names."""
    from ..references import content_source

    return content_source(commons, store, home, api, gateway, link)


def _target_and_commons(reference: str, no_chain: bool, rpc: Optional[str], deployments: Path) -> tuple[Any, Any, Any]:
    """(what to resolve, the commons, the dataset link if `reference` is one)."""
    from ..connection import commons_for_link
    from ..references import DatasetLink

    target = downloading.parse_reference(reference)  # bad input refused before connecting
    if isinstance(target, DatasetLink):
        return target.dataset_id, commons_for_link(target, rpc, deployments), target
    return target, None if no_chain else _commons(rpc, deployments), None


def _account(of: Optional[str], account: Optional[str], commons: Any) -> Optional[str]:
    from .common import _account_of

    if of is None and account is None:
        return None
    return _account_of(commons, of, account)


@dataset_app.command("get")
def dataset_get(reference: str = typer.Argument(..., metavar="ID_OR_CID"), directory: Path = typer.Argument(..., metavar="DIR"),
                gateway: Optional[str] = GatewayOpt, no_chain: bool = NoChainOpt,
                of: Optional[str] = typer.Option(None, "--of", help="ADDRESS whose licence to check (default: "
                                                 "--account)."),
                account: Optional[str] = AccountOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
                store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt,
                as_json: bool = JsonOpt,
                private_gateway: Optional[str] = typer.Option(None, "--private-gateway", help="URL: for a private "
                                                              "dataset, this gateway instead of the one its manifest "
                                                              "names."),
                run_log: Optional[Path] = typer.Option(None, "--run", help="FILE: a training log to add the dataset "
                                                       "to (made if missing), for `model register --run`.")
                ) -> None:
    """Download a dataset into DIR, every block and file verified (run again to resume); says which licence applies."""
    import json

    try:
        if run_log is not None and no_chain:
            raise OpenCommonsError("--run credits datasets by their id on-chain: drop --no-chain")
        if run_log is not None and run_log.exists():
            from ..ml.training import load_log

            load_log(run_log.read_bytes(), str(run_log))  # refused before anything is fetched
        target, commons, link = _target_and_commons(reference, no_chain, rpc, deployments)
        source = source_for(store, home, api, gateway, commons, link)
        resolved = downloading.resolve_reference(target, commons, source)
        if run_log is not None and resolved.dataset_id is None:
            raise OpenCommonsError(f"--run credits datasets by their id: {reference} names none on this chain")
        manifest = downloading.read_manifest(source, resolved.manifest)
        if isinstance(manifest.get("private"), dict):
            if of is not None and (account is None or _account(of, None, commons) != _account(None, account, commons)):
                raise OpenCommonsError("--of names whose licence to check; a private dataset is decrypted for the "
                                       "licensee who signs in: pass that account as --account instead")
            _get_private(commons, resolved, manifest, directory, private_gateway, account, as_json)
            if run_log is not None:
                said = _record_run(run_log, commons, resolved, manifest["private"].get("files", []))
                if not as_json:
                    say(said)
            return
        work = downloading.plan(source, resolved, directory)
        with _progress(work.bytes_to_fetch, "getting") as progress:
            result = downloading.fetch(work, progress)
        notes = downloading.licence_note(commons, resolved, result.manifest, _account(of, account, commons)
                                         if commons is not None else None, source)
        if run_log is not None:
            notes.append(_record_run(run_log, commons, resolved, result.manifest.get("files", [])))
        from ..references import link_of

        summary = {"dataset": str(resolved.dataset_id) if resolved.dataset_id is not None else None,
                   "link": str(link_of(commons, resolved.dataset_id)) if commons is not None
                   and resolved.dataset_id is not None else None,
                   "content": str(resolved.content), "manifest": str(resolved.manifest), "directory": str(directory),
                   "fetched": len(result.fetched), "kept": len(result.kept), "bytes": result.bytes_fetched,
                   "links": result.links, "licence": notes}
        if as_json:
            say(json.dumps(summary, indent=2, sort_keys=True))
            return
        said = f"dataset {resolved.dataset_id}" if resolved.dataset_id is not None else f"manifest {resolved.manifest}"
        say(f"ok: {said} in {directory}: {len(result.fetched)} files fetched ({result.bytes_fetched} bytes), "
            f"{len(result.kept)} already there; every file matches the manifest and the content "
            + ("recorded on-chain" if commons is not None else "it names (chain not read)")
            + (f"; {len(result.links)} symbolic link(s) restored as the content holds them" if result.links else ""))
        for line in notes:
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


def _record_run(run_log: Path, commons: Any, resolved: Any, files: list[dict[str, Any]]) -> str:
    """Adds the dataset just fetched to the training log `run_log` (its bytes: every file's size)."""
    from ..ml.training import record_into

    if resolved.dataset_id is None:
        raise OpenCommonsError(f"--run credits datasets by their id: {resolved.manifest} names none on this chain")
    record_into(run_log, resolved.dataset_id, str(resolved.content), manifest=str(resolved.manifest),
                generation=int(commons.nft.functions.generationOf(resolved.dataset_id).call()),
                read=sum(int(f.get("size") or 0) for f in files if isinstance(f, dict)), via="dataset get")
    return f"added to the training log {run_log} (then: `commons model register DIR --run {run_log} ...`)"


def _get_private(commons: Any, resolved: Any, manifest: dict[str, Any], directory: Path,
                 private_gateway: Optional[str], account: Optional[str], as_json: bool) -> None:
    """A private dataset: signed in to its gateway as --account, every file decrypted there (after
    the gateway checked the licence on-chain) and checked here against its plaintext sha256."""
    import json

    from ..private.client import download_private, login
    from .common import _sender

    if commons is None or resolved.dataset_id is None:
        raise OpenCommonsError("a private dataset is served to licensees only: drop --no-chain")
    gateways = [g.get("url") for g in manifest["private"].get("gateways", []) if isinstance(g, dict)]
    url = private_gateway or (gateways[0] if gateways else None)
    if not url:
        raise OpenCommonsError(f"dataset {resolved.dataset_id} names no gateway: pass --private-gateway URL")
    signer = _sender(commons, account)
    token = login(url, commons.w3, signer)
    total = sum(int(f.get("size") or 0) for f in manifest["private"].get("files", []))
    with _progress(total, "getting") as progress:
        fetched, kept = download_private(url, token, resolved.dataset_id, manifest, directory, progress)
    from ..references import content_source

    notes = downloading.licence_note(commons, resolved, manifest, signer.address, content_source(commons))
    if as_json:
        say(json.dumps({"dataset": str(resolved.dataset_id), "directory": str(directory), "gateway": url,
                        "fetched": len(fetched), "kept": len(kept), "licence": notes}, indent=2, sort_keys=True))
        return
    say(f"ok: private dataset {resolved.dataset_id} in {directory}: {len(fetched)} files decrypted by {url}, "
        f"{len(kept)} already there; every file matches the plaintext sha256 in its manifest")
    for line in notes:
        say(line)


@dataset_app.command("export")
def dataset_export(reference: str = typer.Argument(..., metavar="ID_OR_CID"),
                   out: Path = typer.Option(..., "--out", help="DIR for the converted files."),
                   fmt: str = typer.Option("parquet", "--format", help="FORMAT: parquet (the only one so far)."),
                   gateway: Optional[str] = GatewayOpt, no_chain: bool = NoChainOpt, rpc: Optional[str] = RpcOpt,
                   deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                   home: Optional[Path] = HomeOpt) -> None:
    """Convert each record set (CSV, JSON Lines, Parquet) of a dataset to Parquet, from a verified local copy."""
    try:
        if fmt != "parquet":
            raise OpenCommonsError(f"unknown export format {fmt!r}: use parquet")
        target, commons, link = _target_and_commons(reference, no_chain, rpc, deployments)
        source = source_for(store, home, api, gateway, commons, link)
        local = tables.verified_copy(source, downloading.resolve_reference(target, commons, source))
        for record_set, written, rows in tables.export_parquet(local, out):
            say(f"{record_set}: {rows} rows -> {written}")
    except OpenCommonsError as exc:
        fail(exc)
