"""ContributionRewards: pull-based rewards, one governance action whatever the number of contributors."""
import brownie
import pytest
from brownie import chain, web3
from eth_account import Account

from conftest import CODEC_RAW, KE_EDUCATION, err, random_digest, sign_register

ACCEPTED, REJECTED = 2, 3
GAS = 1_000_000


@pytest.fixture(scope="module")
def reward_token(CommonsToken, admin):
    return CommonsToken.deploy("OpenCommons", "OCT", admin, admin, 0, {"from": admin})


@pytest.fixture(scope="module")
def rewards(ContributionRewards, nft, reward_token, attestations, admin):
    contract = ContributionRewards.deploy(nft, reward_token, attestations, admin, {"from": admin})
    reward_token.grantRole(reward_token.MINTER_ROLE(), contract, {"from": admin})
    return contract


def _batch(calls):
    """Sends every (sender, to, data) without mining, then mines them in one go (fast on Anvil)."""
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [web3.eth.send_transaction({"from": s, "to": to, "data": data, "gas": GAS}) for s, to, data in calls]
        web3.provider.make_request("evm_mine", [])
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    return [web3.eth.get_transaction_receipt(h) for h in hashes]


@pytest.fixture(scope="module")
def multitude(registry, admin, nft):
    """MAX_CONTRIBUTORS registered accounts (gaslessly, the admin relaying): their addresses, ascending."""
    people = [Account.create() for _ in range(nft.MAX_CONTRIBUTORS())]
    deadline = chain.time() + 3600
    calls = []
    for person in people:
        profile = random_digest()
        sig = sign_register(registry, person, profile, CODEC_RAW, KE_EDUCATION, 0, deadline)
        calls.append((admin.address, registry.address, registry.registerWithSig.encode_input(
            person.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig)))
    for i in range(0, len(calls), 128):  # a block holds ~150 of them
        assert all(r["status"] == 1 for r in _batch(calls[i:i + 128]))
    return sorted((p.address for p in people), key=lambda a: int(a, 16))


def test_reward_at_max_contributors_is_one_action_and_every_part_is_claimable(
        nft, rewards, reward_token, multitude, publish, curator, admin, contributors):
    n = len(multitude)
    shares = [10_000 // n] * n
    for i in range(10_000 - sum(shares)):
        shares[i] += 1
    dataset_id, _ = publish(shares=list(zip(multitude, shares)), sender=contributors[0])
    nft.curate(dataset_id, ACCEPTED, {"from": curator})
    amount = 10**24 + 7
    tx = rewards.reward(dataset_id, amount, {"from": admin})
    assert tx.gas_used < 100_000  # constant: far below EIP-7825's 16,777,216 cap
    assert tx.events["DatasetRewarded"]["amount"] == amount
    calls = [(admin.address, rewards.address, rewards.claimFor.encode_input(who, [dataset_id])) for who in multitude]
    receipts = []
    for i in range(0, len(calls), 64):
        receipts += _batch(calls[i:i + 64])
    assert all(r["status"] == 1 for r in receipts)
    minted = reward_token.totalSupply()
    assert sum(reward_token.balanceOf(who) for who in multitude) == minted
    assert amount - n <= minted <= amount  # at most one unit per contributor rounds away
    for who, share in zip(multitude[:5], shares[:5]):
        assert reward_token.balanceOf(who) == amount * share // 10_000
        assert rewards.claimableOf(dataset_id, who) == 0


def test_claim_for_reverts_when_nothing_to_claim(rewards, accepted, contributors, admin):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    with brownie.reverts(err("ContributionRewardsNothingToClaim", contributors[0])):
        rewards.claimFor(contributors[0], [dataset_id], {"from": admin})
    rewards.reward(dataset_id, 1000, {"from": admin})
    with brownie.reverts(err("ContributionRewardsNothingToClaim", contributors[1])):
        rewards.claimFor(contributors[1], [dataset_id], {"from": admin})  # no share
    assert rewards.claimFor(contributors[0], [dataset_id, dataset_id], {"from": admin}).return_value == 1000
    with brownie.reverts(err("ContributionRewardsNothingToClaim", contributors[0])):
        rewards.claimFor(contributors[0], [dataset_id], {"from": admin})  # claimed once only


def test_reward_reverts_twice_for_same_generation(rewards, accepted, contributors, admin):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    rewards.reward(dataset_id, 10, {"from": admin})
    with brownie.reverts(err("ContributionRewardsAlreadyRewarded", dataset_id)):
        rewards.reward(dataset_id, 10, {"from": admin})
    with brownie.reverts(err("OwnableUnauthorizedAccount", contributors[0])):
        rewards.reward(dataset_id, 10, {"from": contributors[0]})


def test_reward_of_burnt_id_is_per_generation(rewards, nft, contributors, admin, curator, publish):
    """A squat is rejected (so never rewarded) and burnt; the rightful dataset's reward is its own."""
    squatter, owner = contributors[1], contributors[0]
    content = random_digest()
    squat_id, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content)
    nft.curate(squat_id, REJECTED, {"from": curator})
    with brownie.reverts(err("ContributionRewardsDatasetNotAccepted", squat_id)):
        rewards.reward(squat_id, 10, {"from": admin})
    nft.burn(squat_id, {"from": admin})
    publish(shares=[(owner, 10000)], sender=owner, content=content)
    nft.curate(squat_id, ACCEPTED, {"from": curator})
    tx = rewards.reward(squat_id, 700, {"from": admin})
    assert tx.events["DatasetRewarded"]["generation"] == 1
    assert rewards.claimableOf(squat_id, owner) == 700 and rewards.claimableOf(squat_id, squatter) == 0


