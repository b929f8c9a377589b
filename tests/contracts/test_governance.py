"""Governance: the wired suite, token auto-delegation, the proposal lifecycle, rewards, roles."""
import brownie
import pytest
from brownie import (ZERO_ADDRESS, CommonsCharter, CommonsGovernor, CommonsTimelock, CommonsToken, ContributionRewards,
                     ContributorRegistry, DatasetAttestations, DatasetNFT, RoyaltyVault, chain, web3)
from eth_account import Account
from eth_account.messages import encode_typed_data

from conftest import CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, err, random_digest, reveal
from opencommons.chain.deploy import deploy_suite
from opencommons.chain.transactions import NodeAccount

AGAINST, FOR, ABSTAIN = 0, 1, 2
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
ACCEPTED, RETIRED = 2, 4


@pytest.fixture(scope="module")
def suite(admin):
    deployment = deploy_suite(web3, NodeAccount(admin.address))
    a = deployment.addresses
    return {
        "deployment": deployment,
        "timelock": CommonsTimelock.at(a["CommonsTimelock"]),
        "token": CommonsToken.at(a["CommonsToken"]),
        "governor": CommonsGovernor.at(a["CommonsGovernor"]),
        "registry": ContributorRegistry.at(a["ContributorRegistry"]),
        "nft": DatasetNFT.at(a["DatasetNFT"]),
        "vault": RoyaltyVault.at(a["RoyaltyVault"]),
        "attestations": DatasetAttestations.at(a["DatasetAttestations"]),
        "rewards": ContributionRewards.at(a["ContributionRewards"]),
        "charter": CommonsCharter.at(a["CommonsCharter"]),
    }


@pytest.fixture(scope="module")
def voters(suite, accounts, admin):
    """accounts[1..3] get 100k, 50k, 10k tokens; they never call delegate."""
    for account, amount in zip(accounts[1:4], (100_000, 50_000, 10_000)):
        suite["token"].transfer(account, amount * 10**18, {"from": admin})
    return list(accounts[1:4])


@pytest.fixture(scope="module")
def dataset(suite, accounts):
    registry, nft = suite["registry"], suite["nft"]
    people = sorted([accounts[4], accounts[5]], key=lambda a: int(a.address, 16))
    for person in people:
        registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": person})
    content = random_digest()
    reveal(nft, (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
                 [(people[0].address, 7000), (people[1].address, 3000)]), people[0])
    return int.from_bytes(content, "big"), people


def accept_and_reward(suite, dataset_id, people, amount=1000 * 10**18):
    nft, rewards = suite["nft"], suite["rewards"]
    targets = [nft.address, rewards.address]
    calldatas = [nft.curate.encode_input(dataset_id, ACCEPTED),
                 rewards.reward.encode_input(dataset_id, amount)]
    return targets, [0, 0], calldatas


def run_proposal(suite, proposer, targets, values, calldatas, description, votes):
    governor = suite["governor"]
    tx = governor.propose(targets, values, calldatas, description, {"from": proposer})
    proposal_id = tx.return_value
    chain.mine(governor.votingDelay() + 1)
    assert governor.state(proposal_id) == ACTIVE
    for voter, support in votes:
        governor.castVote(proposal_id, support, {"from": voter})
    chain.mine(governor.votingPeriod() + 1)
    return proposal_id


def test_deploy_hands_every_role_to_timelock(suite, admin):
    tl = suite["timelock"]
    checks = [(suite["registry"], ["DEFAULT_ADMIN_ROLE", "VERIFIER_ROLE"]),
              (suite["nft"], ["DEFAULT_ADMIN_ROLE", "CURATOR_ROLE"]),
              (suite["vault"], ["DEFAULT_ADMIN_ROLE", "ALLOWLIST_ROLE", "FEE_ROLE"]),
              (suite["attestations"], ["DEFAULT_ADMIN_ROLE", "VALIDATOR_ROLE"]),
              (suite["token"], ["DEFAULT_ADMIN_ROLE", "MINTER_ROLE"])]
    for contract, roles in checks:
        for role in roles:
            role_id = getattr(contract, role)()
            assert contract.hasRole(role_id, tl), (contract, role)
            assert not contract.hasRole(role_id, admin), (contract, role)
    assert not tl.hasRole(tl.DEFAULT_ADMIN_ROLE(), admin)
    assert tl.hasRole(tl.PROPOSER_ROLE(), suite["governor"])
    assert tl.hasRole(tl.CANCELLER_ROLE(), suite["governor"])
    assert tl.hasRole(tl.EXECUTOR_ROLE(), ZERO_ADDRESS)
    assert suite["rewards"].owner() == tl
    assert suite["vault"].protocolFee()[1] == tl


