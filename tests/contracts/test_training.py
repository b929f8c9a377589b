"""A model's training record (issue 35): the Merkle root of (dataset id, weight) leaves in
OpenZeppelin's standard tree, set once by the model's owner; settling the model's ancestor share
credits its training pool in one write; each dataset pulls its weight's share with a proof, to the
wei, into its own pool. 10,000 weighted datasets."""
import random

import brownie
import pytest
from brownie import web3

from conftest import NATIVE, err, hx
from opencommons.merkle import StandardTree

TYPES = ["uint256", "uint256"]
SCALE = 10**18


@pytest.fixture(scope="module")
def trained(accepted, contributors, nft):
    """Three accepted datasets inside 10,000 weighted leaves, and a model (20% to its training
    data) owned by contributors[0]: (model, tree, leaves, real ids)."""
    real = [accepted() for _ in range(3)]
    rng = random.Random(35)
    leaves = [(d, 10_000 + 7 * i) for i, d in enumerate(real)]
    leaves += [(rng.getrandbits(256), rng.randint(1, 50_000)) for _ in range(10_000 - len(real))]
    model = accepted(parents=real[:2], ancestor_bps=2000, sender=contributors[0])
    assert nft.ownerOf(model) == contributors[0]
    return model, StandardTree.of(leaves, TYPES), leaves, real


def test_only_the_model_owner_sets_its_training_record_once(vault, trained, contributors):
    model, tree, leaves, _ = trained
    total = sum(w for _, w in leaves)
    with brownie.reverts(err("RoyaltyVaultNotModelOwner", model, contributors[1])):
        vault.setTrainingRecord(model, hx(tree.root), total, {"from": contributors[1]})
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingRecord", model)):
        vault.setTrainingRecord(model, hx(bytes(32)), total, {"from": contributors[0]})
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingRecord", model)):
        vault.setTrainingRecord(model, hx(tree.root), 0, {"from": contributors[0]})
    tx = vault.setTrainingRecord(model, hx(tree.root), total, {"from": contributors[0]})
    assert tx.events["TrainingRecordSet"]["totalWeight"] == total
    assert vault.trainingRecordOf(model) == (hx(tree.root), total)
    with brownie.reverts(err("RoyaltyVaultTrainingRecordSet", model)):
        vault.setTrainingRecord(model, hx(tree.root), total, {"from": contributors[0]})


def test_ten_thousand_datasets_are_paid_their_weight_to_the_wei(vault, trained, contributors, treasury):
    model, tree, leaves, real = trained
    total = sum(w for _, w in leaves)
    vault.setTrainingRecord(model, hx(tree.root), total, {"from": contributors[0]})
    owed_before = vault.owed(NATIVE)
    per_weight, balance = 0, 0
    for amount in (10**18, 3 * 10**17 + 7):
        vault.pay(model, NATIVE, amount, {"from": contributors[3], "value": amount})
        share = amount * 2000 // 10_000
        tx = vault.settle([model], NATIVE, {"from": contributors[3]})
        assert tx.events["TrainingShareAccrued"]["amount"] == share and "AncestorRoyaltySettled" not in tx.events
        per_weight += share * SCALE // total
        balance += share
    assert vault.trainingPoolOf(model, NATIVE) == (per_weight, balance)
    assert vault.pendingAncestorOf(model, NATIVE) == 0
    # every leaf's share together never exceeds what the pool holds (rounding dust stays in it)
    assert sum(w * per_weight // SCALE for _, w in leaves) <= balance

    index = {leaf: i for i, leaf in enumerate(tree.values)}
    for dataset_id, weight in leaves[:3]:
        expected = weight * per_weight // SCALE
        assert vault.trainingShareOf(model, dataset_id, weight, NATIVE) == expected
        pool_before = vault.poolOf(dataset_id, NATIVE)
        tx = vault.pullTrainingShare(model, dataset_id, weight, [hx(p) for p in tree.proof(index[(dataset_id, weight)])],
                                     [NATIVE], {"from": contributors[3]})
        assert tx.return_value == [expected]
        assert tx.events["TrainingSharePulled"]["amount"] == expected
        pool_after = vault.poolOf(dataset_id, NATIVE)
        # into the dataset's own pool, as any payment: outstanding plus carry grew by exactly that
        assert (pool_after[1] + pool_after[2]) - (pool_before[1] + pool_before[2]) == expected
        balance -= expected
    assert vault.trainingPoolOf(model, NATIVE)[1] == balance
    # a leaf that is no dataset here (taking no money) sends its share to the treasury
    stranger, weight = leaves[5000]
    before = vault.treasuryAccrued(NATIVE)
    vault.pullTrainingShare(model, stranger, weight, [hx(p) for p in tree.proof(index[(stranger, weight)])], [NATIVE],
                            {"from": contributors[3]})
    assert vault.treasuryAccrued(NATIVE) - before == weight * per_weight // SCALE
    # pulled once: nothing more until the model is paid again
    again = vault.pullTrainingShare(model, real[0], leaves[0][1], [hx(p) for p in tree.proof(index[leaves[0]])],
                                    [NATIVE], {"from": contributors[3]})
    assert again.return_value == [0] and "TrainingSharePulled" not in again.events
    # money only moved inside the vault, which holds all it owes
    assert vault.owed(NATIVE) == owed_before + 10**18 + 3 * 10**17 + 7
    assert web3.eth.get_balance(vault.address) >= vault.owed(NATIVE)


def test_a_proof_of_another_weight_or_without_a_record_is_refused(vault, trained, contributors):
    model, tree, leaves, real = trained
    index = {leaf: i for i, leaf in enumerate(tree.values)}
    proof = [hx(p) for p in tree.proof(index[leaves[0]])]
    with brownie.reverts(err("RoyaltyVaultNoTrainingRecord", model)):
        vault.pullTrainingShare(model, real[0], leaves[0][1], proof, [NATIVE], {"from": contributors[3]})
    vault.setTrainingRecord(model, hx(tree.root), sum(w for _, w in leaves), {"from": contributors[0]})
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingProof", model, real[0], leaves[0][1] * 2)):
        vault.pullTrainingShare(model, real[0], leaves[0][1] * 2, proof, [NATIVE], {"from": contributors[3]})
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingProof", model, real[1], leaves[0][1])):
        vault.pullTrainingShare(model, real[1], leaves[0][1], proof, [NATIVE], {"from": contributors[3]})


def test_a_root_that_understates_its_weights_never_pays_out_more_than_the_pool(vault, accepted, contributors):
    """The owner's tree is trusted only with the model's own money: weights summing to more than
    the recorded total drain at most the pool, never another dataset's funds."""
    real = [accepted() for _ in range(2)]
    leaves = [(real[0], 900), (real[1], 900)]
    tree = StandardTree.of(leaves, TYPES)
    model = accepted(parents=real, ancestor_bps=5000, sender=contributors[0])
    vault.setTrainingRecord(model, hx(tree.root), 1000, {"from": contributors[0]})  # the weights sum to 1,800
    vault.pay(model, NATIVE, 10**18, {"from": contributors[3], "value": 10**18})
    vault.settle([model], NATIVE, {"from": contributors[3]})
    pulled = [vault.pullTrainingShare(model, d, w, [hx(p) for p in tree.proof(i)], [NATIVE],
                                      {"from": contributors[3]}).return_value[0] for i, (d, w) in enumerate(leaves)]
    assert pulled[0] == 900 * (5 * 10**17 * SCALE // 1000) // SCALE
    assert sum(pulled) == 5 * 10**17 and vault.trainingPoolOf(model, NATIVE)[1] == 0