QUALITY, UNIQUENESS = web3.keccak(text="quality"), web3.keccak(text="uniqueness")
BASE = 1_000 * 10**18


@pytest.fixture(scope="module")
def validators(attestations, admin, accounts):
    """Three validators, ascending by address (accounts[7] is one already)."""
    for who in accounts[8:10]:
        attestations.grantRole(attestations.VALIDATOR_ROLE(), who, {"from": admin})
    return sorted(accounts[7:10], key=lambda a: int(a.address, 16))


def _attest(attestations, dataset_id, kind, scores, validators):
    return [attestations.attest(dataset_id, kind, score, random_digest(), CODEC_RAW, {"from": who}).return_value
            for who, score in zip(validators, scores)]


def test_set_quality_policy_emits_and_refuses_others(rewards, admin, contributors):
    tx = rewards.setQualityPolicy(BASE, 6000, {"from": admin})
    assert tx.events["QualityPolicySet"]["base"] == BASE and tx.events["QualityPolicySet"]["minScore"] == 6000
    assert rewards.qualityPolicy() == (BASE, 6000)
    with brownie.reverts(err("ContributionRewardsInvalidMinScore", 10_001)):
        rewards.setQualityPolicy(BASE, 10_001, {"from": admin})
    with brownie.reverts(err("OwnableUnauthorizedAccount", contributors[0])):
        rewards.setQualityPolicy(BASE, 0, {"from": contributors[0]})


def test_reward_by_quality_pays_base_times_median_quality_and_uniqueness(
        rewards, attestations, validators, accepted, contributors, admin):
    rewards.setQualityPolicy(BASE, 6000, {"from": admin})
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    quality = _attest(attestations, dataset_id, QUALITY, [9000, 7000, 8000], validators)
    unique = _attest(attestations, dataset_id, UNIQUENESS, [10_000, 9_800, 9_900], validators)
    tx = rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})
    expected = BASE * 8000 * 9900 // 10**8
    event = tx.events["DatasetRewardedByQuality"]
    assert (event["quality"], event["uniqueness"], event["amount"]) == (8000, 9900, expected)
    assert tx.events["DatasetRewarded"]["amount"] == expected
    assert rewards.claimableOf(dataset_id, contributors[0]) == expected


