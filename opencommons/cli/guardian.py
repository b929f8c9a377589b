"""`commons safe create|show` and `commons gov guardian|cancel`: the commons' guardian (issue 37),
in practice a Safe whose owners sign off-chain."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..errors import OpenCommonsError
from .common import AccountOpt, _commons, DeploymentsOpt, fail, lazy, RpcOpt, _said, say, _sender
from .gov import gov_app

if TYPE_CHECKING:
    from .. import connection, guardian, safe
else:
    connection = lazy("opencommons.connection")
    guardian = lazy("opencommons.guardian")
    safe = lazy("opencommons.safe")

safe_app = typer.Typer(help="A Safe (multisig), such as the commons' guardian: create one, show its owners.",
                       no_args_is_help=True)


@safe_app.command("create")
def safe_create(owner: list[str] = typer.Option(..., "--owner", help="ADDRESS of an owner (repeat)."),
                threshold: int = typer.Option(..., "--threshold", help="N: how many owners sign each "
                                              "transaction, e.g. 2."),
                rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                deployments: Path = DeploymentsOpt) -> None:
    """Create a Safe 1.4.1 of OWNERs (deploying the Safe contracts on a chain that has none yet)."""
    try:
        commons = _commons(rpc, deployments)
        address = safe.create(commons.w3, _sender(commons, account), deployments, owner, threshold)
        say(f"safe {address}: {threshold} of {len(owner)} owners sign each transaction")
    except OpenCommonsError as exc:
        fail(exc)


@safe_app.command("show")
def safe_show(address: str, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """A Safe's owners and threshold."""
    try:
        commons = _commons(rpc, deployments)
        people, threshold = safe.owners(commons.w3, address)
        say(f"safe {address}: {threshold} of {len(people)} owners sign each transaction: {', '.join(people)}")
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("guardian")
def gov_guardian(rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Who may cancel a proposal (with a reason) during its vote or its timelock delay."""
    try:
        commons = _commons(rpc, deployments)
        who = guardian.guardian_of(commons)
        if who is None:
            say("no guardian: a proposer may cancel its own proposal before its vote, nobody after")
            return
        kind = "a Safe" if commons.w3.eth.get_code(commons.w3.to_checksum_address(who)) else "an account"
        say(f"guardian {who} ({kind}): it may cancel a proposal during its vote or its timelock delay, with a "
            "reason, and nothing else; governance replaces or removes it (`gov propose --guardian`)")
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("cancel")
def gov_cancel(proposal: int, reason: str = typer.Option(..., "--reason", help="TEXT: why (on the record)."),
               signer: list[str] = typer.Option([], "--signer", help="KEYSTORE of an owner of the guardian Safe "
                                                "(repeat, at least its threshold; password from "
                                                "OPENCOMMONS_KEYSTORE_PASSWORD)."),
               rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
               deployments: Path = DeploymentsOpt) -> None:
    """Cancel PROPOSAL as the guardian, with a reason: the guardian account itself (--account), or
    the guardian Safe's owners' keys (--signer ...), sent by --account."""
    try:
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        missing = [path for path in signer if not Path(path).is_file()]
        if missing:
            raise OpenCommonsError(f"--signer {missing[0]}: give an owner's keystore file (they sign off-chain)")
        signers = [getattr(connection.sender(commons.w3, path), "account") for path in signer]
        guardian.cancel(commons, who, proposal, reason, signers=signers, report=_said)
        say(f"proposal {proposal} cancelled by the guardian: {reason.strip()}")
    except OpenCommonsError as exc:
        fail(exc)
