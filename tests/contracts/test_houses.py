"""Two houses and a charter (issue 37): one non-transferable, checkpointed vote per verified
contributor; the charter queues every passed proposal and holds a captured token house to the
houses each call needs, the super-quorum for the rules, and the caps."""
from dataclasses import replace

import brownie
import pytest
from brownie import CommonsCharter, CommonsGovernor, CommonsToken, ContributorRegistry, ContributorVotes, \
    ContributorsGovernor, DatasetNFT, RoyaltyVault, chain, web3

from conftest import CODEC_RAW, KE_EDUCATION, err, random_digest
from opencommons.chain.deploy import Bootstrap, deploy_suite
from opencommons.chain.houses import TRUST_RULES, claim_type
from opencommons.chain.profiles import PROFILES
from opencommons.chain.transactions import NodeAccount

ACTIVE, SUCCEEDED, QUEUED = 1, 4, 5
EITHER, TOKEN, CONTRIBUTORS, BOTH, SUPER = 1, 2, 3, 4, 5
FOR = 1
IDENTITY = claim_type("identity")
WAIT = 5


@pytest.fixture(scope="module")
def trust(admin, accounts):
    """A data trust: the network rules on dev timings; accounts[1] holds the whole token supply
    (a captured token house); accounts[4..6] are verified contributors, accounts[7] registered only."""
    settings = replace(PROFILES["dev"], wait_blocks=WAIT, spend_eth_wei=10**18, spend_tokens=1_000 * 10**18,
                       max_fee_bps=300)
    deployment = deploy_suite(web3, NodeAccount(admin.address), settings=settings,
                              bootstrap=Bootstrap(verifiers=[admin.address], house_rules=dict(TRUST_RULES)))
    a = deployment.addresses
    s = {
        "token": CommonsToken.at(a["CommonsToken"]), "governor": CommonsGovernor.at(a["CommonsGovernor"]),
        "house": ContributorVotes.at(a["ContributorVotes"]),
        "council": ContributorsGovernor.at(a["ContributorsGovernor"]),
        "charter": CommonsCharter.at(a["CommonsCharter"]), "registry": ContributorRegistry.at(a["ContributorRegistry"]),
        "nft": DatasetNFT.at(a["DatasetNFT"]), "vault": RoyaltyVault.at(a["RoyaltyVault"]),
        "timelock": a["CommonsTimelock"],
    }
    s["token"].transfer(accounts[1], s["token"].balanceOf(admin), {"from": admin})
    expires = chain.time() + 365 * 86_400
    for person in accounts[4:8]:
        s["registry"].register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": person})
    for person in accounts[4:7]:
        s["registry"].attestClaim(person, IDENTITY, expires, {"from": admin})
    admin.transfer(s["timelock"], "5 ether")  # the treasury
    chain.mine(1)
    return s


def _propose(s, houses, targets, calldatas, description, proposers):
    ids = set()
    for name, proposer in zip(houses, proposers):
        g = s["governor"] if name == "token" else s["council"]
        ids.add(g.propose(targets, [0] * len(targets), calldatas, description, {"from": proposer}).return_value)
    assert len(ids) == 1  # the same id in both houses
    return ids.pop()


def _pass(s, houses, targets, calldatas, description, accounts, values=None):
    """Proposed in `houses`, voted For by the token whale and/or every verified contributor."""
    values = values or [0] * len(targets)
    proposal = None
    for name in houses:
        g = s["governor"] if name == "token" else s["council"]
        proposer = accounts[1] if name == "token" else accounts[4]
        proposal = g.propose(targets, values, calldatas, description, {"from": proposer}).return_value
    chain.mine(2)
    for name in houses:
        if name == "token":
            s["governor"].castVote(proposal, FOR, {"from": accounts[1]})
        else:
            for person in accounts[4:7]:
                s["council"].castVote(proposal, FOR, {"from": person})
    chain.mine(21)
    return proposal, (targets, values, calldatas, web3.keccak(text=description))


