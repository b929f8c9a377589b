"""Governing as a data trust (issue 37): the token house and the contributors' house, the charter.

A commons with houses has two governors counting the same proposal (its id is the hash of its
calls and description, the same in both): the token's and the contributors' (one vote per verified
contributor). Its CommonsCharter says which house must pass each call and queues every passed
proposal. This module is the pipeline every surface uses: propose in the houses a proposal needs,
vote in a house (refused, with the reason, where the account has no vote), queue through the
charter, execute through the governor that queued, and the charter and tallies per house.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

from web3 import Web3
from web3.contract import Contract

from .chain.houses import CATEGORIES, HOUSE_WORDS, HOUSES, category_of, selector
from .errors import OpenCommonsError
from .queries import PROPOSAL_STATE, Proposal, format_amount
from .suite import Commons

ZERO = "0x0000000000000000000000000000000000000000"
HOUSE_NAMES = ("token", "contributors")


@dataclass(frozen=True)
class House:
    name: str  # token | contributors
    governor: Contract
    votes: Contract  # the token, or ContributorVotes

    @property
    def words(self) -> str:
        return "the token house" if self.name == "token" else "the contributors' house"


def houses(commons: Commons) -> list[House]:
    """The commons' houses: the token house, and the contributors' house where there is one."""
    found = [House("token", commons.governor, commons.token)]
    if commons.has_houses:
        found.append(House("contributors", commons.house_governor, commons.house))
    return found


def house(commons: Commons, name: str) -> House:
    for h in houses(commons):
        if h.name == name:
            return h
    if name not in HOUSE_NAMES:
        raise OpenCommonsError(f"unknown house {name!r}: use token or contributors")
    raise OpenCommonsError("this commons has no contributors' house (it was deployed with the token house alone)")


def exists_in(h: House, proposal_id: int) -> bool:
    return int(h.governor.functions.proposalSnapshot(proposal_id).call()) != 0


def proposed_in(commons: Commons, proposal_id: int) -> list[House]:
    """The houses `proposal_id` was proposed in."""
    return [h for h in houses(commons) if exists_in(h, proposal_id)]


def find(commons: Commons, proposal_id: int) -> Proposal:
    """The proposal's calls and description, from its ProposalCreated event in either house."""
    for h in proposed_in(commons, proposal_id):
        for log in h.governor.events.ProposalCreated().get_logs(from_block=commons.deployment.block):
            a = log["args"]
            if int(a["proposalId"]) == proposal_id:
                return Proposal(proposal_id, list(a["targets"]), list(a["values"]),
                                [bytes(c) for c in a["calldatas"]], a["description"])
    raise OpenCommonsError(f"no proposal {proposal_id} in this commons (`commons gov list` shows them)")


def required(commons: Commons, targets: Sequence[str], calldatas: Sequence[bytes]) -> str:
    """What the charter asks of a proposal of these calls: either, token, contributors, both or
    super (a commons without houses: token)."""
    if not commons.has_houses:
        return "token"
    return HOUSES[int(commons.charter.functions.requiredHouse(targets, calldatas).call())]


def houses_for(commons: Commons, requirement: str, chosen: str | None = None) -> list[House]:
    """The houses a proposal is made in: `chosen` (token, contributors or both), or what the
    requirement needs (either and token: the token house; contributors; both and super: both)."""
    if chosen is None:
        chosen = {"either": "token", "token": "token", "contributors": "contributors"}.get(requirement, "both")
    if chosen == "both":
        return [house(commons, n) for n in HOUSE_NAMES]
    h = house(commons, chosen)
    needed = "both" if requirement in ("both", "super") else requirement
    if needed in ("both", *HOUSE_NAMES) and needed != chosen:
        raise OpenCommonsError(f"these calls need {HOUSE_WORDS[requirement]} (the charter's rule): propose them "
                               f"with --house {needed}")
    return [h]


