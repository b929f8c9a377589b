"""Reads that need more than one call: ids from text, amounts, datasets and proposals from events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from web3 import Web3

from .chain.revert_hints import format_duration
from .errors import InvalidCidError, NotFoundError, OpenCommonsError
from .ipfs.cid import Cid
from .present import DATASET_STATUS
from .suite import Commons

NATIVE = "0x0000000000000000000000000000000000000000"
STATUS = DATASET_STATUS  # callers say queries.STATUS
PROPOSAL_STATE = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]


def parse_dataset_id(text: str) -> int:
    """A dataset id as a decimal number, 0x hex, or the content CID itself."""
    text = text.strip()
    number: int | None = None
    if text.isdigit():
        number = int(text)
    elif text.startswith("0x"):
        try:
            number = int(text, 16)
        except ValueError:
            pass
    if number is not None:
        if number >= 1 << 256:
            raise OpenCommonsError(f"invalid dataset id {text[:20]}...: ids are 256-bit numbers (at most 78 digits)")
        return number
    try:
        return int.from_bytes(Cid.parse(text).digest, "big")
    except InvalidCidError:
        raise OpenCommonsError(f"invalid dataset id {text!r}: give a number, 0x hex or the content CID") from None


def check_amount_text(text: str) -> Decimal:
    """An amount as typed, refused when it is not a positive number (before any chain is read)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise OpenCommonsError(f"invalid amount {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise OpenCommonsError(f"amount must be positive, got {text}")
    return value


def parse_amount(commons: Commons, text: str, token: str) -> int:
    """'0.01' ETH (or token units by the token's decimals) to the smallest unit."""
    value = check_amount_text(text)
    decimals = 18 if token == NATIVE else commons.token_units(token)[0]
    scaled = value * (Decimal(10) ** decimals)
    if scaled != scaled.to_integral_value():
        raise OpenCommonsError(f"amount {text} has more than {decimals} decimals")
    return int(scaled)


def format_amount(commons: Commons, amount: int, token: str) -> str:
    """Smallest units as a reader wants them: '0.606 ETH', or '12.5 USDC' by the token's decimals
    and symbol (the address when it has no symbol)."""
    from .present import amount_text

    decimals, unit = (18, "ETH") if token == NATIVE else commons.token_units(token)
    return amount_text(amount, decimals, unit)


def token_address(text: str | None) -> str:
    if not text or text.lower() in ("eth", "native"):
        return NATIVE
    if not Web3.is_address(text):
        raise OpenCommonsError(f"malformed token address {text!r}")
    return Web3.to_checksum_address(text)


def missing_dataset(dataset_id: int, burnt: bool) -> OpenCommonsError:
    """The one line for an id with no dataset: never published here, or burnt."""
    if burnt:
        return NotFoundError(f"dataset {dataset_id} was burnt (by governance, or displaced by an older "
                                "commitment): its history stays in `commons dataset lineage` and the explorer")
    return NotFoundError(f"dataset {dataset_id} does not exist")


def no_such_dataset(commons: Commons, dataset_id: int) -> OpenCommonsError:
    """Why `dataset_id` has no dataset, from the chain (a burnt id's generation has moved on)."""
    return missing_dataset(dataset_id, int(commons.nft.functions.generationOf(dataset_id).call()) > 0)


def manifest_of(commons: Commons, dataset_id: int) -> Cid:
    """The manifest's CID of a dataset that exists (two calls: `dataset_view` also reads the
    contributors and the on-chain tokenURI)."""
    if not commons.nft.functions.exists(dataset_id).call():
        raise no_such_dataset(commons, dataset_id)
    d = commons.nft.functions.dataset(dataset_id).call()
    return Cid.from_chain(d[3], bytes(d[2]))


def dataset_view(commons: Commons, dataset_id: int) -> dict[str, Any]:
    if not commons.nft.functions.exists(dataset_id).call():
        raise no_such_dataset(commons, dataset_id)
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


def licence_offer(commons: Commons, dataset_id: int) -> dict[str, Any]:
    """The licence on sale for the dataset's current generation (`LicenseManager.termsOf`): its
    token, price and duration (seconds; 0 for ever), whether it is on sale, the terms' digest."""
    token, duration, active, price, digest = commons.licenses.functions.termsOf(dataset_id).call()
    return {"token": token, "price": str(price), "duration": int(duration), "active": bool(active),
            "terms": "0x" + bytes(digest).hex()}


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
        manifest = Cid.from_chain(params["manifestCodec"], bytes(params["manifestDigest"]))
        rows.append({"id": str(dataset_id), "content": str(content), "manifest": str(manifest),
                     "license": params["license"], "status": STATUS[commons.nft.functions.statusOf(dataset_id).call()],
                     "publisher": args["publisher"], "block": log["blockNumber"],
                     "previousVersion": str(args["previousVersion"]) if args["previousVersion"] else None})
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


def no_such_proposal(proposal_id: int) -> OpenCommonsError:
    return OpenCommonsError(f"no proposal {proposal_id} in this commons (`commons gov list` shows them)")


def proposal_facts(commons: Commons, proposal_id: int) -> dict[str, Any]:
    """What the governor says of a proposal now: its state (a name of PROPOSAL_STATE), tallies,
    snapshot and deadline, quorum (None until the snapshot is past), the timelock ETA when Queued,
    and the block they were read at, in the token house (or the contributors' house, for a proposal
    made there only). The index answers the same from its events."""
    g, house = commons.governor.functions, "token"
    snapshot = g.proposalSnapshot(proposal_id).call()
    if snapshot == 0 and commons.has_houses:
        g, house = commons.house_governor.functions, "contributors"
        snapshot = g.proposalSnapshot(proposal_id).call()
    if snapshot == 0:  # what state() would revert with GovernorNonexistentProposal for
        raise no_such_proposal(proposal_id)
    state = PROPOSAL_STATE[g.state(proposal_id).call()]
    against, for_, abstain = g.proposalVotes(proposal_id).call()
    block = commons.w3.eth.block_number
    return {"id": proposal_id, "state": state, "for": int(for_), "against": int(against), "abstain": int(abstain),
            "snapshot": int(snapshot), "deadline": int(g.proposalDeadline(proposal_id).call()), "block": block,
            "quorum": int(g.quorum(snapshot).call()) if snapshot < block else None, "house": house,
            "eta": int(g.proposalEta(proposal_id).call()) if state == "Queued" else None}


def proposal_view(commons: Commons, proposal_id: int) -> dict[str, Any]:
    """A proposal's state, tallies (smallest units, and in tokens under `*Tokens`), the blocks it
    votes between, the current block and what comes next (blocks left, the timelock's ETA)."""
    return present_proposal(commons, proposal_facts(commons, proposal_id))


def present_proposal(commons: Commons, facts: dict[str, Any]) -> dict[str, Any]:
    """`proposal_facts` (from the chain or the index) as `commons gov status` shows them."""
    state, snapshot, deadline, block, quorum = (facts[k] for k in ("state", "snapshot", "deadline", "block", "quorum"))
    token = commons.token.address

    def amount(value: int) -> str:  # the token house counts tokens, the contributors' house votes
        if facts.get("house", "token") == "token":
            return format_amount(commons, value, token)
        return f"{value:,} vote{'' if value == 1 else 's'}"

    view: dict[str, Any] = {
        "id": str(facts["id"]), "state": state, "for": str(facts["for"]), "against": str(facts["against"]),
        "abstain": str(facts["abstain"]), "quorum": str(quorum) if quorum is not None else None,
        "snapshot": snapshot, "deadline": deadline, "block": block,
        "forTokens": amount(facts["for"]), "againstTokens": amount(facts["against"]),
        "abstainTokens": amount(facts["abstain"]),
        "quorumTokens": amount(quorum) if quorum is not None else None,
    }
    if facts.get("house", "token") != "token":
        view["house"] = facts["house"]
    if state == "Pending":
        view["next"] = f"voting opens after block {snapshot} ({snapshot + 1 - block} blocks from now)"
    elif state == "Active":
        view["next"] = f"voting closes at block {deadline} ({deadline - block} blocks left)"
    elif state == "Succeeded":
        view["next"] = "passed: queue it in the timelock (`commons gov queue`)"
    elif state == "Queued":
        eta = facts["eta"]
        now = commons.w3.eth.get_block("latest")["timestamp"]
        view["eta"] = eta
        when = datetime.fromtimestamp(eta, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        view["next"] = (f"executable from {when} (in {format_duration(eta - now)})" if eta > now
                        else f"executable since {when}: `commons gov execute`")
    return view


def voting_weight(commons: Commons, account: str, proposal_id: int) -> int:
    """`account`'s votes at the proposal's snapshot (what a vote by it counts)."""
    snapshot = commons.governor.functions.proposalSnapshot(proposal_id).call()
    if snapshot >= commons.w3.eth.block_number:
        return int(commons.token.functions.getVotes(account).call())
    return int(commons.governor.functions.getVotes(account, snapshot).call())


def list_proposals(commons: Commons) -> list[dict[str, Any]]:
    """Every proposal, in the order made, once: its state in the house it was first made in, and
    the houses it is in when not the token house alone (as the index lists them)."""
    governors = [("token", commons.governor)] + ([("contributors", commons.house_governor)]
                                                 if commons.has_houses else [])
    made: list[tuple[int, int, str, Any, Any]] = []
    for house, governor in governors:
        for log in governor.events.ProposalCreated().get_logs(from_block=commons.deployment.block):
            made.append((int(log["blockNumber"]), int(log["logIndex"]), house, governor, log["args"]))
    made.sort(key=lambda m: (m[0], m[1]))
    houses: dict[int, list[str]] = {}
    for _, _, house, _, a in made:
        houses.setdefault(int(a["proposalId"]), []).append(house)
    rows = []
    for _, _, house, governor, a in made:
        proposal_id = int(a["proposalId"])
        if house != houses[proposal_id][0]:
            continue
        row = {"id": str(proposal_id), "state": PROPOSAL_STATE[governor.functions.state(proposal_id).call()],
               "description": str(a["description"]).split(" [")[0]}
        if houses[proposal_id] != ["token"]:
            row["houses"] = "+".join(sorted(houses[proposal_id], key=["token", "contributors"].index))
        rows.append(row)
    return rows


def listed_tokens(commons: Commons) -> list[str]:
    """ETH and every ERC-20 the vault allow-lists now (from its TokenAllowed events)."""
    return allowed_tokens((log["args"]["token"], log["args"]["allowed"])
                          for log in commons.vault.events.TokenAllowed().get_logs(from_block=commons.deployment.block))


def allowed_tokens(events: Iterable[tuple[str, bool]]) -> list[str]:
    """ETH and every token the vault's TokenAllowed events, (token, allowed) in order, leave allowed."""
    allowed: dict[str, bool] = {}
    for token, ok in events:
        allowed[token] = ok
    return [NATIVE] + [t for t, ok in allowed.items() if ok]