def test_transfer_self_delegates_recipient_who_never_delegated(suite, voters):
    token = suite["token"]
    assert token.delegates(voters[0]) == voters[0]
    assert token.getVotes(voters[0]) == 100_000 * 10**18


def test_a_first_receipt_votes_at_once_and_writes_no_delegation(suite, voters):
    """An account that never delegated is its own delegate without a stored delegation: its
    first receipt emits no DelegateChanged, yet its votes count from that block."""
    token = suite["token"]
    newcomer = Account.create().address
    assert token.delegates(newcomer) == newcomer
    tx = token.transfer(newcomer, 7 * 10**18, {"from": voters[0]})
    assert "DelegateChanged" not in tx.events
    assert tx.events["DelegateVotesChanged"][-1]["delegate"] == newcomer
    chain.mine()
    assert token.getVotes(newcomer) == token.getPastVotes(newcomer, tx.block_number) == 7 * 10**18
    assert token.delegates(ZERO_ADDRESS) == ZERO_ADDRESS


def test_delegate_explicit_wins_over_auto_delegation(suite, voters):
    token = suite["token"]
    tx = token.delegate(voters[1], {"from": voters[2]})
    assert tx.events["DelegateChanged"]["toDelegate"] == voters[1]
    token.transfer(voters[2], 10**18, {"from": voters[0]})
    assert token.delegates(voters[2]) == voters[1]
    assert token.getVotes(voters[1]) == 60_001 * 10**18


def test_delegate_reverts_to_zero_address(suite, voters):
    with brownie.reverts(err("CommonsTokenZeroDelegatee", voters[0])):
        suite["token"].delegate(ZERO_ADDRESS, {"from": voters[0]})


