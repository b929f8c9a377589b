"""`commons royalties pay|balance|claim|settle|pull-training|collect|sweep|forfeit`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import (_account_of, AccountOpt, ApiOpt, _checked_address, _commons, DbOpt, DeploymentsOpt, _emit,
                     fail, HomeOpt, JsonOpt, lazy, NoIndexOpt, OfOpt, _reader, RpcOpt, _said, say, _sender,
                     StoreOpt, _tx)

if TYPE_CHECKING:
    from .. import actions, queries
else:
    actions = lazy("opencommons.actions")
    queries = lazy("opencommons.queries")

royalties_app = typer.Typer(help="Pay, inspect, claim and settle royalties.", no_args_is_help=True)


@royalties_app.command("pay", context_settings={"ignore_unknown_options": True})  # a negative AMOUNT is read as one
def royalties_pay(dataset: str, amount: str, token: Optional[str] = typer.Option(None, "--token",
                                                                                 help="ADDRESS of the ERC-20 "
                                                                                      "(default: ETH)."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """Pay AMOUNT (ETH, or units of --token) to a dataset's contributors."""
    try:
        queries.check_amount_text(amount)  # bad input is refused before connecting
        commons = _commons(rpc, deployments)
        tok = queries.token_address(token)
        wei = queries.parse_amount(commons, amount, tok)
        actions.pay(commons, _sender(commons, account), queries.parse_dataset_id(dataset), wei, tok, report=_said)
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("balance")
def royalties_balance(dataset: list[str] = typer.Option(..., "--dataset", help="Dataset ID (repeat)."),
                      token: list[str] = typer.Option(["eth"], "--token", help="eth or an ERC-20's ADDRESS (repeat)."),
                      of: Optional[str] = OfOpt,
                      as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                      deployments: Path = DeploymentsOpt, db: Optional[str] = DbOpt,
                      no_index: bool = NoIndexOpt) -> None:
    """What an account can claim, per dataset and token."""
    try:
        commons = _commons(rpc, deployments)
        who = _account_of(commons, of, account)
        reader = _reader(commons, db, no_index)
        rows = []
        for d in map(queries.parse_dataset_id, dataset):
            for t in map(queries.token_address, token):
                claimable = reader.claimable(d, t, who)
                pending = reader.pending_for_parents(d, t)
                rows.append({"dataset": str(d), "token": t, "claimable": str(claimable),
                             "amount": queries.format_amount(commons, claimable, t),
                             "pendingForParents": queries.format_amount(commons, pending, t)})
        _emit(rows, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("claim")
def royalties_claim(dataset: list[str] = typer.Option(..., "--dataset", help="Dataset ID (repeat)."),
                    token: list[str] = typer.Option(["eth"], "--token", help="eth or an ERC-20's ADDRESS (repeat)."),
                    for_: Optional[str] = typer.Option(None, "--for", metavar="ADDR",
                                                       help="Claim for a (gasless) contributor: the money goes to "
                                                            "ADDR, --account pays the gas."),
                    rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                    deployments: Path = DeploymentsOpt) -> None:
    """Claim everything owed from these datasets in these tokens (one transfer per token)."""
    try:
        commons = _commons(rpc, deployments)
        ids, tokens = [queries.parse_dataset_id(d) for d in dataset], [queries.token_address(t) for t in token]
        claimed = actions.claim(commons, _sender(commons, account), ids, tokens,
                                None if for_ is None else _checked_address(for_), report=_said)
        for t, amount in claimed.amounts.items():
            say(f"claimed {queries.format_amount(commons, amount, t)} ({amount} units) for {claimed.owner}")
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("settle")
def royalties_settle(dataset: list[str], token: Optional[str] = typer.Option(None, "--token",
                                                                             help="ADDRESS of the ERC-20 (default: "
                                                                                  "ETH)."),
                     rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                     deployments: Path = DeploymentsOpt) -> None:
    """Pass the pending ancestor share of each DATASET (bottom-up) to its parents."""
    try:
        commons = _commons(rpc, deployments)
        ids, tok = [queries.parse_dataset_id(d) for d in dataset], queries.token_address(token)
        pending = {d: commons.vault.functions.pendingAncestorOf(d, tok).call() for d in ids}
        if not any(pending.values()):
            raise OpenCommonsError("nothing pending for the ancestors of these datasets in this token: nothing sent")
        _tx("settled", commons, _sender(commons, account), commons.vault.functions.settle(ids, tok))
        from ..ml.training import record_of

        for d, amount in pending.items():
            if amount:
                trained = record_of(commons, d)[2] != 0
                say(f"passed {queries.format_amount(commons, amount, tok)} from dataset {d} to "
                    + ("its training pool (each dataset it learned from pulls its share)" if trained
                       else "its parents"))
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("pull-training")
def royalties_pull_training(model: str, dataset: str = typer.Option(..., "--dataset",
                                                                    help="ID of a dataset the model learned from."),
                            token: list[str] = typer.Option(["eth"], "--token",
                                                            help="eth or an ERC-20's ADDRESS (repeat)."),
                            rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                            deployments: Path = DeploymentsOpt, store: str = StoreOpt, api: Optional[str] = ApiOpt,
                            home: Optional[Path] = HomeOpt,
                            gateway: Optional[str] = typer.Option(None, "--gateway", help="URL of an HTTP gateway to "
                                                                  "read the model's training log from.")) -> None:
    """Move a dataset's share of MODEL's training pool (its weight in the model's training log,
    proved against the root on-chain) into the dataset's own pool, where its contributors claim it."""
    try:
        from ..ml.training import log_of_model
        from ..references import content_source

        commons = _commons(rpc, deployments)
        model_id, dataset_id = queries.parse_dataset_id(model), queries.parse_dataset_id(dataset)
        tokens = [queries.token_address(t) for t in token]
        log = log_of_model(commons, content_source(commons, store, home, api, gateway), model_id)
        _, moved = actions.pull_training_share(commons, _sender(commons, account), model_id, dataset_id, log, tokens,
                                               report=_said)
        for tok, amount in moved.items():
            say(f"moved {queries.format_amount(commons, amount, tok)} from model {model_id}'s training pool to "
                f"dataset {dataset_id} (its contributors claim it: `commons royalties claim --dataset {dataset_id}`)")
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("collect")
def royalties_collect(dataset: str, token: list[str] = typer.Option(["eth"], "--token",
                                                                    help="eth or an ERC-20 address (repeat)."),
                      rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                      deployments: Path = DeploymentsOpt) -> None:
    """Bring what marketplaces sent to DATASET's ERC-2981 receiver into the vault, per token:
    allow-listed tokens are credited to its contributors, others held until governance allows them."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        who = _sender(commons, account)
        for tok in map(queries.token_address, token):
            _, collected, held = actions.collect(commons, who, dataset_id, tok, report=_said)
            amount = queries.format_amount(commons, collected, tok)
            if held:
                say(f"held {amount} for dataset {dataset_id}: the token is not allow-listed (a governance "
                    "proposal can allow it; collect again then)")
            elif collected:
                say(f"credited {amount} to the contributors of dataset {dataset_id}")
            else:
                say(f"nothing was waiting in {tok if tok != queries.NATIVE else 'ETH'} for dataset {dataset_id}")
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("sweep")
def royalties_sweep(token: str = typer.Option("eth", "--token", help="eth or an ERC-20's ADDRESS."),
                    rpc: Optional[str] = RpcOpt,
                    account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Send what the vault holds above everything it owes (sent by mistake) to the treasury."""
    try:
        commons = _commons(rpc, deployments)
        tok = queries.token_address(token)
        moved = actions.sweep(commons, _sender(commons, account), tok, report=_said)
        say(f"swept {queries.format_amount(commons, moved.amounts.get(tok, 0), tok)} to the treasury {moved.to}")
    except OpenCommonsError as exc:
        fail(exc)


@royalties_app.command("forfeit")
def royalties_forfeit(dataset: str, generation: int = typer.Option(..., "--generation",
                                                                   help="The burnt generation (0 for the first)."),
                      token: list[str] = typer.Option(["eth"], "--token", help="eth or an ERC-20's ADDRESS (repeat)."),
                      rpc: Optional[str] = RpcOpt,
                      account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Send a burnt generation's unclaimed royalties of DATASET to the treasury."""
    try:
        if not 0 <= generation < 2**16:
            raise OpenCommonsError(f"generation {generation} is out of range 0..65535")
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        moved = actions.forfeit(commons, _sender(commons, account), dataset_id, generation,
                                [queries.token_address(t) for t in token], report=_said)
        if not moved.amounts:
            say(f"nothing was left to forfeit of dataset {dataset_id}'s generation {generation}")
        for tok, amount in moved.amounts.items():
            say(f"forfeited {queries.format_amount(commons, amount, tok)} of dataset {dataset_id}'s generation "
                f"{generation} to the treasury {moved.to}")
    except OpenCommonsError as exc:
        fail(exc)