def check_proposer(commons: Commons, h: House, account: str) -> None:
    """Refuses, before anything is sent, a proposer with fewer votes in `h` than its threshold. The
    governor counts them at the block before the proposal's, which is the latest block now: the
    account's current votes."""
    threshold = int(h.governor.functions.proposalThreshold().call())
    if not threshold:
        return
    votes = int(h.votes.functions.getVotes(account).call())
    if votes < threshold:
        unit = "votes" if h.name == "contributors" else "token votes"
        raise OpenCommonsError(f"{account} has {votes} {unit} in {h.words}, fewer than the {threshold} a proposer "
                               "needs there" + (" (a verified contributor proposes there)" if h.name == "contributors"
                                                else ": delegate to yourself first")
                               + "; nothing proposed")


def voting_power(commons: Commons, h: House, account: str, proposal_id: int) -> int:
    """`account`'s votes in house `h` at the proposal's snapshot (now, before the snapshot)."""
    snapshot = int(h.governor.functions.proposalSnapshot(proposal_id).call())
    if snapshot >= commons.w3.eth.block_number:
        return int(h.votes.functions.getVotes(account).call())
    return int(h.governor.functions.getVotes(account, snapshot).call())


def no_power_reason(commons: Commons, h: House, account: str, proposal_id: int) -> str:
    """Why `account` has no vote in `h` at the proposal's snapshot, in one sentence."""
    if h.name == "token":
        return (f"{account} has no votes in the token house at proposal {proposal_id}'s snapshot (it held or was "
                "delegated no tokens then: delegate, to yourself too, before a proposal is made)")
    member = bool(commons.house.functions.isMember(account).call())
    why = ("it is a member now but was not at the snapshot" if member else
           "it is not a registered contributor with a live identity attestation from a verifier")
    return f"{account} has no vote in the contributors' house at proposal {proposal_id}'s snapshot ({why})"


def voting_houses(commons: Commons, account: str, proposal_id: int, chosen: str | None) -> list[tuple[House, int]]:
    """The houses `account` votes in on `proposal_id`, with its weight in each: `chosen`, refused
    with the reason when it has no vote there; else every house the proposal is in where it has one."""
    where = proposed_in(commons, proposal_id)
    if not where:
        raise OpenCommonsError(f"no proposal {proposal_id} in this commons (`commons gov list` shows them)")
    if chosen is not None:
        h = house(commons, chosen)
        if h.name not in [w.name for w in where]:
            raise OpenCommonsError(f"proposal {proposal_id} was not proposed in {h.words} (it is in "
                                   f"{' and '.join(w.words for w in where)})")
        weight = voting_power(commons, h, account, proposal_id)
        if weight == 0:
            raise OpenCommonsError(no_power_reason(commons, h, account, proposal_id) + ": nothing sent")
        return [(h, weight)]
    found = [(h, voting_power(commons, h, account, proposal_id)) for h in where]
    with_power = [(h, w) for h, w in found if w]
    if not with_power:
        raise OpenCommonsError("; ".join(no_power_reason(commons, h, account, proposal_id) for h in where)
                               + ": nothing sent")
    return with_power


def state(h: House, proposal_id: int) -> str:
    return str(PROPOSAL_STATE[int(h.governor.functions.state(proposal_id).call())])


def queue_house(commons: Commons, proposal_id: int) -> House:
    """The house whose passed proposal is queued: the token house's when it passed there, else
    the contributors'."""
    where = proposed_in(commons, proposal_id)
    for h in where:
        if state(h, proposal_id) == "Succeeded":
            return h
    if not where:
        raise OpenCommonsError(f"no proposal {proposal_id} in this commons (`commons gov list` shows them)")
    return where[0]