def test_delegate_by_sig_moves_votes(suite, admin):
    token = suite["token"]
    holder = Account.create()
    token.transfer(holder.address, 5 * 10**18, {"from": admin})
    expiry = chain.time() + 3600
    data = {
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"},
                                   {"name": "verifyingContract", "type": "address"}],
                  "Delegation": [{"name": "delegatee", "type": "address"}, {"name": "nonce", "type": "uint256"},
                                 {"name": "expiry", "type": "uint256"}]},
        "primaryType": "Delegation",
        "domain": {"name": "OpenCommons", "version": "1", "chainId": chain.id, "verifyingContract": token.address},
        "message": {"delegatee": admin.address, "nonce": 0, "expiry": expiry},
    }
    sig = Account.sign_message(encode_typed_data(full_message=data), holder.key)
    token.delegateBySig(admin, 0, expiry, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"), {"from": admin})
    assert token.delegates(holder.address) == admin


def test_mint_reverts_for_non_minter(suite, voters):
    token = suite["token"]
    with brownie.reverts(err("AccessControlUnauthorizedAccount", voters[0], bytes(token.MINTER_ROLE()))):
        token.mint(voters[0], 1, {"from": voters[0]})


def test_proposal_lifecycle_accepts_dataset_and_rewards_contributors(suite, voters, dataset):
    dataset_id, people = dataset
    governor, token, nft = suite["governor"], suite["token"], suite["nft"]
    targets, values, calldatas = accept_and_reward(suite, dataset_id, people)
    description = "Accept dataset and reward its contributors"
    tx = governor.propose(targets, values, calldatas, description, {"from": voters[0]})
    proposal_id = tx.return_value
    assert governor.state(proposal_id) == PENDING
    chain.mine(governor.votingDelay() + 1)
    governor.castVote(proposal_id, FOR, {"from": voters[0]})
    governor.castVote(proposal_id, AGAINST, {"from": voters[1]})
    governor.castVote(proposal_id, ABSTAIN, {"from": voters[2]})
    assert governor.proposalVotes(proposal_id) == (50_000 * 10**18, 100_000 * 10**18, 10_000 * 10**18)
    chain.mine(governor.votingPeriod() + 1)
    assert governor.state(proposal_id) == SUCCEEDED
    desc_hash = web3.keccak(text=description)
    suite["charter"].queue(governor, targets, values, calldatas, desc_hash, {"from": voters[0]})
    assert governor.state(proposal_id) == QUEUED
    with brownie.reverts(revert_pattern=r"TimelockUnexpectedOperationState: .*"):
        governor.execute(targets, values, calldatas, desc_hash, {"from": voters[0]})
    chain.sleep(suite["deployment"].settings["timelock_delay_s"] + 1)
    chain.mine()
    tx = governor.execute(targets, values, calldatas, desc_hash, {"from": voters[1]})
    assert governor.state(proposal_id) == EXECUTED
    assert nft.statusOf(dataset_id) == ACCEPTED
    assert tx.events["DatasetRewarded"]["amount"] == 1000 * 10**18
    assert suite["rewards"].isRewarded(dataset_id)
    # pull-based: each contributor claims its part (anyone may claim for it)
    rewards = suite["rewards"]
    assert rewards.claimableOf(dataset_id, people[0]) == 700 * 10**18
    for person in people:
        claim = rewards.claimFor(person, [dataset_id], {"from": voters[2]})
        assert claim.events["ContributionRewarded"]["amount"] == nft.shareOf(dataset_id, person) * 10**17
    # auto-delegation: the rewarded contributors hold voting power without any transaction
    assert token.getVotes(people[0]) == 700 * 10**18
    assert rewards.claimableOf(dataset_id, people[0]) == 0
    with brownie.reverts(err("ContributionRewardsNothingToClaim", people[0])):
        rewards.claimFor(people[0], [dataset_id], {"from": people[0]})


def _ballot(governor, proposal_id, voter, nonce, key, name="OpenCommons Governor"):
    """A Ballot signed with `key` in the governor's EIP-712 domain (by default the name every governor
    of the suite signs under)."""
    data = {
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"},
                                   {"name": "verifyingContract", "type": "address"}],
                  "Ballot": [{"name": "proposalId", "type": "uint256"}, {"name": "support", "type": "uint8"},
                             {"name": "voter", "type": "address"}, {"name": "nonce", "type": "uint256"}]},
        "primaryType": "Ballot",
        "domain": {"name": name, "version": "1", "chainId": chain.id, "verifyingContract": governor.address},
        "message": {"proposalId": proposal_id, "support": FOR, "voter": voter, "nonce": nonce},
    }
    return Account.sign_message(encode_typed_data(full_message=data), key).signature


def test_cast_vote_by_sig_counts_for_signer(suite, voters, dataset, admin):
    governor, token = suite["governor"], suite["token"]
    signer = Account.create()
    token.transfer(signer.address, 20_000 * 10**18, {"from": admin})
    chain.mine()
    targets, values, calldatas = accept_and_reward(suite, dataset[0], dataset[1])
    tx = governor.propose(targets, values, calldatas, "by sig", {"from": voters[0]})
    proposal_id = tx.return_value
    chain.mine(governor.votingDelay() + 1)
    # the domain a wallet reads (EIP-5267): the suite's one name and version, this governor's address
    fields, name, version, chain_id, verifying, _, _ = governor.eip712Domain()
    assert (name, version, chain_id, verifying) == ("OpenCommons Governor", "1", chain.id, governor.address)
    sig = _ballot(governor, proposal_id, signer.address, 0, signer.key)
    tx = governor.castVoteBySig(proposal_id, FOR, signer.address, sig, {"from": voters[1]})
    assert tx.events["VoteCast"]["voter"] == signer.address
    assert governor.hasVoted(proposal_id, signer.address)
    with brownie.reverts(err("GovernorInvalidSignature", signer.address)):
        governor.castVoteBySig(proposal_id, FOR, signer.address, sig, {"from": voters[1]})


