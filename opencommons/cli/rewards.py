"""`commons rewards balance|claim`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import (_account_of, AccountOpt, _commons, DeploymentsOpt, _emit, fail, JsonOpt, lazy, OfOpt, RpcOpt,
                     _sender, _tx)

if TYPE_CHECKING:
    from .. import queries
    import web3
else:
    queries = lazy("opencommons.queries")
    web3 = lazy("web3")

rewards_app = typer.Typer(help="Claim the governance-token rewards of accepted datasets.", no_args_is_help=True)


@rewards_app.command("balance")
def rewards_balance(dataset: list[str] = typer.Option(..., "--dataset", help="Dataset ID (repeat)."),
                    of: Optional[str] = OfOpt,
                    as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt) -> None:
    """The reward an account can still claim, per dataset, in the governance token."""
    try:
        commons = _commons(rpc, deployments)
        who = _account_of(commons, of, account)
        rows = []
        for d in map(queries.parse_dataset_id, dataset):
            claimable = commons.rewards.functions.claimableOf(d, who).call()
            rows.append({"dataset": str(d), "claimable": str(claimable),
                         "amount": queries.format_amount(commons, claimable, commons.token.address)})
        _emit(rows, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@rewards_app.command("claim")
def rewards_claim(dataset: list[str] = typer.Option(..., "--dataset", help="Dataset ID (repeat)."),
                  for_: Optional[str] = typer.Option(None, "--for",
                                                     help="ADDRESS to claim for (it gets the tokens)."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """Mint your (or --for's) part of the rewards of these datasets."""
    try:
        if for_ is not None and not web3.Web3.is_address(for_):
            raise OpenCommonsError(f"malformed address {for_!r}")
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        beneficiary = web3.Web3.to_checksum_address(for_) if for_ else who.address
        _tx("reward claimed", commons, who, commons.rewards.functions.claimFor(
            beneficiary, [queries.parse_dataset_id(d) for d in dataset]))
    except OpenCommonsError as exc:
        fail(exc)