def executing_house(commons: Commons, proposal_id: int) -> House:
    """The house that queued the proposal (it executes it)."""
    where = proposed_in(commons, proposal_id)
    for h in where:
        if state(h, proposal_id) in ("Queued", "Executed"):
            return h
    if not where:
        raise OpenCommonsError(f"no proposal {proposal_id} in this commons (`commons gov list` shows them)")
    return where[0]


def queue_call(commons: Commons, h: House, p: Proposal) -> Any:
    """The transaction that queues `p` passed in `h`: through the charter where there is one."""
    args = (p.targets, p.values, p.calldatas, p.description_hash)
    charter = h.governor.functions.charter().call()
    if Web3.to_checksum_address(charter) != ZERO:
        return commons.charter.functions.queue(h.governor.address, *args)
    return h.governor.functions.queue(*args)


def wait_blocks(commons: Commons, p: Proposal) -> int:
    """The blocks after its vote the charter makes `p` wait before it may be queued (a burn or forfeit)."""
    if not commons.has_houses:
        return 0
    return int(commons.charter.functions.waitBlocksFor(p.calldatas).call())


def tallies(commons: Commons, proposal_id: int) -> list[dict[str, Any]]:
    """Per house the proposal is in: its state, votes for, against and abstaining, and the quorum."""
    rows = []
    block = commons.w3.eth.block_number
    for h in proposed_in(commons, proposal_id):
        g = h.governor.functions
        against, for_, abstain = (int(v) for v in g.proposalVotes(proposal_id).call())
        snapshot = int(g.proposalSnapshot(proposal_id).call())
        quorum = int(g.quorum(snapshot).call()) if snapshot < block else None
        token_house = h.name == "token"

        def unit(v: int, token_house: bool = token_house) -> str:
            return format_amount(commons, v, commons.token.address) if token_house else \
                f"{v:,} vote{'s' if v != 1 else ''}"
        rows.append({"house": h.name, "state": state(h, proposal_id), "for": str(for_), "against": str(against),
                     "abstain": str(abstain), "quorum": None if quorum is None else str(quorum),
                     "forText": unit(for_), "againstText": unit(against), "abstainText": unit(abstain),
                     "quorumText": None if quorum is None else unit(quorum)})
    return rows


def charter_view(commons: Commons) -> dict[str, Any]:
    """The charter: its document's CID, the house each category needs, the super-quorum, the caps,
    the spending so far this period, and the contributors' house's claim and members."""
    if not commons.has_houses:
        raise OpenCommonsError("this commons has no charter (it was deployed with the token house alone)")
    c = commons.charter.functions
    max_fee, period, wait, eth, tokens = c.caps().call()
    start, spent_eth, spent_tokens = c.spending().call()
    rules: dict[str, str] = {}
    for name, signatures in CATEGORIES.items():
        seen = {HOUSES[int(c.rule(selector(s)).call())] for s in signatures}
        rules[name] = ", ".join(sorted(seen))
    default = HOUSES[int(c.defaultHouse().call())]
    rules = {k: (default if v == "default" else v) for k, v in rules.items()}
    token = commons.token.address
    return {
        "cid": c.cid().call(), "rules": {**rules, "default": default, "charter": "super"},
        "superQuorumBps": int(c.superQuorumBps().call()),
        "caps": {"maxFeeBps": int(max_fee), "periodSeconds": int(period), "waitBlocks": int(wait),
                 "ethPerPeriod": str(eth), "tokensPerPeriod": str(tokens),
                 "ethPerPeriodText": format_amount(commons, int(eth), ZERO),
                 "tokensPerPeriodText": format_amount(commons, int(tokens), token)},
        "spending": {"periodStart": int(start), "eth": str(spent_eth), "tokens": str(spent_tokens)},
        "house": {"claim": "0x" + bytes(commons.house.functions.claimType().call()).hex(),
                  "members": int(commons.house.functions.totalMembers().call())},
    }


def describe_call(sel: bytes) -> str:
    """The category a call falls in, for a proposal's summary."""
    return category_of(sel) or "other"