def test_reward_by_quality_gives_a_near_copy_close_to_nothing_and_even_counts_average(
        rewards, attestations, validators, accepted, contributors, admin):
    rewards.setQualityPolicy(BASE, 0, {"from": admin})
    original, copy = (accepted(shares=[(contributors[0], 10000)]) for _ in range(2))
    for dataset_id, uniqueness in ((original, [9900, 9700]), (copy, [100, 300])):
        quality = _attest(attestations, dataset_id, QUALITY, [8000, 9000], validators)
        unique = _attest(attestations, dataset_id, UNIQUENESS, uniqueness, validators)
        rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})
    assert rewards.rewardOf(original) == BASE * 8500 * 9800 // 10**8
    assert rewards.rewardOf(copy) == BASE * 8500 * 200 // 10**8  # 1.7% of the base
    assert rewards.rewardOf(copy) * 40 < rewards.rewardOf(original)


def test_reward_by_quality_reverts_on_bad_attestations_and_low_scores(
        rewards, attestations, validators, accepted, contributors, admin):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    other = accepted(shares=[(contributors[0], 10000)])
    quality = _attest(attestations, dataset_id, QUALITY, [5000, 5500, 5900], validators)
    unique = _attest(attestations, dataset_id, UNIQUENESS, [9000], validators)
    rewards.setQualityPolicy(0, 0, {"from": admin})
    with brownie.reverts(err("ContributionRewardsNoQualityPolicy")):
        rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})
    rewards.setQualityPolicy(BASE, 6000, {"from": admin})
    with brownie.reverts(err("ContributionRewardsScoreTooLow", dataset_id, 5500, 6000)):
        rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})
    with brownie.reverts(err("ContributionRewardsUnorderedValidators", quality[0])):
        rewards.rewardByQuality(dataset_id, [quality[1], quality[0]], unique, {"from": admin})
    with brownie.reverts(err("ContributionRewardsUnorderedValidators", quality[0])):
        rewards.rewardByQuality(dataset_id, [quality[0], quality[0]], unique, {"from": admin})
    with brownie.reverts(err("ContributionRewardsUnorderedValidators", 0)):
        rewards.rewardByQuality(dataset_id, quality, [], {"from": admin})
    with brownie.reverts(err("ContributionRewardsInvalidAttestation", unique[0], dataset_id, bytes(QUALITY))):
        rewards.rewardByQuality(dataset_id, unique, unique, {"from": admin})  # wrong kind
    with brownie.reverts(err("ContributionRewardsInvalidAttestation", quality[0], other, bytes(QUALITY))):
        rewards.rewardByQuality(other, quality, unique, {"from": admin})  # another dataset's
    attestations.revoke(unique[0], {"from": validators[0]})
    tx = rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})  # revoked: skipped, no revert
    assert tx.events["QualityRewardSkipped"]["attestationId"] == unique[0] and rewards.rewardOf(dataset_id) == 0
    with brownie.reverts(err("OwnableUnauthorizedAccount", contributors[0])):
        rewards.rewardByQuality(dataset_id, quality, unique, {"from": contributors[0]})


def test_set_score_weights_records_them_and_refuses_a_bad_sum(rewards, admin, contributors):
    assert rewards.scoreWeights() == [0, 0, 0, 0]
    tx = rewards.setScoreWeights([2500, 4000, 3000, 500], {"from": admin})
    assert tx.events["ScoreWeightsSet"]["weights"] == [2500, 4000, 3000, 500]
    assert rewards.scoreWeights() == [2500, 4000, 3000, 500]
    with brownie.reverts(err("ContributionRewardsInvalidWeights")):
        rewards.setScoreWeights([2500, 4000, 3000, 501], {"from": admin})
    with brownie.reverts(err("OwnableUnauthorizedAccount", contributors[0])):
        rewards.setScoreWeights([2500, 4000, 3000, 500], {"from": contributors[0]})