def test_cast_vote_by_sig_of_a_contract_account_asks_its_code(suite, voters, dataset, admin, MockContractWallet):
    """A ballot for a contract account (a smart wallet, a Safe) is valid when its code says so
    (ERC-1271): its owner's key is not the account's, so the key's own check fails first."""
    governor, token = suite["governor"], suite["token"]
    owner, stranger = Account.create(), Account.create()
    wallet = MockContractWallet.deploy(owner.address, {"from": admin})
    token.transfer(wallet.address, 20_000 * 10**18, {"from": admin})
    chain.mine()
    targets, values, calldatas = accept_and_reward(suite, dataset[0], dataset[1])
    proposal_id = governor.propose(targets, values, calldatas, "a wallet votes", {"from": voters[0]}).return_value
    chain.mine(governor.votingDelay() + 1)
    # a key the wallet does not accept: refused (the nonce is used only by a ballot that counts)
    with brownie.reverts(err("GovernorInvalidSignature", wallet.address)):
        governor.castVoteBySig(proposal_id, FOR, wallet.address, _ballot(governor, proposal_id, wallet.address, 0,
                                                                          stranger.key), {"from": voters[1]})
    tx = governor.castVoteBySig(proposal_id, FOR, wallet.address,
                                _ballot(governor, proposal_id, wallet.address, 0, owner.key), {"from": voters[1]})
    assert tx.events["VoteCast"]["voter"] == wallet.address
    assert tx.events["VoteCast"]["weight"] == 20_000 * 10**18
    # a ballot under another domain name (the commons' own name, say) is not this governor's
    signer = Account.create()
    with brownie.reverts(err("GovernorInvalidSignature", signer.address)):
        governor.castVoteBySig(proposal_id, FOR, signer.address,
                               _ballot(governor, proposal_id, signer.address, 0, signer.key, name=governor.name() + "!"),
                               {"from": voters[1]})


def test_proposal_without_quorum_is_defeated(suite, voters, dataset):
    targets, values, calldatas = accept_and_reward(suite, dataset[0], dataset[1])
    proposal_id = run_proposal(suite, voters[2], targets, values, calldatas, "tiny turnout",
                               [(voters[2], FOR)])
    governor = suite["governor"]
    assert governor.quorum(governor.proposalSnapshot(proposal_id)) > 10_000 * 10**18
    assert governor.state(proposal_id) == DEFEATED


def test_reward_twice_is_refused(suite, voters, dataset):
    dataset_id, people = dataset
    targets, values, calldatas = accept_and_reward(suite, dataset_id, people)
    governor = suite["governor"]
    run_proposal(suite, voters[0], targets, values, calldatas, "first", [(voters[0], FOR)])
    desc = web3.keccak(text="first")
    suite["charter"].queue(governor, targets, values, calldatas, desc, {"from": voters[0]})
    chain.sleep(61)
    governor.execute(targets, values, calldatas, desc, {"from": voters[0]})
    again = [suite["rewards"].address], [0], [calldatas[1]]
    run_proposal(suite, voters[0], *again, "second", [(voters[0], FOR)])
    desc2 = web3.keccak(text="second")
    suite["charter"].queue(governor, *again, desc2, {"from": voters[0]})
    chain.sleep(61)
    with brownie.reverts(err("ContributionRewardsAlreadyRewarded", dataset_id)):
        governor.execute(*again, desc2, {"from": voters[0]})


