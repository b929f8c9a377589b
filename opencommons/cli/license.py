"""`commons license offer|buy|show`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import AccountOpt, _commons, DeploymentsOpt, _emit, fail, JsonOpt, lazy, RpcOpt, _said, say, _sender

if TYPE_CHECKING:
    from .. import actions, queries
    from ..chain import revert_hints
    import web3
else:
    actions = lazy("opencommons.actions")
    queries = lazy("opencommons.queries")
    revert_hints = lazy("opencommons.chain.revert_hints")
    web3 = lazy("web3")

license_app = typer.Typer(help="Offer, buy and check licences.", no_args_is_help=True)


@license_app.command("offer")
def license_offer(dataset: str, price: str = typer.Option(..., "--price"), token: Optional[str] = typer.Option(None, "--token"),
                  days: int = typer.Option(0, "--days", min=0, help="0 for perpetual."),
                  rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                  deployments: Path = DeploymentsOpt) -> None:
    """Offer licences to a dataset you own."""
    try:
        commons = _commons(rpc, deployments)
        tok = queries.token_address(token)
        actions.offer_licence(commons, _sender(commons, account), queries.parse_dataset_id(dataset),
                              queries.parse_amount(commons, price, tok), days * 86400, tok, report=_said)
    except OpenCommonsError as exc:
        fail(exc)


@license_app.command("buy")
def license_buy(dataset: str, max_price: Optional[str] = typer.Option(None, "--max-price"),
                rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                deployments: Path = DeploymentsOpt) -> None:
    """Buy a licence at the current price (never above --max-price)."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        terms = actions.terms_of(commons, dataset_id)
        limit = queries.parse_amount(commons, max_price, terms.token) if max_price else None
        if terms.for_sale:  # the purchase is bound to exactly these terms: a change before it mines reverts
            say(f"terms: {terms.price} {'wei' if terms.token == queries.NATIVE else 'units of ' + terms.token}, "
                f"{revert_hints.format_duration(terms.duration_s)}, terms document 0x{terms.document.hex()}")
        actions.buy_licence(commons, _sender(commons, account), dataset_id, limit, report=_said)
    except OpenCommonsError as exc:
        fail(exc)


def _expiry(expires: int, valid: bool) -> str:
    from datetime import datetime, timezone

    if expires == (1 << 64) - 1:  # LicenseManager's perpetual marker
        return "never (perpetual)"
    if expires == 0:
        return "no licence held"
    when = datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{'valid until' if valid else 'expired'} {when}"


@license_app.command("show")
def license_show(dataset: str, licensee: Optional[str] = typer.Option(None, "--licensee"), as_json: bool = JsonOpt,
                 rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Show a dataset's terms and whether LICENSEE (default: the account) holds a valid licence."""
    try:
        commons = _commons(rpc, deployments)
        dataset_id = queries.parse_dataset_id(dataset)
        who = web3.Web3.to_checksum_address(licensee) if licensee else _sender(commons, account).address
        terms = commons.licenses.functions.termsOf(dataset_id).call()
        expires = commons.licenses.functions.licenseExpiry(who, dataset_id).call()
        valid = commons.licenses.functions.hasValidLicense(who, dataset_id).call()
        _emit({"dataset": str(dataset_id), "token": terms[0], "price": str(terms[3]), "durationS": terms[1],
               "forSale": terms[2], "licensee": who, "valid": valid, "expiresAt": expires,
               "priceText": queries.format_amount(commons, terms[3], terms[0]),
               "duration": revert_hints.format_duration(terms[1]),
               "expires": _expiry(expires, valid)}, as_json)
    except OpenCommonsError as exc:
        fail(exc)
