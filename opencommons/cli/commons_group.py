"""`commons commons`: launch a commons through the chain's CommonsFactory, list them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import AccountOpt, DeploymentsOpt, fail, JsonOpt, lazy, RpcOpt, say

if TYPE_CHECKING:
    from .. import connection
    from ..chain import commons_config
    from ..chain import factory as chain_factory
else:
    connection = lazy("opencommons.connection")
    commons_config = lazy("opencommons.chain.commons_config")
    chain_factory = lazy("opencommons.chain.factory")

app = typer.Typer(help="Launch a commons in one transaction through the CommonsFactory, list them.",
                  no_args_is_help=True)


@app.command("create")
def create(code: str = typer.Argument(..., help="Unique code, e.g. KE/education."),
           name: Optional[str] = typer.Option(None, "--name", help="The commons' name (its governor's)."),
           config: Optional[Path] = typer.Option(None, "--config", help="commons.toml: token, governance, "
                                                 "allocations, roles, vault (see the README)."),
           profile: Optional[str] = typer.Option(None, "--profile", help="dev or network, without --config."),
           confirmations: int = typer.Option(1, "--confirmations", min=1),
           rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
           deployments: Path = DeploymentsOpt) -> None:
    """Launch a commons: nine contracts, initialised and wired to its own timelock, in one transaction."""
    try:
        w3 = connection.connect(rpc)
        chain_factory.require_factory(w3, deployments)
        who = connection.sender(w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))
        if config is not None:
            spec = commons_config.load_spec(config, code, name, w3.eth.chain_id)
        else:
            spec = commons_config.default_spec(code, name, w3.eth.chain_id, who.address, profile)
        record = chain_factory.create_commons(w3, who, deployments, spec, confirmations,
                                              report=lambda step, what: say(f"{step}: {what}"))
        for contract_name, address in record["addresses"].items():
            say(f"{contract_name:22s} {address}")
        for label, value in spec.describe():
            say(f"{label:22s} {value}")
        say(f"wrote {deployments / f'{w3.eth.chain_id}.json'}; act on it with --commons {code}")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("list")
def list_(as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Every commons the chain's factory launched, from the factory's own directory."""
    import json

    try:
        w3 = connection.connect(rpc)
        rows = chain_factory.list_commons(w3, deployments)
        if as_json:
            say(json.dumps([{"code": c, "addresses": a, "recorded": r} for c, a, r in rows], indent=2))
            return
        if not rows:
            say("no commons launched yet: `commons commons create CODE`")
        for code, addresses, recorded in rows:
            note = "" if recorded else "  (not in the local deployments file)"
            say(f"{code:24s} governor {addresses['CommonsGovernor']}  datasets {addresses['DatasetNFT']}{note}")
    except OpenCommonsError as exc:
        fail(exc)
