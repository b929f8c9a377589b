"""Reads that need more than one call: ids from text, amounts, datasets and proposals from events."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from web3 import Web3

from .errors import InvalidCidError, OpenCommonsError
from .ipfs.cid import Cid
from .suite import Commons

NATIVE = "0x0000000000000000000000000000000000000000"
STATUS = ["None", "Proposed", "Accepted", "Rejected", "Retired"]
PROPOSAL_STATE = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]


def parse_dataset_id(text: str) -> int:
    """A dataset id as a decimal number, 0x hex, or the content CID itself."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text.startswith("0x"):
        try:
            return int(text, 16)
        except ValueError:
            pass
    try:
        return int.from_bytes(Cid.parse(text).digest, "big")
    except InvalidCidError:
        raise OpenCommonsError(f"invalid dataset id {text!r}: give a number, 0x hex or the content CID") from None


def parse_amount(commons: Commons, text: str, token: str) -> int:
    """'0.01' ETH (or token units by the token's decimals) to the smallest unit."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise OpenCommonsError(f"invalid amount {text!r}") from None
    if value <= 0:
        raise OpenCommonsError(f"amount must be positive, got {text}")
    decimals = 18
    if token != NATIVE:
        from .chain.deploy import contract

        decimals = contract(commons.w3, "IERC20Metadata", token).functions.decimals().call()
    scaled = value * (Decimal(10) ** decimals)
    if scaled != scaled.to_integral_value():
        raise OpenCommonsError(f"amount {text} has more than {decimals} decimals")
    return int(scaled)


def token_address(text: str | None) -> str:
    if not text or text.lower() in ("eth", "native"):
        return NATIVE
    if not Web3.is_address(text):
        raise OpenCommonsError(f"malformed token address {text!r}")
    return Web3.to_checksum_address(text)


def dataset_view(commons: Commons, dataset_id: int) -> dict[str, Any]:
    if not commons.nft.functions.exists(dataset_id).call():
        raise OpenCommonsError(f"dataset {dataset_id} does not exist")
    d = commons.nft.functions.dataset(dataset_id).call()
    content = Cid.from_chain(d[1], bytes(d[0]))
    manifest = Cid.from_chain(d[3], bytes(d[2]))
    return {
        "id": str(dataset_id), "content": str(content), "manifest": str(manifest), "license": d[4],
        "commons": "0x" + bytes(d[5]).hex(), "status": STATUS[d[6]], "ancestorBps": d[7], "depth": d[8],
        "contributorCount": d[9], "publishedAt": d[10], "owner": d[11],
        "previousVersion": str(d[12]) if d[12] else None, "nextVersion": str(d[13]) if d[13] else None,
        "parents": [str(p) for p in d[14]], "contributors": contributors_of(commons, dataset_id),
        "tokenURI": commons.nft.functions.tokenURI(dataset_id).call(),
    }


def published_events(commons: Commons) -> list[Any]:
    return list(commons.nft.events.DatasetPublished().get_logs(from_block=commons.deployment.block))


def contributors_of(commons: Commons, dataset_id: int) -> list[dict[str, Any]]:
    """A dataset's contributors and shares, ascending by account ([] when it does not exist)."""
    if not commons.nft.functions.exists(dataset_id).call():
        return []
    return [{"account": account, "shareBps": share}
            for account, share in commons.nft.functions.contributorsOf(dataset_id).call()]


def list_datasets(commons: Commons, commons_code: str | None = None, contributor: str | None = None,
                  license_id: str | None = None) -> list[dict[str, Any]]:
    wanted_commons = bytes(Web3.keccak(text=commons_code)) if commons_code else None
    rows = []
    for log in published_events(commons):
        args = log["args"]
        params = args["params"]
        if wanted_commons and bytes(args["commons"]) != wanted_commons:
            continue
        if license_id and params["license"].lower() != license_id.lower():
            continue
        accounts = [c["account"].lower() for c in params["contributors"]]
        if contributor and contributor.lower() not in accounts:
            continue
        dataset_id = int(args["datasetId"])
        content = Cid.from_chain(params["contentCodec"], bytes(params["contentDigest"]))
        rows.append({"id": str(dataset_id), "content": str(content), "license": params["license"], "status": STATUS[commons.nft.functions.statusOf(dataset_id).call()],
                     "publisher": args["publisher"], "block": log["blockNumber"]})
    return rows


@dataclass(frozen=True)
class Proposal:
    proposal_id: int
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str

    @property
    def description_hash(self) -> bytes:
        return bytes(Web3.keccak(text=self.description))


def find_proposal(commons: Commons, proposal_id: int) -> Proposal:
    for log in commons.governor.events.ProposalCreated().get_logs(from_block=commons.deployment.block):
        a = log["args"]
        if int(a["proposalId"]) == proposal_id:
            return Proposal(proposal_id, list(a["targets"]), list(a["values"]), [bytes(c) for c in a["calldatas"]],
                            a["description"])
    raise OpenCommonsError(f"no proposal {proposal_id} on this deployment")


def accept_and_reward_actions(commons: Commons, dataset_id: int, reward_wei: int) -> tuple[list[str], list[bytes]]:
    if not commons.nft.functions.exists(dataset_id).call():
        raise OpenCommonsError(f"dataset {dataset_id} does not exist")
    targets: list[str] = [commons.nft.address]
    calldatas = [bytes.fromhex(commons.nft.encode_abi("curate", [dataset_id, 2])[2:])]
    if reward_wei:
        targets.append(commons.rewards.address)
        calldatas.append(bytes.fromhex(commons.rewards.encode_abi("reward", [dataset_id, reward_wei])[2:]))
    return targets, calldatas


def proposal_view(commons: Commons, proposal_id: int) -> dict[str, Any]:
    g = commons.governor.functions
    against, for_, abstain = g.proposalVotes(proposal_id).call()
    snapshot = g.proposalSnapshot(proposal_id).call()
    return {"id": str(proposal_id), "state": PROPOSAL_STATE[g.state(proposal_id).call()],
            "for": str(for_), "against": str(against), "abstain": str(abstain),
            "quorum": str(g.quorum(snapshot).call()) if snapshot < commons.w3.eth.block_number else None,
            "snapshot": snapshot, "deadline": g.proposalDeadline(proposal_id).call()}