def test_reward_by_quality_skips_attestations_of_a_burnt_generation(
        rewards, attestations, validators, nft, publish, contributors, admin, curator):
    """A squat is attested, rejected and burnt: its attestations say nothing of the rightful
    re-publication of the id, which needs its own."""
    rewards.setQualityPolicy(BASE, 0, {"from": admin})
    squatter, owner = contributors[1], contributors[0]
    content = random_digest()
    dataset_id, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content)
    quality = _attest(attestations, dataset_id, QUALITY, [9000, 9000, 9000], validators)
    unique = _attest(attestations, dataset_id, UNIQUENESS, [9000, 9000, 9000], validators)
    assert attestations.attestationOf(quality[0])[8] == 0  # the generation it was made for
    nft.curate(dataset_id, 3, {"from": curator})
    nft.burn(dataset_id, {"from": admin})
    publish(shares=[(owner, 10000)], sender=owner, content=content)
    nft.curate(dataset_id, 2, {"from": curator})
    tx = rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})
    assert tx.events["QualityRewardSkipped"]["attestationId"] == quality[0] and "DatasetRewarded" not in tx.events
    assert rewards.rewardOf(dataset_id) == 0
    fresh_quality = _attest(attestations, dataset_id, QUALITY, [8000, 8000, 8000], validators)
    fresh_unique = _attest(attestations, dataset_id, UNIQUENESS, [10_000] * 3, validators)
    assert attestations.attestationOf(fresh_quality[0])[8] == 1
    tx = rewards.rewardByQuality(dataset_id, fresh_quality, fresh_unique, {"from": admin})
    assert tx.events["DatasetRewarded"]["generation"] == 1


def test_reward_by_quality_skips_a_removed_validators_attestation(
        rewards, attestations, validators, accepted, contributors, admin):
    rewards.setQualityPolicy(BASE, 0, {"from": admin})
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    quality = _attest(attestations, dataset_id, QUALITY, [9000, 9000, 9000], validators)
    unique = _attest(attestations, dataset_id, UNIQUENESS, [9000, 9000, 9000], validators)
    attestations.revokeRole(attestations.VALIDATOR_ROLE(), validators[1], {"from": admin})
    tx = rewards.rewardByQuality(dataset_id, quality, unique, {"from": admin})
    assert tx.events["QualityRewardSkipped"]["attestationId"] == quality[1] and rewards.rewardOf(dataset_id) == 0
    tx = rewards.rewardByQuality(dataset_id, quality[::2], unique[::2], {"from": admin})  # the others still count
    assert tx.events["DatasetRewardedByQuality"]["quality"] == 9000


def test_consent_gate_holds_a_reward_until_its_contributor_consents(rewards, rights, reward_token, accepted,
                                                                     contributors, admin, accounts):
    dataset_id = accepted()
    rewards.reward(dataset_id, 1000, {"from": admin})
    with brownie.reverts(err("OwnableUnauthorizedAccount", accounts[5])):
        rewards.setConsentGate(rights, {"from": accounts[5]})
    assert rewards.setConsentGate(rights, {"from": admin}).events["ConsentGateSet"]["rights"] == rights.address
    assert rewards.claimableOf(dataset_id, contributors[1]) == 0
    with brownie.reverts(err("ContributionRewardsNothingToClaim", contributors[1])):
        rewards.claimFor(contributors[1], [dataset_id], {"from": contributors[1]})
    rights.consent(dataset_id, bytes(32), {"from": contributors[1]})
    assert rewards.claimableOf(dataset_id, contributors[1]) == 400
    rewards.claimFor(contributors[1], [dataset_id], {"from": accounts[6]})
    assert reward_token.balanceOf(contributors[1]) == 400
