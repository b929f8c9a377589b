"""`commons commons`: launch a commons through the chain's CommonsFactory; share a reference to
one and join one by its reference, from any folder; list them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from ..errors import OpenCommonsError
from .common import _commons, AccountOpt, DeploymentsOpt, err, fail, JsonOpt, lazy, RpcOpt, say

if TYPE_CHECKING:
    from .. import connection, references
    from ..chain import commons_config
    from ..chain import factory as chain_factory
else:
    connection = lazy("opencommons.connection")
    references = lazy("opencommons.references")
    commons_config = lazy("opencommons.chain.commons_config")
    chain_factory = lazy("opencommons.chain.factory")

app = typer.Typer(help="Launch a commons through the CommonsFactory; share one and join one by its reference; "
                       "list them.", no_args_is_help=True)


@app.command("create")
def create(code: str = typer.Argument(..., help="Unique code, e.g. KE/education."),
           name: Optional[str] = typer.Option(None, "--name", help="The commons' name (its governor's)."),
           config: Optional[Path] = typer.Option(None, "--config", help="commons.toml: token, governance, "
                                                 "allocations, roles, vault (see the README)."),
           profile: Optional[str] = typer.Option(None, "--profile", help="PROFILE: dev or network, without --config."),
           confirmations: int = typer.Option(1, "--confirmations", min=1,
                                             help="BLOCKS to wait on top of each deploy transaction."),
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


@app.command("share")
def share(gateway: list[str] = typer.Option([], "--gateway", help="URL of a trustless gateway serving the commons' "
                                            "content (`commons dapp` serves one at /ipfs/); repeatable."),
          kubo: list[str] = typer.Option([], "--kubo", help="A Kubo RPC node holding the content; repeatable."),
          rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Print a one-line reference to the commons this command acts on, for others to join."""
    try:
        commons = _commons(rpc, deployments)
        ref = references.reference_of(commons.deployment, gateway, kubo)
        joined = references.find(None) if not gateway and not kubo else None
        if joined is not None and joined.deployment.addresses == commons.deployment.addresses:
            ref = joined.reference  # a joiner passes on the content sources it joined with
        if not ref.gateways and not ref.kubo:
            err.print("note: the reference names no content source: joiners will fetch content only from their "
                      "own store (add --gateway URL)", markup=False)
        say(str(ref))
    except OpenCommonsError as exc:
        fail(exc)


@app.command("join")
def join(reference: str = typer.Argument(..., help="The reference a commons' operator shared."),
         rpc: Optional[str] = typer.Option(None, "--rpc", envvar="OPENCOMMONS_RPC",
                                           help="A JSON-RPC URL of the reference's chain."),
         name: Optional[str] = typer.Option(None, "--as", help="The name to know it by here (default: its code)."),
         as_json: bool = JsonOpt) -> None:
    """Join a commons by its reference: every address read and checked on-chain, then recorded
    under $OPENCOMMONS_HOME, so every command finds it from any folder."""
    try:
        ref = references.CommonsRef.parse(reference)
        w3 = connection.connect(rpc)
        record = references.join(w3, connection.resolve_rpc(rpc), ref, name)
        if as_json:
            say(json.dumps(references.describe(record), indent=2))
            return
        say(f"joined {record.name}: chain {ref.chain_id}, datasets {record.deployment.addresses['DatasetNFT']}"
            f"{', commons ' + ref.code if ref.code else ''}; every contract's code matches the build")
        if references.default_name() == record.name:
            say(f"{record.name} is the default commons here; pick another with --commons NAME")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("use")
def use(name: str = typer.Argument(..., help="A joined commons' name.")) -> None:
    """Make a joined commons the default one."""
    try:
        references.set_default(name)
        say(f"{name} is the default commons")
    except OpenCommonsError as exc:
        fail(exc)


@app.command("list")
def list_(as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """The commons joined on this machine, and every commons the chain's factory launched (when
    this folder records a factory)."""
    try:
        joined = references.joined()
        default = references.default_name()
        launched: list[Any] = []
        if deployments.is_dir() and any(deployments.glob("*.json")):
            w3 = connection.connect(rpc)
            record = chain_factory.read(deployments, w3.eth.chain_id)
            if record is not None and record.factory:
                launched = chain_factory.list_commons(w3, deployments)
        if as_json:
            say(json.dumps({"joined": [{**references.describe(j), "default": j.name == default} for j in joined],
                            "launched": [{"code": c, "addresses": a, "recorded": r} for c, a, r in launched]},
                           indent=2))
            return
        if not joined and not launched:
            say("no commons joined or launched: `commons commons join REFERENCE --rpc URL`")
        for j in joined:
            mark = "  (default)" if j.name == default else ""
            code = f"  commons {j.reference.code}" if j.reference.code else ""
            say(f"{j.name:24s} joined  chain {j.reference.chain_id}  datasets {j.deployment.addresses['DatasetNFT']}"
                f"{code}{mark}")
        for code, addresses, recorded in launched:
            note = "" if recorded else "  (not in the local deployments file)"
            say(f"{code:24s} launched  governor {addresses['CommonsGovernor']}  "
                f"datasets {addresses['DatasetNFT']}{note}")
    except OpenCommonsError as exc:
        fail(exc)
