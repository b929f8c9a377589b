"""Proposals from the index, as the governor itself would answer (`queries.proposal_facts`):
OpenZeppelin 5.3's Governor state machine (GovernorCountingSimple, GovernorVotesQuorumFraction,
GovernorTimelockControl) run over the indexed events.

- Pending until the snapshot block is past, Active through the deadline block (the clock is the
  block number: CommonsToken keeps ERC20Votes' default clock);
- then Defeated unless for + abstain reach the quorum at the snapshot and for > against; the
  quorum is the token's total supply at the snapshot (its mints and burns, `Transfer` from or to
  the zero address) times the quorum numerator in force then (`QuorumNumeratorUpdated`) / 100;
- Succeeded until queued; Queued while the timelock operation scheduled with it (`CallScheduled`
  in the same transaction) is neither executed nor cancelled there; Executed / Canceled by the
  governor's own events (or the timelock's).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, and_, select

from ..queries import no_such_proposal
from . import schema as s
from .ingest import ZERO

QUORUM_DENOMINATOR = 100  # GovernorVotesQuorumFraction's default


def _other(conn: Any, commons_id: int, contract: str, names: list[str], until: int | None = None) -> list[Any]:
    o = s.other_events
    query = select(o.c.block, o.c.log_index, o.c.tx, o.c.name, o.c.args).where(
        o.c.commons == commons_id, o.c.contract == contract, o.c.name.in_(names))
    if until is not None:
        query = query.where(o.c.block <= until)
    # sorted here: an ORDER BY made SQLite walk every other event of the commons in block order
    # (100,000 publication commitments at 100,000 datasets) rather than use the contract's index
    return sorted(conn.execute(query).all(), key=lambda r: (r.block, r.log_index))


#: each house's governor and votes source, as the index names them
HOUSES = {"token": ("CommonsGovernor", "CommonsToken"), "contributors": ("ContributorsGovernor", "ContributorVotes")}


def quorum_at(conn: Any, commons_id: int, block: int, house: str = "token") -> int:
    """The house's quorum at `block`: its votes' supply then (the token's mints and burns; the
    contributors' house's members) times the quorum numerator in force then / 100."""
    return quorums_at(conn, commons_id, [block], house)[block]


def quorums_at(conn: Any, commons_id: int, blocks: list[int], house: str = "token") -> dict[int, int]:
    """`quorum_at` for each of `blocks`, from one read of the events up to the latest of them."""
    governor, votes = HOUSES[house]
    if not blocks:
        return {}
    until = max(blocks)
    changes: list[tuple[int, int]] = []  # (block, change in the votes' supply)
    if house == "token":
        for row in _other(conn, commons_id, votes, ["Transfer"], until=until):
            args = json.loads(row.args)
            if args["from"] == ZERO:
                changes.append((row.block, int(args["value"])))
            if args["to"] == ZERO:
                changes.append((row.block, -int(args["value"])))
    else:
        for row in _other(conn, commons_id, votes, ["MembershipChanged"], until=until):
            changes.append((row.block, 1 if json.loads(row.args)["member"] else -1))
    numerators = [(row.block, int(json.loads(row.args)["newQuorumNumerator"]))
                  for row in _other(conn, commons_id, governor, ["QuorumNumeratorUpdated"], until=until)]
    out: dict[int, int] = {}
    supply, numerator, i, j = 0, 0, 0, 0
    for block in sorted(set(blocks)):  # the events in block order, walked once
        while i < len(changes) and changes[i][0] <= block:
            supply, i = supply + changes[i][1], i + 1
        while j < len(numerators) and numerators[j][0] <= block:
            numerator, j = numerators[j][1], j + 1
        out[block] = supply * numerator // QUORUM_DENOMINATOR
    return out


def houses_of(engine: Engine, commons_id: int, proposal_id: int) -> list[str]:
    """The houses `proposal_id` was proposed in (token first)."""
    pr = s.proposals
    with engine.connect() as conn:
        found = {h for (h,) in conn.execute(select(pr.c.house).where(pr.c.commons == commons_id,
                                                                     pr.c.proposal_id == str(proposal_id)))}
    return [h for h in HOUSES if h in found]


def proposal_facts(engine: Engine, commons_id: int, proposal_id: int, head: int,
                   house: str | None = None) -> dict[str, Any]:
    """`queries.proposal_facts` from the index, at block `head`, in `house` (default: the token
    house, or the contributors' for a proposal made there only)."""
    pr, v, pe = s.proposals, s.votes, s.proposal_events
    key = str(proposal_id)
    if house is None:
        where = houses_of(engine, commons_id, proposal_id)
        house = where[0] if where else "token"
    with engine.connect() as conn:
        row = conn.execute(select(pr).where(pr.c.commons == commons_id, pr.c.proposal_id == key,
                                            pr.c.house == house)).first()
        if row is None:
            raise no_such_proposal(proposal_id)
        tally = [0, 0, 0]  # against, for, abstain (GovernorCountingSimple.VoteType)
        for support, weight in conn.execute(select(v.c.support, v.c.weight).where(
                v.c.commons == commons_id, v.c.proposal_id == key, v.c.house == house)):
            tally[int(support)] += int(weight)
        steps: dict[str, Any] = {}
        queued_tx = None
        for r in conn.execute(select(pe).where(pe.c.commons == commons_id, pe.c.proposal_id == key,
                                               pe.c.house == house).order_by(pe.c.block, pe.c.log_index)):
            steps[r.kind] = r.eta
            if r.kind == "queued":
                queued_tx = r.tx
        snapshot, deadline = int(row.vote_start), int(row.vote_end)
        quorum = quorum_at(conn, commons_id, snapshot, house) if snapshot < head else None
        against, for_, abstain = tally
        state = state_of(conn, commons_id, steps, queued_tx, snapshot, deadline, head,
                       reached=quorum is not None and quorum <= for_ + abstain, succeeded=for_ > against)
    return {"id": proposal_id, "state": state, "for": for_, "against": against, "abstain": abstain,
            "snapshot": snapshot, "deadline": deadline, "block": head, "quorum": quorum, "house": house,
            "eta": int(steps["queued"]) if state == "Queued" else None}


def state_of(conn: Any, commons_id: int, steps: dict[str, Any], queued_tx: str | None, snapshot: int, deadline: int,
             head: int, reached: bool, succeeded: bool) -> str:
    """Governor.state() from the proposal's `steps` (queued/executed/canceled events seen)."""
    if "executed" in steps:
        return "Executed"
    if "canceled" in steps:
        return "Canceled"
    if snapshot >= head:
        return "Pending"
    if deadline >= head:
        return "Active"
    if not (reached and succeeded):
        return "Defeated"
    if "queued" not in steps:
        return "Succeeded"
    return _timelock_state(conn, commons_id, queued_tx)


def _timelock_state(conn: Any, commons_id: int, queued_tx: str | None) -> str:
    o = s.other_events
    ids = {json.loads(args)["id"] for (args,) in conn.execute(select(o.c.args).where(
        and_(o.c.commons == commons_id, o.c.contract == "CommonsTimelock", o.c.name == "CallScheduled",
             o.c.tx == queued_tx)))}
    done: dict[str, str] = defaultdict(str)
    for row in _other(conn, commons_id, "CommonsTimelock", ["CallExecuted", "Cancelled"]):
        operation = json.loads(row.args)["id"]
        if operation in ids:
            done[operation] = "Executed" if row.name == "CallExecuted" else "Canceled"
    outcomes = {done[i] for i in ids if done[i]}
    return outcomes.pop() if len(outcomes) == 1 else "Queued"


def proposal_list(engine: Engine, commons_id: int, head: int) -> list[dict[str, Any]]:
    """`queries.list_proposals` from the index: every proposal in order, its state and title."""
    pr = s.proposals
    with engine.connect() as conn:
        rows = conn.execute(select(pr.c.proposal_id, pr.c.house, pr.c.description).where(pr.c.commons == commons_id)
                            .order_by(pr.c.block, pr.c.log_index)).all()
    houses: dict[str, list[str]] = defaultdict(list)
    for pid, house, _ in rows:
        houses[pid].append(house)
    listed = []
    for pid, house, description in rows:
        if house != houses[pid][0]:
            continue  # one line per proposal, in the house it was first made in
        item = {"id": pid, "state": proposal_facts(engine, commons_id, int(pid), head, house)["state"],
                "description": str(description).split(" [")[0]}
        if houses[pid] != ["token"]:
            item["houses"] = "+".join(sorted(houses[pid], key=list(HOUSES).index))
        listed.append(item)
    return listed