def test_one_vote_per_verified_contributor_only(trust, accounts, admin):
    house, registry = trust["house"], trust["registry"]
    assert [house.getVotes(p) for p in accounts[4:8]] == [1, 1, 1, 0]  # accounts[7]: registered, unverified
    assert house.totalMembers() == 3 and not hasattr(house, "transfer")  # nothing to buy or pass on
    assert house.getVotes(accounts[1]) == 0  # the token whale has no contributor vote
    registry.revokeClaim(accounts[6], IDENTITY, {"from": admin})
    assert house.getVotes(accounts[6]) == 0 and house.totalMembers() == 2
    registry.deactivate({"from": accounts[5]})
    assert house.getVotes(accounts[5]) == 0
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[5]})  # back, claim still live
    assert house.getVotes(accounts[5]) == 1
    house.delegate(accounts[4], {"from": accounts[5]})  # delegable, like the token
    assert (house.getVotes(accounts[4]), house.getVotes(accounts[5])) == (2, 0)
    before = chain.height
    chain.mine(1)
    assert house.getPastVotes(accounts[4], before) == 2  # checkpointed: snapshots work
    house.sync(accounts[7], {"from": accounts[9]})  # anyone may sync; an unverified account stays out
    assert house.getVotes(accounts[7]) == 0


def test_a_vote_needs_membership_at_the_snapshot(trust, accounts, admin):
    targets, calldatas = [trust["nft"].address], [trust["nft"].setDefaultRoyalty.encode_input(400)]
    proposal = _propose(trust, ["contributors"], targets, calldatas, "late member", [accounts[4]])
    chain.mine(2)  # past the snapshot (the next block)
    trust["registry"].attestClaim(accounts[7], IDENTITY, chain.time() + 86_400, {"from": admin})
    assert trust["house"].getVotes(accounts[7]) == 1
    tx = trust["council"].castVote(proposal, FOR, {"from": accounts[7]})
    assert tx.events["VoteCast"]["weight"] == 0  # verified after the snapshot: counts nothing
    assert trust["council"].castVote(proposal, FOR, {"from": accounts[4]}).events["VoteCast"]["weight"] == 1


def test_a_token_majority_cannot_pass_a_two_house_action_alone(trust, accounts):
    vault, charter, governor = trust["vault"], trust["charter"], trust["governor"]
    targets, calldatas = [vault.address], [vault.setProtocolFee.encode_input(200, trust["timelock"])]
    assert charter.requiredHouse(targets, calldatas) == BOTH
    proposal, args = _pass(trust, ["token"], targets, calldatas, "fee by the whale", accounts)
    assert governor.state(proposal) == SUCCEEDED
    with brownie.reverts(err("CommonsGovernorQueueThroughCharter", charter.address)):
        governor.queue(*args, {"from": accounts[1]})  # never around the charter
    with brownie.reverts(err("CommonsCharterNeedsHouse", proposal, BOTH)):
        charter.queue(governor, *args, {"from": accounts[1]})
    # the same calls passed by the contributors too: now it may be queued, once
    proposal2, args2 = _pass(trust, ["token", "contributors"], targets, calldatas, "fee by both", accounts)
    charter.queue(trust["council"], *args2, {"from": accounts[9]})
    assert trust["council"].state(proposal2) == QUEUED
    with brownie.reverts(err("CommonsCharterAlreadyQueued", proposal2)):
        charter.queue(governor, *args2, {"from": accounts[9]})
    chain.sleep(61)
    trust["council"].execute(*args2, {"from": accounts[9]})
    assert vault.protocolFee()[0] == 200


def test_routine_curation_passes_in_either_house(trust, accounts):
    nft, charter = trust["nft"], trust["charter"]
    targets, calldatas = [nft.address], [nft.setSuspended.encode_input(1, 3)]
    assert charter.requiredHouse(targets, calldatas) == EITHER
    proposal, args = _pass(trust, ["contributors"], targets, calldatas, "curation by the contributors", accounts)
    charter.queue(trust["council"], *args, {"from": accounts[9]})  # the contributors' house alone
    assert trust["council"].state(proposal) == QUEUED


