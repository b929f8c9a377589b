"""`commons deploy`: the whole suite (or the CommonsFactory) on a chain, every role handed to the
timelock; `commons deploy verify` checks what is recorded against the chain."""

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
    from ..chain import factory as chain_factory
    from ..chain import verify as chain_verify
    from ..chain import localnode
    import web3
else:
    chain_factory = lazy("opencommons.chain.factory")
    chain_verify = lazy("opencommons.chain.verify")
    localnode = lazy("opencommons.chain.localnode")
    connection = lazy("opencommons.connection")
    chain_deploy = lazy("opencommons.chain.deploy")
    profiles = lazy("opencommons.chain.profiles")
    web3 = lazy("web3")

deploy_app = typer.Typer(help="Deploy the suite or the CommonsFactory; `verify` checks a deployment.",
                         invoke_without_command=True, no_args_is_help=False)


@deploy_app.callback(invoke_without_command=True)
def deploy(ctx: typer.Context, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt,
           fresh: bool = typer.Option(False, "--fresh", help="Deploy again even if a deployment exists."),
           yes: bool = YesOpt,
           curator: list[str] = typer.Option([], "--curator",
                                             help="ADDRESS of a bootstrap curator (governance can revoke)."),
           verifier: list[str] = typer.Option([], "--verifier",
                                              help="ADDRESS of a bootstrap verifier of contributor claims."),
           validator: list[str] = typer.Option([], "--validator",
                                               help="ADDRESS of a bootstrap validator (dataset attestations)."),
           require_consent: bool = typer.Option(False, "--require-consent", help="Contributors claim royalties "
                                                "and rewards only once they consented to the dataset."),
           arbiter: list[str] = typer.Option([], "--arbiter",
                                             help="ADDRESS of an arbiter of disputes beside governance (a council)."),
           allow_token: list[str] = typer.Option([], "--allow-token", help="ERC-20 allow-listed at bootstrap."),
           guardian: Optional[str] = typer.Option(None, "--guardian", help="ADDRESS (a Safe) that may cancel a "
                                                  "proposal, with a reason, and nothing else; governance replaces "
                                                  "or removes it."),
           profile: Optional[str] = typer.Option(
               None, "--profile", help="Governance profile: dev (fast, local chains; the default there) or network "
                                       "(days-long delays, supply in the treasury)."),
           config: Optional[Path] = typer.Option(
               None, "--config", help="TOML FILE with \\[governance] overrides and \\[allocations] (address = tokens)."),
           factory: bool = typer.Option(False, "--factory", help="Deploy the CommonsFactory (templates, NFT deployer, "
                                                                 "factory) instead of one suite."),
           dry_run: bool = typer.Option(False, "--dry-run", help="With --factory: run the whole deploy on a local "
                                        "fork of the chain first and print every transaction, its gas and cost; "
                                        "nothing is sent."),
           confirmations: int = typer.Option(1, "--confirmations", min=1, help="With --factory: blocks each "
                                             "creation must be buried under before the next.")) -> None:
    """Deploy the whole suite, wire every role to the timelock, write deployments/<chainId>.json."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        if factory:
            _deploy_factory(rpc, account, deployments, dry_run, confirmations)
            return
        w3 = connection.connect(rpc)
        settings = profiles.choose_profile(w3.eth.chain_id, profile)
        if config is not None:
            settings = profiles.load_config(config, settings)
        if require_consent:
            from dataclasses import replace

            settings = replace(settings, require_consent=1)
        profiles.validate(settings)
        existing = chain_deploy.find_existing(w3, deployments)
        recorded = chain_deploy.deployment_path(deployments, w3.eth.chain_id)
        stale = None
        if existing is None and recorded.is_file():  # a file whose contracts are gone (a restarted chain)
            try:
                stale = chain_deploy.stale_reason(w3, chain_deploy.Deployment.from_file(recorded))
            except OpenCommonsError as exc:
                stale = str(exc)
        if existing and not fresh:
            say(f"already deployed on chain {existing.chain_id} at block {existing.block}: nothing changed "
                f"(--fresh deploys again)")
            return
        if existing and fresh and not yes and not typer.confirm(
                f"Deploy a new suite on chain {existing.chain_id}, replacing {deployments}/{existing.chain_id}.json?"):
            raise OpenCommonsError("deployment cancelled")
        for address in curator + verifier + validator + arbiter + allow_token + ([guardian] if guardian else []):
            if not web3.Web3.is_address(address):
                raise OpenCommonsError(f"malformed address {address!r}")
        who = connection.sender(w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))
        bootstrap = chain_deploy.Bootstrap(curators=curator, verifiers=verifier, validators=validator,
                                           arbiters=arbiter, allowed_tokens=allow_token, guardian=guardian)
        deployment = chain_deploy.deploy_suite(w3, who, deployments, settings=settings, bootstrap=bootstrap)
        for name, address in deployment.addresses.items():
            say(f"{name:22s} {address}")
        for label, value in settings.describe():
            say(f"{label:22s} {value}")
        say(f"wrote {deployments / f'{deployment.chain_id}.json'}"
            + (f", replacing the stale one ({stale}: a restarted chain?)" if stale else ""))
    except OpenCommonsError as exc:
        fail(exc)


def _deploy_factory(rpc: Optional[str], account: Optional[str], deployments: Path, dry_run: bool,
                    confirmations: int) -> None:
    """The factory, exactly once per creation (a journal beside the deployments file)."""
    w3 = connection.connect(rpc)
    if dry_run:
        _dry_run(w3, account)
        return
    who = connection.sender(w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))
    record = chain_factory.deploy_factory(w3, who, deployments, confirmations,
                                          report=lambda step, what: say(f"{step:32s} {what}"))
    say(f"{'CommonsFactory':32s} {record['address']}")
    say(f"wrote {deployments / f'{w3.eth.chain_id}.json'}")


def _dry_run(w3: "web3.Web3", account: Optional[str]) -> None:
    """Every creation on an Anvil fork of the chain, sent as the deploying account (impersonated,
    so no key is needed); gas and cost at the chain's current fees."""
    import tempfile

    from ..chain.deploy_run import fees
    from ..chain.provider import web3_for
    from ..chain.transactions import NodeAccount

    real = connection.sender(w3, account, prompt=lambda text: typer.prompt(text, hide_input=True))
    price = fees(w3)
    per_gas = price.get("maxFeePerGas", price.get("gasPrice", 0))
    url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    total_gas = 0
    with localnode.LocalChain("anvil", fork_url=url) as fork, tempfile.TemporaryDirectory() as tmp:
        f = web3_for(fork.url)
        f.provider.make_request("anvil_impersonateAccount", [real.address])  # type: ignore[arg-type]
        f.provider.make_request("anvil_setBalance", [real.address, hex(10**24)])  # type: ignore[arg-type]

        def line(step: str, what: str) -> None:
            say(f"{step:32s} {what}")

        run_gas = chain_factory.deploy_factory(f, NodeAccount(real.address), Path(tmp), 1, line)["gas"]
        total_gas += run_gas
    say(f"{'total':32s} {total_gas:,} gas, at most {total_gas * per_gas / 1e18:.6f} ETH at "
        f"{per_gas / 1e9:.2f} gwei per gas (dry run: nothing was sent to chain {w3.eth.chain_id})")


@deploy_app.command("verify")
def verify(rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Check the code at every recorded address against the build artifacts, and each commons'
    role wiring and governance parameters against what was recorded. Exit 1 on any failure."""
    try:
        w3 = connection.connect(rpc)
        deployment = chain_factory.read(deployments, w3.eth.chain_id)
        if deployment is None:
            raise OpenCommonsError(f"no deployment recorded for chain {w3.eth.chain_id} in {deployments}")
        failed = 0
        for what, ok, detail in chain_verify.verify(w3, deployment):
            failed += not ok
            say(f"{'ok  ' if ok else 'FAIL'} {what}: {detail}")
        if failed:
            raise OpenCommonsError(f"{failed} check(s) failed on chain {w3.eth.chain_id}")
        say(f"every check passed on chain {w3.eth.chain_id}")
    except OpenCommonsError as exc:
        fail(exc)
