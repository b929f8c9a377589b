"""`commons gov delegate|propose|vote|queue|execute|list|status|charter|sync`."""

from __future__ import annotations

import time
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional, Tuple

import typer

from ..errors import OpenCommonsError
from .common import (AccountOpt, _commons, DbOpt, DeploymentsOpt, _emit, err, fail, JsonOpt, lazy, NoIndexOpt, _reader,
                     RpcOpt, _said, say, _sender, _tx)

if TYPE_CHECKING:
    from .. import actions, present
    from ..chain import advance
    from .. import proposals
    from .. import queries
    from .. import suite
    from .. import trust
    import web3
else:
    actions = lazy("opencommons.actions")
    present = lazy("opencommons.present")
    advance = lazy("opencommons.chain.advance")
    proposals = lazy("opencommons.proposals")
    queries = lazy("opencommons.queries")
    suite = lazy("opencommons.suite")
    trust = lazy("opencommons.trust")
    web3 = lazy("web3")

HouseOpt = typer.Option(None, "--house", metavar="HOUSE",
                        help="HOUSE: token or contributors (both, to propose: in both houses). Default: what the "
                             "charter asks of the proposal's calls.")


def _house_choice(value: Optional[str], allow_both: bool = False) -> Optional[str]:
    """The --house value checked before connecting."""
    if value is None:
        return None
    known = ("token", "contributors", "both") if allow_both else ("token", "contributors")
    if value.lower() not in known:
        raise OpenCommonsError(f"unknown house {value!r}: use {', '.join(known)}")
    return value.lower()


gov_app = typer.Typer(help="Delegate, propose, vote, queue, execute.", no_args_is_help=True)