def test_caps_hold_against_a_captured_commons(trust, accounts):
    vault, charter, nft = trust["vault"], trust["charter"], trust["nft"]
    both = ["token", "contributors"]
    # the highest fee: even both houses cannot pass a fee above it
    targets, calldatas = [vault.address], [vault.setProtocolFee.encode_input(900, trust["timelock"])]
    _, args = _pass(trust, both, targets, calldatas, "fee above the cap", accounts)
    with brownie.reverts(err("CommonsCharterFeeCap", 900, 300)):
        charter.queue(trust["governor"], *args, {"from": accounts[9]})
    # the treasury's spending per period (ETH sent, tokens moved)
    _, args = _pass(trust, both, [accounts[8].address], [b""], "drain the treasury", accounts, values=[2 * 10**18])
    with brownie.reverts(err("CommonsCharterSpendingCap", "0x" + "00" * 20, 2 * 10**18, 10**18)):
        charter.queue(trust["governor"], *args, {"from": accounts[9]})
    _, args = _pass(trust, both, [accounts[8].address], [b""], "spend within the cap", accounts, values=[6 * 10**17])
    charter.queue(trust["governor"], *args, {"from": accounts[9]})
    _, args = _pass(trust, both, [accounts[8].address], [b""], "spend past the cap", accounts, values=[6 * 10**17])
    with brownie.reverts(err("CommonsCharterSpendingCap", "0x" + "00" * 20, 6 * 10**17, 4 * 10**17)):
        charter.queue(trust["governor"], *args, {"from": accounts[9]})
    mint = [trust["token"].mint.encode_input(accounts[1], 5_000 * 10**18)]
    _, args = _pass(trust, both, [trust["token"].address], mint, "mint to the whale", accounts)
    with brownie.reverts(err("CommonsCharterSpendingCap", trust["token"].address, 5_000 * 10**18, 1_000 * 10**18)):
        charter.queue(trust["governor"], *args, {"from": accounts[9]})
    # a burn waits after its vote, so a dispute or appeal can be raised
    proposal, args = _pass(trust, both, [nft.address], [nft.burn.encode_input(12345)], "burn", accounts)
    deadline = trust["governor"].proposalDeadline(proposal)
    assert charter.waitBlocksFor([nft.burn.encode_input(12345)]) == WAIT
    if chain.height <= deadline + WAIT:
        with brownie.reverts(err("CommonsCharterWaiting", proposal, deadline + WAIT)):
            charter.queue(trust["governor"], *args, {"from": accounts[9]})
    chain.mine(WAIT + 1)
    charter.queue(trust["governor"], *args, {"from": accounts[9]})
    # the caps change only by amendment: never directly, and not without a super-quorum of both
    caps = charter.caps()
    with brownie.reverts(err("CommonsCharterUnauthorized", accounts[1])):
        charter.amend("bafkreiamended", 2_000, (1_000,) + tuple(caps)[1:], {"from": accounts[1]})
    amend = [charter.amend.encode_input("bafkreiamended", 2_000, (1_000,) + tuple(caps)[1:])]
    assert charter.requiredHouse([charter.address], amend) == SUPER
    proposal, args = _pass(trust, ["token"], [charter.address], amend, "raise the fee cap", accounts)
    with brownie.reverts(err("CommonsCharterNeedsHouse", proposal, SUPER)):
        charter.queue(trust["governor"], *args, {"from": accounts[9]})


def test_a_rule_change_needs_the_super_quorum_of_both(trust, accounts, admin):
    charter = trust["charter"]
    amend = [charter.amend.encode_input("bafkreiamended", 2_000, tuple(charter.caps()))]
    for person in (accounts[3], accounts[7], accounts[8]):  # six members: the 20% super-quorum is 2 votes
        if not trust["registry"].isRegistered(person):
            trust["registry"].register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": person})
        trust["registry"].attestClaim(person, IDENTITY, chain.time() + 86_400, {"from": admin})
    assert trust["house"].totalMembers() == 6

    def amend_with(description, contributors):
        for g, proposer in ((trust["governor"], accounts[1]), (trust["council"], accounts[4])):
            proposal = g.propose([charter.address], [0], amend, description, {"from": proposer}).return_value
        chain.mine(2)
        trust["governor"].castVote(proposal, FOR, {"from": accounts[1]})
        for person in contributors:
            trust["council"].castVote(proposal, FOR, {"from": person})
        chain.mine(21)
        assert trust["council"].state(proposal) == SUCCEEDED  # the house's ordinary quorum (10%) is met
        return proposal, ([charter.address], [0], amend, web3.keccak(text=description))

    proposal, args = amend_with("amend with one contributor", accounts[4:5])
    with brownie.reverts(err("CommonsCharterSuperQuorum", proposal, trust["council"].address, 1, 2, 1)):
        charter.queue(trust["governor"], *args, {"from": accounts[9]})
    proposal, args = amend_with("amend with two contributors", accounts[4:6])
    charter.queue(trust["governor"], *args, {"from": accounts[9]})
    chain.sleep(61)
    trust["governor"].execute(*args, {"from": accounts[9]})
    assert charter.cid() == "bafkreiamended"
