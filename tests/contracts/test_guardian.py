"""The proposal guardian (issue 37): an account the commons names (a Safe in practice) cancels a
proposal during its vote or its timelock delay, always with a reason on the record, and can do
nothing else; governance replaces or removes it; without one, proposers keep OpenZeppelin's
default (their own proposal, before the vote)."""
import brownie
import pytest
from brownie import CommonsGovernor, CommonsTimelock, CommonsToken, ZERO_ADDRESS, chain, web3

from conftest import err

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
FOR = 1
DELAY = 60


@pytest.fixture(scope="module")
def governed(admin, accounts):
    """Token (all to accounts[1], who votes), timelock (the governor proposes and cancels),
    governor with accounts[8] as its guardian."""
    token = CommonsToken.deploy("Guarded", "GRD", admin, accounts[1], 10**24, {"from": admin})
    timelock = CommonsTimelock.deploy(DELAY, [], [ZERO_ADDRESS], admin, {"from": admin})
    governor = CommonsGovernor.deploy("Guarded Commons", token, timelock, (1, 20, 0, 4, accounts[8], ZERO_ADDRESS),
                                      {"from": admin})
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE()):
        timelock.grantRole(role, governor, {"from": admin})
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), admin, {"from": admin})
    return governor, timelock


def _proposal(governor, description):
    """A proposal that sets the voting delay to 2 (the governor governs itself)."""
    return [governor.address], [0], [governor.setVotingDelay.encode_input(2)], description


def _hash(description):
    return web3.keccak(text=description)


def test_guardian_cancels_during_the_vote_with_a_reason(governed, accounts):
    governor, _ = governed
    assert governor.proposalGuardian() == accounts[8]
    targets, values, calldatas, description = _proposal(governor, "vote then cancel")
    proposal = governor.propose(targets, values, calldatas, description, {"from": accounts[1]}).return_value
    chain.mine(2)
    assert governor.state(proposal) == ACTIVE
    with brownie.reverts(err("CommonsGovernorReasonRequired", proposal)):  # never without saying why
        governor.cancel(targets, values, calldatas, _hash(description), {"from": accounts[8]})
    with brownie.reverts(err("CommonsGovernorReasonRequired", proposal)):
        governor.cancelWithReason(targets, values, calldatas, _hash(description), "", {"from": accounts[8]})
    with brownie.reverts(err("GovernorUnableToCancel", proposal, accounts[5])):  # nobody else
        governor.cancelWithReason(targets, values, calldatas, _hash(description), "mine", {"from": accounts[5]})
    with brownie.reverts(err("GovernorUnableToCancel", proposal, accounts[1])):  # the proposer: not once voting
        governor.cancel(targets, values, calldatas, _hash(description), {"from": accounts[1]})
    tx = governor.cancelWithReason(targets, values, calldatas, _hash(description),
                                   "captures the curation role for one holder", {"from": accounts[8]})
    assert tx.events["ProposalCanceled"]["proposalId"] == proposal
    event = tx.events["ProposalCancelledWithReason"]
    assert (event["proposalId"], event["by"], event["reason"]) == (
        proposal, accounts[8], "captures the curation role for one holder")
    assert governor.state(proposal) == CANCELED


def test_guardian_cancels_during_the_timelock_delay(governed, accounts):
    governor, timelock = governed
    targets, values, calldatas, description = _proposal(governor, "queued then cancel")
    proposal = governor.propose(targets, values, calldatas, description, {"from": accounts[1]}).return_value
    chain.mine(2)
    governor.castVote(proposal, FOR, {"from": accounts[1]})
    chain.mine(21)
    governor.queue(targets, values, calldatas, _hash(description), {"from": accounts[1]})
    assert governor.state(proposal) == QUEUED
    operation = timelock.hashOperationBatch(targets, values, calldatas, 0, _salt(governor, description))
    assert timelock.isOperationPending(operation)
    governor.cancelWithReason(targets, values, calldatas, _hash(description), "the vote was bought",
                              {"from": accounts[8]})
    assert governor.state(proposal) == CANCELED and not timelock.isOperationPending(operation)
    chain.sleep(DELAY + 1)
    with brownie.reverts():  # nothing left to execute
        governor.execute(targets, values, calldatas, _hash(description), {"from": accounts[1]})


def _salt(governor, description):
    """GovernorTimelockControl's salt: the governor's address (20 bytes, left) xor the description hash."""
    return bytes(a ^ b for a, b in zip(bytes.fromhex(governor.address[2:]) + bytes(12), _hash(description)))


def test_governance_replaces_and_removes_the_guardian(governed, accounts):
    governor, _ = governed
    with brownie.reverts(err("GovernorOnlyExecutor", accounts[8])):  # the guardian cannot name itself anew
        governor.setProposalGuardian(accounts[9], {"from": accounts[8]})
    for new in (accounts[9], ZERO_ADDRESS):
        targets, values, calldatas = [governor.address], [0], [governor.setProposalGuardian.encode_input(new)]
        description = f"guardian {new}"
        proposal = governor.propose(targets, values, calldatas, description, {"from": accounts[1]}).return_value
        chain.mine(2)
        governor.castVote(proposal, FOR, {"from": accounts[1]})
        chain.mine(21)
        governor.queue(targets, values, calldatas, _hash(description), {"from": accounts[1]})
        chain.sleep(DELAY + 1)
        tx = governor.execute(targets, values, calldatas, _hash(description), {"from": accounts[1]})
        assert tx.events["ProposalGuardianSet"]["newProposalGuardian"] == new
        assert governor.proposalGuardian() == new
    # no guardian: a proposer cancels its own proposal before the vote only (OpenZeppelin's default)
    targets, values, calldatas, description = _proposal(governor, "no guardian")
    proposal = governor.propose(targets, values, calldatas, description, {"from": accounts[1]}).return_value
    with brownie.reverts(err("GovernorUnableToCancel", proposal, accounts[8])):  # the old guardian is no one now
        governor.cancelWithReason(targets, values, calldatas, _hash(description), "still me", {"from": accounts[8]})
    chain.mine(2)
    with brownie.reverts(err("GovernorUnableToCancel", proposal, accounts[1])):
        governor.cancel(targets, values, calldatas, _hash(description), {"from": accounts[1]})
