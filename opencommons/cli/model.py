"""`commons model register`: a model published like a dataset whose parents are its training data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from ..ipfs.content import open_store
from .common import (AccountOpt, ApiOpt, _commons, DeploymentsOpt, ExplainOpt, fail, HomeOpt, JsonOpt, lazy, RpcOpt, say,
                     StoreOpt)
from .dataset import _publish, CroissantOpt

if TYPE_CHECKING:
    from .. import queries
    from ..ml import model_card
else:
    queries = lazy("opencommons.queries")
    model_card = lazy("opencommons.ml.model_card")

model_app = typer.Typer(help="Publish models that credit the datasets they were trained on.", no_args_is_help=True)


@model_app.command("register")
def model_register(directory: Path, trained_on: list[str] = typer.Option(..., "--trained-on",
                                                                         help="Dataset id or CID, repeatable."),
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
    """Publish DIRECTORY (weights, files) as a model whose parents are its --trained-on datasets, listed in its card."""
    try:
        ids = [queries.parse_dataset_id(d) for d in trained_on]
        if ancestor_bps <= 0:
            raise OpenCommonsError("--ancestor-bps must be above 0: it is what the training data's contributors earn")
        commons = _commons(rpc, deployments)
        datasets = model_card.trained_on(commons, open_store(store, home, api), ids)
        card = model_card.render(name or directory.name, description, license_id, datasets)
        _publish(directory, license_id, commons_code, contributor, [str(i) for i in ids], ancestor_bps, name,
                 description, model_card.SCHEMA, None, rpc, account, deployments, store, api, home, as_json, croissant,
                 (("modelCard", card),), explain=explain)
        if not as_json:
            say(f"trained on: {', '.join(d['id'] for d in datasets)} ({ancestor_bps / 100:g}% of every payment goes to them)")
    except OpenCommonsError as exc:
        fail(exc)
