"""Governance actions a proposal can carry, each with the line a voter reads before proposing:
accept and reward a dataset, burn a squat, grant or revoke a role, allow-list a token, set the
protocol fee and treasury, or any call given as a signature and arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import encode as abi_encode
from web3 import Web3

from .errors import OpenCommonsError
from .suite import Commons

#: role name on the command line -> (contract attribute, role constant)
ROLES = {"curator": ("nft", "CURATOR_ROLE"), "verifier": ("registry", "VERIFIER_ROLE"),
         "validator": ("attestations", "VALIDATOR_ROLE"), "allowlist": ("vault", "ALLOWLIST_ROLE"),
         "fee": ("vault", "FEE_ROLE")}


@dataclass(frozen=True)
class Action:
    target: str
    calldata: bytes
    summary: str
    #: an arbitrary call (`--call`): checked by simulating it from the timelock before proposing
    arbitrary: bool = False


def _address(text: str, what: str) -> str:
    if not Web3.is_address(text):
        raise OpenCommonsError(f"malformed {what} address {text!r}")
    return Web3.to_checksum_address(text)


def _encoded(contract: Any, fn: str, args: list[Any]) -> bytes:
    return bytes.fromhex(contract.encode_abi(fn, args)[2:])


def role_action(commons: Commons, grant: bool, role: str, account: str) -> Action:
    if role.lower() not in ROLES:
        raise OpenCommonsError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    attr, constant = ROLES[role.lower()]
    target = getattr(commons, attr)
    who = _address(account, "account")
    role_id = getattr(target.functions, constant)().call()
    verb = "grantRole" if grant else "revokeRole"
    has = target.functions.hasRole(role_id, who).call()
    if has == grant:
        raise OpenCommonsError(f"{who} {'already holds' if has else 'does not hold'} the {role.lower()} role: "
                               "the proposal would change nothing")
    summary = f"{'grant' if grant else 'revoke'} {role.lower()} ({constant}) {'to' if grant else 'from'} {who}"
    return Action(target.address, _encoded(target, verb, [role_id, who]), summary)


def token_action(commons: Commons, token: str, allowed: bool) -> Action:
    address = _address(token, "token")
    if commons.vault.functions.isTokenAllowed(address).call() == allowed:
        raise OpenCommonsError(f"token {address} is {'already' if allowed else 'not'} allow-listed: "
                               "the proposal would change nothing")
    summary = f"{'allow-list' if allowed else 'remove from the allow-list'} token {address}"
    return Action(commons.vault.address, _encoded(commons.vault, "setTokenAllowed", [address, allowed]), summary)


def fee_action(commons: Commons, fee_bps: int, treasury: str) -> Action:
    maximum = commons.vault.functions.MAX_PROTOCOL_FEE_BPS().call()
    if not 0 <= fee_bps <= maximum:
        raise OpenCommonsError(f"protocol fee {fee_bps} bps out of range: at most {maximum} bps")
    address = _address(treasury, "treasury")
    if commons.has_houses:
        cap = int(commons.charter.functions.caps().call()[0])
        if fee_bps > cap:
            raise OpenCommonsError(f"protocol fee {fee_bps} bps is above the charter's highest fee of {cap} bps: only "
                                   "an amendment of the charter (a super-quorum of both houses) raises it")
    summary = f"set the protocol fee to {fee_bps} bps ({fee_bps / 100:g}%), treasury {address}"
    return Action(commons.vault.address, _encoded(commons.vault, "setProtocolFee", [fee_bps, address]), summary)


def amend_charter_action(commons: Commons, document: Path) -> Action:
    """Amend the charter to `document` (pinned in the local store), keeping its super-quorum and caps."""
    from .ipfs.content import open_store
    from .rights import pin_document

    if not commons.has_houses:
        raise OpenCommonsError("this commons has no charter to amend (it was deployed with the token house alone)")
    cid = pin_document(open_store(), document, "charter")
    c = commons.charter.functions
    data = _encoded(commons.charter, "amend", [str(cid), c.superQuorumBps().call(), c.caps().call()])
    return Action(commons.charter.address, data, f"amend the charter to ipfs://{cid} (caps and super-quorum kept)")


def requirement_words(requirement: str) -> str:
    from .present import HOUSE_NEEDS

    return HOUSE_NEEDS.get(requirement, requirement)


def call_action(target: str, signature: str, args: list[str]) -> Action:
    """Any call: `target`, a signature such as ``setTokenAllowed(address,bool)`` and its
    arguments as text (addresses, integers, true/false, 0x-hex bytes)."""
    address = _address(target, "target")
    name, _, rest = signature.partition("(")
    if not name or not rest.endswith(")"):
        raise OpenCommonsError(f"malformed function signature {signature!r}: use name(type,type,...)")
    types = [t.strip() for t in rest[:-1].split(",") if t.strip()]
    if len(types) != len(args):
        raise OpenCommonsError(f"{signature} takes {len(types)} argument(s), {len(args)} given")
    values = [_parse(t, a) for t, a in zip(types, args)]
    try:
        data = bytes(Web3.keccak(text=f"{name}({','.join(types)})")[:4]) + abi_encode(types, values)
    except Exception as exc:  # eth-abi's errors for a value that does not fit its type
        raise OpenCommonsError(f"cannot encode {signature} with {args}: {exc}") from None
    shown = ", ".join(f"{t} {a}" for t, a in zip(types, args))
    return Action(address, data, f"call {address}.{name}({shown})", arbitrary=True)


def _parse(kind: str, text: str) -> Any:
    if kind == "address":
        return _address(text, "argument")
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise OpenCommonsError(f"bool argument must be true or false, got {text!r}")
        return text.lower() == "true"
    if kind.startswith(("uint", "int")):
        try:
            return int(text, 0)
        except ValueError:
            raise OpenCommonsError(f"{kind} argument must be an integer, got {text!r}") from None
    if kind.startswith("bytes"):
        try:
            return bytes.fromhex(text.removeprefix("0x"))
        except ValueError:
            raise OpenCommonsError(f"{kind} argument must be 0x-hex, got {text!r}") from None
    if kind == "string":
        return text
    raise OpenCommonsError(f"argument type {kind} is not supported by --call: use address, bool, (u)intN, bytes, string")


def castable_votes(commons: Commons) -> int:
    """The votes that voters could cast on a proposal made now: each delegate's latest
    DelegateVotesChanged, summed, less the timelock's own (the token self-delegates every holder,
    the treasury too, and the timelock cannot vote)."""
    latest: dict[str, int] = {}
    for log in commons.token.events.DelegateVotesChanged().get_logs(from_block=commons.deployment.block):
        latest[str(log["args"]["delegate"]).lower()] = int(log["args"]["newVotes"])
    latest.pop(commons.timelock.address.lower(), None)
    return sum(latest.values())


def check_proposable(commons: Commons, actions: list[Action]) -> None:
    """Refuses, before anything is sent, a proposal that could never pass or never execute: one
    whose voters together could not reach the quorum, and an arbitrary call (`call_action`) the
    timelock could not make now (no contract at the target, or the call reverts)."""
    from .chain.transactions import as_revert
    from .queries import format_amount

    castable = castable_votes(commons)
    head = commons.w3.eth.block_number
    quorum = int(commons.governor.functions.quorum(max(head - 1, 0)).call())
    if castable == 0 or castable < quorum:
        token = commons.token.address
        needed = format_amount(commons, quorum, token)
        raise OpenCommonsError(f"the votes voters hold ({format_amount(commons, castable, token)}; the timelock's "
                               f"own cannot vote) could not reach the quorum of {needed}, so the proposal could never "
                               "pass: holders of the token vote with it (delegate with `commons gov delegate "
                               "ADDRESS`); nothing proposed")
    w3 = commons.w3
    for action in actions:
        if not action.arbitrary:
            continue
        if not w3.eth.get_code(Web3.to_checksum_address(action.target)):
            raise OpenCommonsError(f"--call {action.target}: no contract there on this chain, so the call could "
                                   "never execute; nothing proposed")
        try:
            w3.eth.call({"from": commons.timelock.address, "to": Web3.to_checksum_address(action.target),
                         "data": action.calldata})
        except Exception as exc:  # the node's revert, in whatever shape it reports it
            decoded = as_revert(exc)
            reason = str(decoded) if decoded is not None else str(exc).splitlines()[0]
            raise OpenCommonsError(f"{action.summary} would revert if executed now by the timelock ({reason}); "
                                   "nothing proposed") from None