@gov_app.command("delegate")
def gov_delegate(to: str, house_: Optional[str] = typer.Option(None, "--house", metavar="HOUSE",
                                                               help="HOUSE whose vote you delegate: token "
                                                                    "(default) or contributors."),
                 rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                 deployments: Path = DeploymentsOpt) -> None:
    """Delegate your voting power (the token's, or your vote in the contributors' house)."""
    try:
        if not web3.Web3.is_address(to):
            raise OpenCommonsError(f"malformed address {to!r}")
        chosen = _house_choice(house_) or "token"
        commons = _commons(rpc, deployments)
        h = trust.house(commons, chosen)
        _tx("delegated" + (f" in {h.words}" if commons.has_houses else ""), commons, _sender(commons, account),
            h.votes.functions.delegate(web3.Web3.to_checksum_address(to)))
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("propose")
def gov_propose(accept: Optional[str] = typer.Option(None, "--accept", help="ID of the dataset to accept."),
                reward: str = typer.Option("0", "--reward", help="AMOUNT of the governance token its "
                                                         "contributors may claim (with --accept), e.g. 500."),
                by_quality: bool = typer.Option(False, "--by-quality", help="With --accept: reward by the quality "
                                                "policy, from the validators' live attestations."),
                quality_policy: Optional[str] = typer.Option(None, "--quality-policy", metavar="BASE",
                                                             help="Set the reward by quality: BASE governance "
                                                                  "tokens times the median quality and uniqueness."),
                min_score: int = typer.Option(0, "--min-score", min=0, max=10_000,
                                              help="With --quality-policy: no reward below this median quality "
                                                   "(bps, 0..10000)."),
                score_weights: Optional[str] = typer.Option(None, "--score-weights", metavar="I,V,U,O",
                                                            help="Weights (bps) of integrity, validity, uniqueness "
                                                                 "and ownership in the quality score."),
                burn: Optional[str] = typer.Option(None, "--burn", help="ID of a Rejected (squatted) "
                                                   "dataset to burn, so its "
                                                                        "rightful publisher can publish it."),
                grant: Optional[Tuple[str, str]] = typer.Option(None, "--grant", metavar="ROLE ADDR",
                                                      help="ROLE ADDRESS: grant curator, verifier, validator, "
                                                           "allowlist or fee."),
                revoke: Optional[Tuple[str, str]] = typer.Option(None, "--revoke", metavar="ROLE ADDR",
                                                       help="ROLE ADDRESS: revoke a role."),
                allow_token: list[str] = typer.Option([], "--allow-token", help="ERC-20 to allow-list (repeat)."),
                disallow_token: list[str] = typer.Option([], "--disallow-token", help="ERC-20 to remove."),
                fee: Optional[int] = typer.Option(None, "--fee", help="Protocol fee in bps (with --treasury)."),
                treasury: Optional[str] = typer.Option(None, "--treasury", help="ADDRESS of the treasury for --fee."),
                call: Optional[str] = typer.Option(None, "--call", metavar="TARGET",
                                                   help="ADDRESS of any other call's target, with "
                                                   "--signature and --arg."),
                signature: Optional[str] = typer.Option(None, "--signature", help="e.g. 'setTerms(uint256,...)'."),
                arg: list[str] = typer.Option([], "--arg",
                                              help="VALUE of an argument of --signature (repeat, in order)."),
                guardian_: Optional[str] = typer.Option(None, "--guardian", metavar="ADDRESS",
                                                        help="ADDRESS to name the guardian (a Safe that may "
                                                             "cancel proposals, with a reason), or `none` to "
                                                             "remove it."),
                amend_charter: Optional[Path] = typer.Option(None, "--amend-charter", metavar="FILE",
                                                             help="FILE of the new charter document: pinned, and "
                                                                  "its CID proposed (a super-quorum of both houses)."),
                description: Optional[str] = typer.Option(None, "--description",
                                                          help="TEXT of the proposal (default: its actions, in "
                                                               "words)."),
                house_: Optional[str] = HouseOpt,
                rpc: Optional[str] = RpcOpt,
                account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Propose governance actions (several may go in one proposal); each is shown before it is sent.
    With two houses the proposal is made in the house(s) the charter asks for its calls."""
    try:
        chosen = _house_choice(house_, allow_both=True)
        commons = _commons(rpc, deployments)
        actions = _proposal_actions(commons, accept, reward, burn, grant, revoke, allow_token, disallow_token,
                                    fee, treasury, call, signature, arg)
        actions += _quality_actions(commons, accept, reward, by_quality, quality_policy, min_score, score_weights)
        if guardian_ is not None:
            from ..guardian import guardian_action

            actions.append(guardian_action(commons, None if guardian_.strip().lower() == "none" else guardian_))
        if amend_charter is not None:
            actions.append(proposals.amend_charter_action(commons, amend_charter))
        if not actions:
            raise OpenCommonsError("nothing to propose: give --accept, --burn, --grant, --revoke, --allow-token, "
                                   "--disallow-token, --fee, --quality-policy, --score-weights, --guardian or "
                                   "--call")
        for action in actions:
            say(f"action: {action.summary}")
        targets, calldatas = [a.target for a in actions], [a.calldata for a in actions]
        requirement = trust.required(commons, targets, calldatas)
        where = trust.houses_for(commons, requirement, chosen)
        if commons.has_houses:
            say(f"needs: {proposals.requirement_words(requirement)}")
        if any(h.name == "token" for h in where):
            proposals.check_proposable(commons, actions)
        if any(h.name == "contributors" for h in where) and not commons.house.functions.totalMembers().call():
            raise OpenCommonsError("the contributors' house has no members yet (no contributor's identity is "
                                   "attested), so the proposal could never pass there: a verifier attests first "
                                   "(`commons contributor verify ADDR --claim identity`); nothing proposed")
        text = description or "; ".join(a.summary for a in actions) + f" [{time.time()}]"
        sender = _sender(commons, account)
        for h in where:  # every house refuses the proposer before any house is sent it: never half-proposed
            trust.check_proposer(commons, h, sender.address)
        for h in where:
            receipt = _tx(f"proposed in {h.words}", commons, sender, h.governor.functions.propose(
                targets, [0] * len(actions), calldatas, text))
            proposal_id = h.governor.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"]
        say(f"proposal {proposal_id}")
    except OpenCommonsError as exc:
        fail(exc)


def _quality_actions(commons: suite.Commons, accept: Optional[str], reward: str, by_quality: bool,
                     quality_policy: Optional[str], min_score: int,
                     score_weights: Optional[str] = None) -> list[proposals.Action]:
    """The score's weights (setScoreWeights), the quality policy (setQualityPolicy) and a reward by
    it (rewardByQuality), previewed."""
    from ..quality import onchain

    actions: list[proposals.Action] = []
    if score_weights is not None:
        parts = [p.strip() for p in score_weights.split(",")]
        if len(parts) != 4 or not all(p.isdigit() for p in parts) or sum(int(p) for p in parts) != 10_000:
            raise OpenCommonsError(f"--score-weights {score_weights!r}: give four whole numbers of basis points "
                                   "(integrity,validity,uniqueness,ownership) summing to 10000")
        weights = [int(p) for p in parts]
        actions.append(proposals.Action(commons.rewards.address, bytes.fromhex(
            commons.rewards.encode_abi("setScoreWeights", [weights])[2:]),
            "weigh the quality score: integrity {}, validity {}, uniqueness {}, ownership {} bps".format(*weights)))
    if quality_policy is not None:
        base = queries.parse_amount(commons, quality_policy, queries.NATIVE)
        actions.append(proposals.Action(commons.rewards.address, bytes.fromhex(
            commons.rewards.encode_abi("setQualityPolicy", [base, min_score])[2:]),
            f"reward accepted datasets {queries.format_amount(commons, base, commons.token.address)} x median "
            "quality x median uniqueness, nothing below "
            f"quality {min_score}"))
    if by_quality:
        if accept is None or reward != "0":
            raise OpenCommonsError("--by-quality goes with --accept ID and without --reward")
        dataset_id = queries.parse_dataset_id(accept)
        quality, uniqueness, q, u, amount = onchain.reward_by_quality(commons, dataset_id)
        actions.append(proposals.Action(commons.rewards.address, bytes.fromhex(
            commons.rewards.encode_abi("rewardByQuality", [dataset_id, quality, uniqueness])[2:]),
            f"reward its contributors by quality: median quality {q} bps of quality attestation(s) "
            f"{', '.join(map(str, quality))}, uniqueness {u} bps of uniqueness attestation(s) "
            f"{', '.join(map(str, uniqueness))} = "
            f"{queries.format_amount(commons, amount, commons.token.address)}"))
    return actions


def _proposal_actions(commons: suite.Commons, accept: Optional[str], reward: str, burn: Optional[str],
                      grant: Optional[Tuple[str, str]], revoke: Optional[Tuple[str, str]], allow_token: list[str],
                      disallow_token: list[str], fee: Optional[int], treasury: Optional[str], call: Optional[str],
                      signature: Optional[str], arg: list[str]) -> list[proposals.Action]:
    actions: list[proposals.Action] = []
    if accept is not None and burn is not None:
        raise OpenCommonsError("name exactly one of --accept ID or --burn ID: a dataset is accepted or burnt")
    if accept is not None:
        dataset_id = queries.parse_dataset_id(accept)
        reward_wei = 0 if reward == "0" else queries.parse_amount(commons, reward, queries.NATIVE)
        targets, calldatas = queries.accept_and_reward_actions(commons, dataset_id, reward_wei)
        summaries = [f"accept dataset {dataset_id}", "reward its contributors "
                     f"{queries.format_amount(commons, reward_wei, commons.token.address)}"]
        actions += [proposals.Action(t, c, m) for t, c, m in zip(targets, calldatas, summaries)]
    if burn is not None:
        dataset_id = queries.parse_dataset_id(burn)
        if commons.nft.functions.statusOf(dataset_id).call() != 3:
            raise OpenCommonsError(f"dataset {dataset_id} is not Rejected: only a Rejected dataset can be burnt")
        actions.append(proposals.Action(commons.nft.address, bytes.fromhex(commons.nft.encode_abi("burn", [dataset_id])[2:]),
                              f"burn squatted dataset {dataset_id}"))
    for granting, pair in ((True, grant), (False, revoke)):
        if pair and pair[0] is not None:
            actions.append(proposals.role_action(commons, granting, pair[0], pair[1]))
    actions += [proposals.token_action(commons, t, True) for t in allow_token]
    actions += [proposals.token_action(commons, t, False) for t in disallow_token]
    if (fee is None) != (treasury is None):
        raise OpenCommonsError("--fee and --treasury go together")
    if fee is not None and treasury is not None:
        actions.append(proposals.fee_action(commons, fee, treasury))
    if (call is None) != (signature is None):
        raise OpenCommonsError("--call TARGET needs --signature 'name(types)' (and its --arg values)")
    if call is not None and signature is not None:
        actions.append(proposals.call_action(call, signature, arg))
    return actions


WaitOpt = typer.Option(False, "--wait", help="Wait until the proposal is ready for this step (polls the chain).")
MineOpt = typer.Option(False, "--mine", help="On a local dev chain: mine the blocks (and move the clock) the "
                                             "step waits for, instead of waiting.")
TimeoutOpt = typer.Option(3600.0, "--timeout", help="Seconds --wait waits at most.")


def _ready(commons: suite.Commons, proposal: int, step: str, mine_blocks: bool, wait: bool, timeout: float,
           governor: Any = None, extra_blocks: int = 0) -> None:
    """Brings the chain to where `step` (vote, queue, execute) can run: mined on a local chain
    with --mine, waited for with --wait, else checked once (the contract would revert). The
    charter's waiting period (`extra_blocks` after the vote) is waited for before a queue."""
    g = (governor or commons.governor).functions
    w3 = commons.w3

    def state() -> str:
        return str(queries.PROPOSAL_STATE[g.state(proposal).call()])

    ready: Callable[[], bool] = {
        "vote": lambda: state() != "Pending",
        "queue": lambda: state() not in ("Pending", "Active") and
        w3.eth.block_number > g.proposalDeadline(proposal).call() + extra_blocks,
        "execute": lambda: state() != "Queued" or
        w3.eth.get_block("latest")["timestamp"] >= g.proposalEta(proposal).call()}[step]

    def mine_step() -> None:
        if step == "vote":
            advance.mine(w3, max(1, g.proposalSnapshot(proposal).call() + 1 - w3.eth.block_number))
        elif step == "queue":
            advance.mine(w3, max(1, g.proposalDeadline(proposal).call() + extra_blocks + 1 - w3.eth.block_number))
        else:
            advance.mine(w3, 1, max(1, g.proposalEta(proposal).call() - w3.eth.get_block("latest")["timestamp"]))

    if mine_blocks or wait:
        if wait and not mine_blocks and not ready():
            say(f"waiting for {_awaited(commons, proposal, step)} (head: block {w3.eth.block_number}; "
                f"gives up after {present.duration(int(timeout))})")
        advance.wait_until(ready, mine_step if mine_blocks else None, timeout,
                           what=f"proposal {proposal} to allow {step}", head=lambda: w3.eth.block_number,
                           notice=lambda text: err.print(f"note: {text}", markup=False))
    expected = {"vote": ("Active",), "queue": ("Succeeded",), "execute": ("Queued",)}[step]
    if state() not in expected:
        view = queries.proposal_view(commons, proposal)
        raise OpenCommonsError(f"proposal {proposal} is {view['state']}, not {' or '.join(expected)}: cannot {step}"
                               + (f" ({view['next']})" if view.get("next") else ""))
    if step == "queue" and not ready():  # the charter would revert: say when, before sending
        until = g.proposalDeadline(proposal).call() + extra_blocks
        raise OpenCommonsError(f"proposal {proposal} burns or forfeits: the charter makes it wait until block "
                               f"{until + 1} ({until + 1 - w3.eth.block_number} blocks from now) so a dispute or "
                               "appeal can be raised; queue it then, or pass --wait (--mine on a local chain)")
    if step == "execute" and not ready():  # the timelock would revert: say when, before sending
        eta = g.proposalEta(proposal).call()
        left = eta - w3.eth.get_block("latest")["timestamp"]
        raise OpenCommonsError(f"proposal {proposal} is queued in the timelock until {present.when(eta)} (in "
                               f"{present.duration(left)}): execute it then, or pass --wait (--mine on a local chain)")


def _awaited(commons: suite.Commons, proposal: int, step: str) -> str:
    """What `step` waits for, in blocks or time."""
    g = commons.governor.functions
    if step == "vote":
        return f"block {g.proposalSnapshot(proposal).call() + 1}, when voting opens"
    if step == "queue":
        return f"block {g.proposalDeadline(proposal).call() + 1}, after voting closes"
    return f"{present.when(g.proposalEta(proposal).call())}, when the timelock delay ends"


@gov_app.command("vote")
def gov_vote(proposal: int, support: str, wait: bool = WaitOpt, mine_blocks: bool = MineOpt,
             timeout: float = TimeoutOpt, house_: Optional[str] = HouseOpt, rpc: Optional[str] = RpcOpt,
             account: Optional[str] = AccountOpt, deployments: Path = DeploymentsOpt) -> None:
    """Vote for, against or abstain: in the house named, or in every house of the proposal where the
    account has a vote (refused, with the reason, where it has none)."""
    try:
        if support.lower() not in actions.SUPPORT:  # refused before connecting
            raise OpenCommonsError(f"invalid vote {support!r}: use for, against or abstain")
        chosen = _house_choice(house_)
        commons = _commons(rpc, deployments)
        who = _sender(commons, account)
        where = trust.proposed_in(commons, proposal)
        if not where:
            raise queries.no_such_proposal(proposal)
        _ready(commons, proposal, "vote", mine_blocks, wait, timeout, governor=where[0].governor)
        for h, weight in trust.voting_houses(commons, who.address, proposal, chosen):
            actions.vote(commons, who, proposal, support, report=_said, governor=h.governor)
            unit = (queries.format_amount(commons, weight, commons.token.address) if h.name == "token"
                    else f"{weight} vote")
            say(f"weight {unit}" + (f" in {h.words}" if commons.has_houses else ""))
    except OpenCommonsError as exc:
        fail(exc)


def _run_proposal_step(step: str, label: str, proposal: int, rpc: Optional[str], account: Optional[str],
                       deployments: Path, wait: bool = False, mine_blocks: bool = False,
                       timeout: float = 3600.0) -> None:
    """queue/execute take the proposal's actions again: they are recovered from its event."""
    try:
        commons = _commons(rpc, deployments)
        p = trust.find(commons, proposal)
        if step == "queue":
            h = trust.queue_house(commons, proposal)
            _ready(commons, proposal, step, mine_blocks, wait, timeout, governor=h.governor,
                   extra_blocks=trust.wait_blocks(commons, p))
            fn = trust.queue_call(commons, h, p)
        else:
            h = trust.executing_house(commons, proposal)
            _ready(commons, proposal, step, mine_blocks, wait, timeout, governor=h.governor)
            fn = h.governor.functions.execute(p.targets, p.values, p.calldatas, p.description_hash)
        _tx(label + (f" (passed in {h.words})" if commons.has_houses else ""), commons, _sender(commons, account), fn)
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("queue")
def gov_queue(proposal: int, wait: bool = WaitOpt, mine_blocks: bool = MineOpt, timeout: float = TimeoutOpt,
              rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
              deployments: Path = DeploymentsOpt) -> None:
    """Queue a passed proposal in the timelock."""
    _run_proposal_step("queue", "queued", proposal, rpc, account, deployments, wait, mine_blocks, timeout)


@gov_app.command("execute")
def gov_execute(proposal: int, wait: bool = WaitOpt, mine_blocks: bool = MineOpt, timeout: float = TimeoutOpt,
                rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
                deployments: Path = DeploymentsOpt) -> None:
    """Execute a queued proposal once the timelock delay has passed."""
    _run_proposal_step("execute", "executed", proposal, rpc, account, deployments, wait, mine_blocks, timeout)


@gov_app.command("list")
def gov_list(as_json: bool = JsonOpt, db: Optional[str] = DbOpt, no_index: bool = NoIndexOpt,
             rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """Every proposal of this commons with its state."""
    try:
        commons = _commons(rpc, deployments)
        reader = _reader(commons, db, no_index)
        rows = reader.list_proposals(commons.w3.eth.block_number)
        if not rows and not as_json:
            say("no proposals yet")
            return
        _emit(rows, as_json)
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("status")
def gov_status(proposal: int, as_json: bool = JsonOpt, db: Optional[str] = DbOpt, no_index: bool = NoIndexOpt,
               rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """A proposal's state and tallies."""
    try:
        commons = _commons(rpc, deployments)
        reader = _reader(commons, db, no_index)
        view = queries.present_proposal(commons, reader.proposal_facts(proposal, commons.w3.eth.block_number))
        if view.get("state") == "Canceled":
            from ..guardian import cancellation

            found = cancellation(commons, proposal)
            if found:
                view["cancelledBy"], view["cancelReason"] = found
        if commons.has_houses:
            p = trust.find(commons, proposal)
            view["needs"] = trust.required(commons, p.targets, p.calldatas)
            view["houses"] = trust.tallies(commons, proposal)
        if as_json:
            _emit(view, as_json)
            return
        for line in present.proposal_lines(view):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("charter")
def gov_charter(as_json: bool = JsonOpt, rpc: Optional[str] = RpcOpt, deployments: Path = DeploymentsOpt) -> None:
    """The commons' charter: its document, which house decides what, the super-quorum, the caps."""
    try:
        commons = _commons(rpc, deployments)
        view = trust.charter_view(commons)
        if as_json:
            _emit(view, as_json)
            return
        for line in present.charter_lines(view):
            say(line)
    except OpenCommonsError as exc:
        fail(exc)


@gov_app.command("sync")
def gov_sync(address: str, rpc: Optional[str] = RpcOpt, account: Optional[str] = AccountOpt,
             deployments: Path = DeploymentsOpt) -> None:
    """Bring ADDRESS's vote in the contributors' house in line with the registry (an expired
    identity attestation, which no transaction announces, loses its vote this way)."""
    try:
        if not web3.Web3.is_address(address):
            raise OpenCommonsError(f"malformed address {address!r}")
        commons = _commons(rpc, deployments)
        h = trust.house(commons, "contributors")
        who = web3.Web3.to_checksum_address(address)
        before = bool(h.votes.functions.isMember(who).call())
        _tx("synced", commons, _sender(commons, account), h.votes.functions.sync(who))
        after = bool(h.votes.functions.isMember(who).call())
        say(f"{who} " + ("has a vote in the contributors' house" if after else "has no vote in the contributors' "
                         "house") + (" (unchanged)" if before == after else " (changed)"))
    except OpenCommonsError as exc:
        fail(exc)
