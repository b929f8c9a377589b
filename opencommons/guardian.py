"""The commons' proposal guardian (issue 37): the account, in practice a Safe, that may cancel a
proposal during its vote or its timelock delay, always with a reason on the record, and nothing
else. Governance names, replaces or removes it by proposal (:func:`guardian_action`); a launch may
name it (`commons deploy --guardian`, a commons.toml's `roles.guardian`).

Every function refuses in one line before sending anything that would revert."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from .actions import Report, send
from .chain.transactions import Sender
from .errors import OpenCommonsError
from .proposals import Action
from .queries import PROPOSAL_STATE, find_proposal
from .suite import Commons

__all__ = ["CANCELLABLE", "cancel", "cancellation", "guardian_action", "guardian_of"]

ZERO = "0x0000000000000000000000000000000000000000"
#: the states a proposal can be cancelled in: before or during its vote, passed, or in the timelock
CANCELLABLE = ("Pending", "Active", "Succeeded", "Queued")


def guardian_of(commons: Commons) -> str | None:
    """The guardian's address, or None when the commons has none."""
    found = str(commons.governor.functions.proposalGuardian().call())
    return None if int(found, 16) == 0 else Web3.to_checksum_address(found)


def guardian_action(commons: Commons, address: str | None) -> Action:
    """The proposal action that names `address` the guardian (None: removes the guardian)."""
    new = ZERO if address is None else address
    if address is not None and not Web3.is_address(address):
        raise OpenCommonsError(f"--guardian {address!r} is not an address (give `none` to remove the guardian)")
    new = Web3.to_checksum_address(new)
    current = guardian_of(commons)
    if (current or ZERO) == new:
        raise OpenCommonsError("the guardian is already " + (new if address else "unset") + ": nothing to propose")
    data = bytes.fromhex(commons.governor.encode_abi("setProposalGuardian", [new])[2:])
    summary = f"make {new} the guardian (it may cancel proposals, with a reason)" if address else \
        "remove the guardian (nobody may cancel a proposal once its vote opened)"
    return Action(commons.governor.address, data, summary)


def cancellation(commons: Commons, proposal_id: int) -> tuple[str, str] | None:
    """(who, why) when the guardian cancelled `proposal_id`, from the governor's event; else None."""
    logs = commons.governor.events.ProposalCancelledWithReason().get_logs(
        from_block=commons.deployment.block, argument_filters={"proposalId": proposal_id})
    return (str(logs[-1]["args"]["by"]), str(logs[-1]["args"]["reason"])) if logs else None


def cancel(commons: Commons, who: Sender, proposal_id: int, reason: str, *, signers: list[LocalAccount] | None = None,
           rpc: str | None = None, report: Report | None = None) -> Any:
    """Cancels `proposal_id` as the guardian, with `reason`. A guardian that is an account sends it
    itself (`who`); a guardian Safe needs its owners' keys (`signers`, at least its threshold): they
    sign the Safe transaction off-chain and `who` (anyone) executes it (safe-eth-py reads the Safe
    at `rpc`, by default the commons' own node). The receipt."""
    from . import safe as safes

    if not reason.strip():
        raise OpenCommonsError("give --reason: a guardian's cancellation is on the record with why")
    guardian = guardian_of(commons)
    if guardian is None:
        raise OpenCommonsError("this commons has no guardian: governance names one by proposal "
                               "(`commons gov propose --guardian ADDRESS`)")
    p = find_proposal(commons, proposal_id)
    state = PROPOSAL_STATE[commons.governor.functions.state(proposal_id).call()]
    if state not in CANCELLABLE:
        raise OpenCommonsError(f"proposal {proposal_id} is {state}: only a proposal {', '.join(CANCELLABLE[:-1])} "
                               f"or {CANCELLABLE[-1]} can be cancelled")
    if commons.w3.eth.get_code(Web3.to_checksum_address(guardian)):
        if not signers:
            raise OpenCommonsError(f"the guardian {guardian} is a Safe: give its owners' keys (--signer KEYSTORE, "
                                   "at least its threshold of them)")
        url = rpc or str(getattr(commons.w3.provider, "endpoint_uri", "") or "")
        if not url:
            raise OpenCommonsError("the guardian Safe is driven over HTTP: connect with --rpc URL")
        receipt = safes.cancel_proposal(commons.w3, url, who, guardian, commons.governor, p.targets, p.values,
                                        p.calldatas, p.description_hash, reason, signers)
        if report is not None:
            report("cancelled through the guardian Safe", receipt)
        return receipt
    if Web3.to_checksum_address(who.address) != guardian:
        raise OpenCommonsError(f"{who.address} is not the guardian ({guardian}): only the guardian cancels a "
                               "proposal once its vote opened")
    fn = commons.governor.functions.cancelWithReason(p.targets, p.values, p.calldatas, p.description_hash, reason)
    return send(commons, who, "cancelled", fn, report=report)
