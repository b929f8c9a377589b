"""`commons model register`: a model published like a dataset whose parents are its training data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from ..ipfs.content import open_store
from .common import (AccountOpt, ApiOpt, _commons, DeploymentsOpt, ExplainOpt, fail, HomeOpt, JsonOpt, lazy, RpcOpt,
                     say, _sender, StoreOpt)
from .dataset import _publish, CroissantOpt

if TYPE_CHECKING:
    from .. import queries
    from ..ml import model_card, training
else:
    queries = lazy("opencommons.queries")
    model_card = lazy("opencommons.ml.model_card")
    training = lazy("opencommons.ml.training")

model_app = typer.Typer(help="Publish models that credit the datasets they were trained on.", no_args_is_help=True)


@model_app.command("register")
def model_register(directory: Path, trained_on: list[str] = typer.Option([], "--trained-on",
                                                                         help="Dataset ID or CID, repeatable (or "
                                                                              "--run)."),
                   run_log: Optional[Path] = typer.Option(None, "--run", help="FILE: the training log "
                                                          "(`opencommons.training_run`) naming every dataset read."),
                   license_id: str = typer.Option(..., "--license",
                                                  help="SPDX licence expression of the model, e.g. Apache-2.0."),
                   commons_code: str = typer.Option(..., "--commons",
                                                    help="CODE of the community it belongs to, e.g. KE/education."),
                   contributor: list[str] = typer.Option(..., "--contributor", help="ADDRESS=BPS, repeatable."),
                   ancestor_bps: int = typer.Option(1000, "--ancestor-bps",
                                                    help="Share of every payment for the training datasets (bps)."),
                   name: Optional[str] = typer.Option(None, "--name",
                                                      help="NAME of the model (default: the folder's)."),
                   description: str = typer.Option("", "--description",
                                                   help="TEXT describing it (in its model card)."),
                   rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt,
                   store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt,
                   as_json: bool = JsonOpt, croissant: Optional[Path] = CroissantOpt,
                   explain: bool = ExplainOpt) -> None:
    """Publish DIRECTORY (weights, files) as a model credited to its training datasets: its parents (--trained-on,
    up to 8), or every dataset of a --run log by weight (the log is pinned beside it, listed whole in its card
    and recorded on-chain as one Merkle root)."""
    try:
        if bool(trained_on) == (run_log is not None):
            raise OpenCommonsError("name the training data with --trained-on ID (repeat) or --run LOG, one of them")
        if ancestor_bps <= 0:
            raise OpenCommonsError("--ancestor-bps must be above 0: it is what the training data's contributors earn")
        if run_log is None:
            ids = [queries.parse_dataset_id(d) for d in trained_on]
            commons = _commons(rpc, deployments)
            datasets = model_card.trained_on(commons, open_store(store, home, api), ids)
            card = model_card.render(name or directory.name, description, license_id, datasets)
            _publish(directory, license_id, commons_code, contributor, [str(i) for i in ids], ancestor_bps, name,
                     description, model_card.SCHEMA, None, rpc, account, deployments, store, api, home, as_json,
                     croissant, (("modelCard", card),), explain=explain)
            if not as_json:
                say(f"trained on: {', '.join(d['id'] for d in datasets)} ({ancestor_bps / 100:g}% of every payment "
                    "goes to them)")
            return
        if not run_log.is_file():
            raise OpenCommonsError(f"no such training log: {run_log}")
        log = training.load_log(run_log.read_bytes(), str(run_log))
        _register_run(directory, log, license_id, commons_code, contributor, ancestor_bps, name, description, rpc,
                      account, deployments, store, api, home, as_json, croissant, explain)
    except OpenCommonsError as exc:
        fail(exc)


def _register_run(directory: Path, log: dict[str, Any], license_id: str, commons_code: str, contributor: list[str],
                  ancestor_bps: int, name: Optional[str], description: str, rpc: Optional[str],
                  account: Optional[str], deployments: Path, store: str, api: Optional[str], home: Optional[Path],
                  as_json: bool, croissant: Optional[Path], explain: bool) -> None:
    """`model register --run`: the library's request (every check first), published as `dataset
    publish` does, then the training record bound."""
    from ..ml.croissant import load_file
    from ..references import content_source
    from .dataset import _contributors, _run_publish

    described = load_file(croissant) if croissant is not None else None
    commons = _commons(rpc, deployments)
    who = _sender(commons, account)
    content = open_store(store, home, api)
    request = training.model_request(commons, content_source(commons, store, home, api), content, directory, log,
                                     license=license_id, commons_code=commons_code,
                                     contributors=_contributors(contributor), registrant=who.address,
                                     ancestor_bps=ancestor_bps, name=name, description=description,
                                     croissant=described)
    _run_publish(commons, request, account, store, api, home, as_json, None, explain)
    if not as_json:
        say(f"training record: root {log['merkleRoot']} over {len(log['datasets'])} dataset(s), recorded "
            f"on-chain with the model; {ancestor_bps / 100:g}% of every payment goes to them by weight (each "
            "pulls its share: `commons royalties pull-training MODEL --dataset ID`)")


run_app = typer.Typer(help="Training-run logs: what a model learned from.", no_args_is_help=True)
model_app.add_typer(run_app, name="run")


@run_app.command("show")
def run_show(log_file: Path = typer.Argument(..., metavar="LOG"), as_json: bool = JsonOpt) -> None:
    """Check a training log (its weights against its Merkle root) and say what the run read."""
    try:
        if not log_file.is_file():
            raise OpenCommonsError(f"no such training log: {log_file}")
        log = training.load_log(log_file.read_bytes(), str(log_file))
        if as_json:
            say(json.dumps(log, indent=2, sort_keys=True))
            return
        from .. import present

        total = int(log["totalWeight"])
        say(f"training run {log['started']} to {log['finished']}" + (f" by {log['trainer']}" if log.get("trainer")
                                                                     else ""))
        say(f"{len(log['datasets'])} dataset(s), {total:,} bytes read; Merkle root {log['merkleRoot']} (checked)")
        for d in sorted(log["datasets"], key=lambda d: (-int(d["weight"]), int(d["id"]))):
            say(f"  {present.short_id(int(d['id']))}  {100 * int(d['weight']) / total:6.2f}%  "
                f"{int(d['rows']):,} rows  {int(d['bytes']):,} bytes  via {', '.join(d.get('via') or [])}")
    except OpenCommonsError as exc:
        fail(exc)


@model_app.command("list")
def model_list(as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """The models whose training data is recorded on-chain (`model register --run`)."""
    try:
        from .. import present

        commons = _commons(rpc, deployments)
        rows = training.models(commons)
        if as_json:
            say(json.dumps(rows, indent=2, sort_keys=True))
            return
        if not rows:
            say("no model has a training record yet: `commons model register DIR --run LOG ...` makes one")
            return
        for row in rows:
            say(f"  {present.short_id(int(row['model']))}  root {row['root'][:18]}...  total weight "
                f"{int(row['totalWeight']):,}  (block {row['block']})")
    except OpenCommonsError as exc:
        fail(exc)


@model_app.command("show")
def model_show(model: str, as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt,
               store: str = StoreOpt, api: Optional[str] = ApiOpt, home: Optional[Path] = HomeOpt) -> None:
    """A model's training record: the datasets it learned from with their shares, its training
    pool per token and what its datasets pulled from it."""
    try:
        from .. import present
        from ..references import content_source

        commons = _commons(rpc, deployments)
        model_id = queries.parse_dataset_id(model)
        log = training.log_of_model(commons, content_source(commons, store, home, api), model_id)
        generation, _, total = training.record_of(commons, model_id)
        tokens = queries.listed_tokens(commons)
        pools = {t: commons.vault.functions.trainingPoolOf(model_id, generation, t).call()[1] for t in tokens}
        taken = training.pulled(commons, model_id)
        if as_json:
            say(json.dumps({"model": str(model_id), "root": log["merkleRoot"], "totalWeight": str(total),
                            "datasets": log["datasets"], "pool": {t: str(v) for t, v in pools.items()},
                            "pulled": {t: str(v) for t, v in taken.items()}}, indent=2, sort_keys=True))
            return
        rows = [("model", f"{present.short_id(model_id)} ({model_id})"),
                ("record", f"root {log['merkleRoot']} over {len(log['datasets'])} dataset(s)"
                 + ("" if int(total) else " (no record on-chain)")),
                ("pool", ", ".join(queries.format_amount(commons, v, t) for t, v in pools.items())),
                ("pulled", ", ".join(queries.format_amount(commons, v, t) for t, v in taken.items()) or "nothing yet")]
        for line in present.fact_lines(rows):
            say(line)
        whole = int(log["totalWeight"])
        for d in sorted(log["datasets"], key=lambda d: (-int(d["weight"]), int(d["id"])))[:20]:
            say(f"  {present.short_id(int(d['id']))}  {100 * int(d['weight']) / whole:6.2f}%")
        if len(log["datasets"]) > 20:
            say(f"  ... and {len(log['datasets']) - 20} more (--json lists them all)")
    except OpenCommonsError as exc:
        fail(exc)
