"""`commons deploy`: the whole suite on a chain, every role handed to the timelock."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import AccountOpt, DeploymentsOpt, fail, lazy, RpcOpt, say, YesOpt

if TYPE_CHECKING:
    from .. import connection
    from ..chain import deploy as chain_deploy
    from ..chain import profiles
    import web3
else:
    connection = lazy("opencommons.connection")
    chain_deploy = lazy("opencommons.chain.deploy")
    profiles = lazy("opencommons.chain.profiles")
    web3 = lazy("web3")

def deploy(rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt,
           fresh: bool = typer.Option(False, "--fresh", help="Deploy again even if a deployment exists."),
           yes: bool = YesOpt,
           curator: list[str] = typer.Option([], "--curator", help="Bootstrap curator (governance can revoke)."),
           verifier: list[str] = typer.Option([], "--verifier", help="Bootstrap verifier of contributor claims."),
           validator: list[str] = typer.Option([], "--validator", help="Bootstrap validator (dataset attestations)."),
           allow_token: list[str] = typer.Option([], "--allow-token", help="ERC-20 allow-listed at bootstrap."),
           profile: Optional[str] = typer.Option(
               None, "--profile", help="Governance profile: dev (fast, local chains; the default there) or network "
                                       "(days-long delays, supply in the treasury)."),
           config: Optional[Path] = typer.Option(
               None, "--config", help="TOML file with [governance] overrides and [allocations] (address = OCT).")) -> None:
    """Deploy the whole suite, wire every role to the timelock, write deployments/<chainId>.json."""
    try:
        w3 = connection.connect(rpc)
        settings = profiles.choose_profile(w3.eth.chain_id, profile)
        if config is not None:
            settings = profiles.load_config(config, settings)
        profiles.validate(settings)
        existing = chain_deploy.find_existing(w3, deployments)
        if existing and not fresh:
            say(f"already deployed on chain {existing.chain_id} at block {existing.block}: nothing changed "
                f"(--fresh deploys again)")
            return
        if existing and fresh and not yes and not typer.confirm(
                f"Deploy a new suite on chain {existing.chain_id}, replacing {deployments}/{existing.chain_id}.json?"):
            raise OpenCommonsError("deployment cancelled")
        for address in curator + verifier + validator + allow_token:
            if not web3.Web3.is_address(address):
                raise OpenCommonsError(f"malformed address {address!r}")
        who = connection.sender(w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))
        bootstrap = chain_deploy.Bootstrap(curators=curator, verifiers=verifier, validators=validator,
                                           allowed_tokens=allow_token)
        deployment = chain_deploy.deploy_suite(w3, who, deployments, settings=settings, bootstrap=bootstrap)
        for name, address in deployment.addresses.items():
            say(f"{name:22s} {address}")
        for label, value in settings.describe():
            say(f"{label:22s} {value}")
        say(f"wrote {deployments / f'{deployment.chain_id}.json'}")
    except OpenCommonsError as exc:
        fail(exc)