def test_governed_functions_revert_for_everyone_but_timelock(suite, voters, dataset):
    who = voters[0]
    dataset_id = dataset[0]
    registry, nft, vault, atts, rewards = (suite[k] for k in ("registry", "nft", "vault", "attestations", "rewards"))

    def unauthorized(contract, role):
        return err("AccessControlUnauthorizedAccount", who, bytes(getattr(contract, role)()))

    cases = [
        (lambda: registry.attestClaim(who, bytes(32), chain.time() + 99, {"from": who}), unauthorized(registry, "VERIFIER_ROLE")),
        (lambda: registry.grantRole(registry.VERIFIER_ROLE(), who, {"from": who}), unauthorized(registry, "DEFAULT_ADMIN_ROLE")),
        (lambda: nft.curate(dataset_id, ACCEPTED, {"from": who}), unauthorized(nft, "CURATOR_ROLE")),
        (lambda: nft.setDefaultRoyalty(1, {"from": who}), unauthorized(nft, "DEFAULT_ADMIN_ROLE")),
        (lambda: vault.setTokenAllowed(who, True, {"from": who}), unauthorized(vault, "ALLOWLIST_ROLE")),
        (lambda: vault.setProtocolFee(1, who, {"from": who}), unauthorized(vault, "FEE_ROLE")),
        (lambda: atts.attest(dataset_id, bytes(32), 1, bytes(32), 0, {"from": who}), unauthorized(atts, "VALIDATOR_ROLE")),
        (lambda: suite["token"].mint(who, 1, {"from": who}), unauthorized(suite["token"], "MINTER_ROLE")),
        (lambda: rewards.reward(dataset_id, 1, {"from": who}), err("OwnableUnauthorizedAccount", who)),
        (lambda: suite["timelock"].schedule(who, 0, b"", bytes(32), bytes(32), 60, {"from": who}),
         unauthorized(suite["timelock"], "PROPOSER_ROLE")),
    ]
    for call, expected in cases:
        with brownie.reverts(expected):
            call()


def test_reward_reverts_unless_accepted_and_nonzero(suite, dataset):
    # call the distributor as the timelock would, through an impersonated timelock account
    dataset_id, people = dataset
    rewards, nft = suite["rewards"], suite["nft"]
    timelock = suite["timelock"].address
    web3.provider.make_request("anvil_impersonateAccount", [timelock])
    web3.provider.make_request("anvil_setBalance", [timelock, hex(10**18)])
    with brownie.reverts(err("ContributionRewardsDatasetNotAccepted", dataset_id)):
        rewards.reward(dataset_id, 100, {"from": timelock})
    nft.curate(dataset_id, ACCEPTED, {"from": timelock})
    with brownie.reverts("ContributionRewardsZeroAmount: "):
        rewards.reward(dataset_id, 0, {"from": timelock})


def test_reinstate_through_governance_relists_a_retired_dataset(suite, voters, accounts):
    """A stolen curator key retires a dataset; a proposal brings it back to Accepted."""
    registry, nft, governor = suite["registry"], suite["nft"], suite["governor"]
    owner = accounts[7]
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": owner})
    content = random_digest()
    reveal(nft, (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
                 [(owner.address, 10000)]), owner)
    dataset_id = int.from_bytes(content, "big")
    timelock = suite["timelock"]
    # the curator role sits with the timelock after deployment: accept, then the "stolen key" retires
    curate_role = nft.CURATOR_ROLE()
    thief = accounts[8]
    grant = ([nft.address], [0], [nft.grantRole.encode_input(curate_role, thief)])
    description = "Name a curator"
    run_proposal(suite, voters[0], *grant, description, [(voters[0], FOR)])
    suite["charter"].queue(governor, *grant, web3.keccak(text=description), {"from": voters[0]})
    chain.sleep(suite["deployment"].settings["timelock_delay_s"] + 1)
    chain.mine()
    governor.execute(*grant, web3.keccak(text=description), {"from": voters[0]})
    nft.curate(dataset_id, ACCEPTED, {"from": thief})
    nft.curate(dataset_id, RETIRED, {"from": thief})
    undo = ([nft.address], [0], [nft.reinstate.encode_input(dataset_id)])
    description = "Relist the dataset a stolen curator key retired"
    run_proposal(suite, voters[0], *undo, description, [(voters[0], FOR)])
    suite["charter"].queue(governor, *undo, web3.keccak(text=description), {"from": voters[0]})
    chain.sleep(suite["deployment"].settings["timelock_delay_s"] + 1)
    chain.mine()
    tx = governor.execute(*undo, web3.keccak(text=description), {"from": voters[1]})
    event = tx.events["DatasetCurated"]
    assert (event["curator"], event["from"], event["to"]) == (timelock.address, RETIRED, ACCEPTED)
    assert nft.statusOf(dataset_id) == ACCEPTED
