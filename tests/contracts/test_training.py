"""A model's training record (issue 35): the Merkle root of (dataset id, weight) leaves in
OpenZeppelin's standard tree, recorded as the model is published (`DatasetNFT.publishModel`, one
transaction); settling the model's ancestor share credits its training pool in one write; each
dataset pulls its weight's share with a proof, to the wei, into its own pool. 10,000 weighted
datasets."""
import random

import brownie
import pytest
from brownie import web3

from conftest import (CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, NATIVE, contributions, err, hx, random_digest,
                      reveal, reveal_model)
from opencommons.merkle import StandardTree

TYPES = ["uint256", "uint256"]
SCALE = 10**18


def model_params(sender, ancestor_bps, parents=()):
    content = random_digest()
    return content, (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "Apache-2.0", KE_EDUCATION, ancestor_bps,
                     list(parents), contributions([(sender, 10_000)]))


def publish_model(nft, curator, sender, root, total, ancestor_bps=2000, parents=()):
    """A model with no parents on-chain (unless named) and its training record, accepted: its id."""
    content, params = model_params(sender, ancestor_bps, parents)
    reveal_model(nft, params, sender, hx(root), total)
    model = int.from_bytes(content, "big")
    nft.curate(model, 2, {"from": curator})
    return model


@pytest.fixture(scope="module")
def trained(accepted, contributors, nft, vault, curator):
    """Three accepted datasets inside 10,000 weighted leaves, and a model (20% to its training
    data) owned by contributors[0]: (model, tree, leaves, real ids)."""
    real = [accepted() for _ in range(3)]
    rng = random.Random(35)
    leaves = [(d, 10_000 + 7 * i) for i, d in enumerate(real)]
    leaves += [(rng.getrandbits(256), rng.randint(1, 50_000)) for _ in range(10_000 - len(real))]
    tree = StandardTree.of(leaves, TYPES)
    model = publish_model(nft, curator, contributors[0], tree.root, sum(w for _, w in leaves))
    assert nft.ownerOf(model) == contributors[0] and nft.parentsOf(model) == []
    return model, tree, leaves, real


def test_a_model_is_published_with_its_training_record_in_one_transaction(nft, vault, contributors):
    tree = StandardTree.of([(7, 100), (8, 300)], TYPES)
    for root, total in ((bytes(32), 400), (tree.root, 0)):
        content, params = model_params(contributors[0], 2000)
        with brownie.reverts(err("RoyaltyVaultInvalidTrainingRecord", int.from_bytes(content, "big"))):
            reveal_model(nft, params, contributors[0], hx(root), total)
    content, params = model_params(contributors[0], 2000)
    tx = reveal_model(nft, params, contributors[0], hx(tree.root), 400)
    model = int.from_bytes(content, "big")
    recorded = tx.events["TrainingRecordSet"]
    assert (recorded["generation"], recorded["root"], recorded["totalWeight"]) == (0, hx(tree.root), 400)
    assert vault.trainingRecordOf(model, 0) == (hx(tree.root[:24]), 400)  # one slot: the root's first 24 bytes
    assert nft.ancestorBpsOf(model) == 2000 and nft.parentsOf(model) == []
    # only the dataset NFT records training, and only as it publishes
    with brownie.reverts(err("RoyaltyVaultNotDatasets", contributors[0])):
        vault.recordTraining(model, 1, hx(tree.root), 400, {"from": contributors[0]})
    # the commitment binds the record: a reveal with another root opens no commitment
    content, params = model_params(contributors[0], 2000)
    salt = random_digest()
    calldata = nft.publishModel.encode_input(0, params, hx(tree.root), 400, salt)
    nft.commit(web3.keccak(bytes.fromhex(contributors[0].address[2:]) + bytes.fromhex(calldata[2:])),
               {"from": contributors[0]})
    brownie.chain.mine(1)
    other = hx(bytes(31) + b"\x01")
    opened = web3.keccak(bytes.fromhex(contributors[0].address[2:])
                         + bytes.fromhex(nft.publishModel.encode_input(0, params, other, 400, salt)[2:]))
    with brownie.reverts(err("DatasetNFTUnknownCommitment", bytes(opened))):
        nft.publishModel(0, params, other, 400, salt, {"from": contributors[0]})
    # without a training record an ancestor share still needs parents
    content, params = model_params(contributors[0], 2000)
    with brownie.reverts(err("DatasetNFTInvalidAncestorShare", 2000, 0)):
        reveal(nft, params, contributors[0])


def test_ten_thousand_datasets_are_paid_their_weight_to_the_wei(vault, trained, contributors, treasury):
    model, tree, leaves, real = trained
    total = sum(w for _, w in leaves)
    owed_before = vault.owed(NATIVE)
    per_weight, balance = 0, 0
    for amount in (10**18, 3 * 10**17 + 7):
        vault.pay(model, NATIVE, amount, {"from": contributors[3], "value": amount})
        share = amount * 2000 // 10_000
        tx = vault.settle([model], NATIVE, {"from": contributors[3]})
        assert tx.events["TrainingShareAccrued"]["amount"] == share and "AncestorRoyaltySettled" not in tx.events
        per_weight += share * SCALE // total
        balance += share
    assert vault.trainingPoolOf(model, 0, NATIVE) == (per_weight, balance)
    assert vault.pendingAncestorOf(model, NATIVE) == 0
    # every leaf's share together never exceeds what the pool holds (rounding dust stays in it)
    assert sum(w * per_weight // SCALE for _, w in leaves) <= balance

    index = {leaf: i for i, leaf in enumerate(tree.values)}
    for dataset_id, weight in leaves[:3]:
        expected = weight * per_weight // SCALE
        assert vault.trainingShareOf(model, 0, dataset_id, weight, NATIVE) == expected
        pool_before = vault.poolOf(dataset_id, NATIVE)
        proof = [hx(p) for p in tree.proof(index[(dataset_id, weight)])]
        tx = vault.pullTrainingShare(model, 0, dataset_id, weight, proof,
                                     [NATIVE], {"from": contributors[3]})
        assert tx.return_value == [expected]
        assert tx.events["TrainingSharePulled"]["amount"] == expected
        pool_after = vault.poolOf(dataset_id, NATIVE)
        # into the dataset's own pool, as any payment: outstanding plus carry grew by exactly that
        assert (pool_after[1] + pool_after[2]) - (pool_before[1] + pool_before[2]) == expected
        balance -= expected
    assert vault.trainingPoolOf(model, 0, NATIVE)[1] == balance
    # a leaf that is no dataset here (taking no money) sends its share to the treasury
    stranger, weight = leaves[5000]
    before = vault.treasuryAccrued(NATIVE)
    vault.pullTrainingShare(model, 0, stranger, weight, [hx(p) for p in tree.proof(index[(stranger, weight)])],
                            [NATIVE],
                            {"from": contributors[3]})
    assert vault.treasuryAccrued(NATIVE) - before == weight * per_weight // SCALE
    # pulled once: nothing more until the model is paid again
    again = vault.pullTrainingShare(model, 0, real[0], leaves[0][1], [hx(p) for p in tree.proof(index[leaves[0]])],
                                    [NATIVE], {"from": contributors[3]})
    assert again.return_value == [0] and "TrainingSharePulled" not in again.events
    # money only moved inside the vault, which holds all it owes
    assert vault.owed(NATIVE) == owed_before + 10**18 + 3 * 10**17 + 7
    assert web3.eth.get_balance(vault.address) >= vault.owed(NATIVE)


def test_a_proof_of_another_weight_or_without_a_record_is_refused(vault, trained, accepted, contributors):
    model, tree, leaves, real = trained
    index = {leaf: i for i, leaf in enumerate(tree.values)}
    proof = [hx(p) for p in tree.proof(index[leaves[0]])]
    plain = accepted(parents=real[:1], ancestor_bps=1000)  # a derived dataset: no training record
    with brownie.reverts(err("RoyaltyVaultNoTrainingRecord", plain)):
        vault.pullTrainingShare(plain, 0, real[0], leaves[0][1], proof, [NATIVE], {"from": contributors[3]})
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingProof", model, real[0], leaves[0][1] * 2)):
        vault.pullTrainingShare(model, 0, real[0], leaves[0][1] * 2, proof, [NATIVE], {"from": contributors[3]})
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingProof", model, real[1], leaves[0][1])):
        vault.pullTrainingShare(model, 0, real[1], leaves[0][1], proof, [NATIVE], {"from": contributors[3]})


def test_a_root_that_understates_its_weights_never_pays_out_more_than_the_pool(vault, nft, curator, accepted,
                                                                                contributors):
    """The owner's tree is trusted only with the model's own money: weights summing to more than
    the recorded total drain at most the pool, never another dataset's funds."""
    real = [accepted() for _ in range(2)]
    leaves = [(real[0], 900), (real[1], 900)]
    tree = StandardTree.of(leaves, TYPES)
    model = publish_model(nft, curator, contributors[0], tree.root, 1000, ancestor_bps=5000)  # the weights sum to 1,800
    vault.pay(model, NATIVE, 10**18, {"from": contributors[3], "value": 10**18})
    vault.settle([model], NATIVE, {"from": contributors[3]})
    pulled = [vault.pullTrainingShare(model, 0, d, w, [hx(p) for p in tree.proof(i)], [NATIVE],
                                      {"from": contributors[3]}).return_value[0] for i, (d, w) in enumerate(leaves)]
    assert pulled[0] == 900 * (5 * 10**17 * SCALE // 1000) // SCALE
    assert sum(pulled) == 5 * 10**17 and vault.trainingPoolOf(model, 0, NATIVE)[1] == 0


def test_a_copier_who_publishes_a_model_first_with_another_record_is_displaced(nft, vault, curator, contributors):
    """The first commitment wins a content id, a model's too: a copier who reveals first with a
    record of its own is displaced by the older commitment's reveal, whose record is the new
    generation's (each publication of an id keeps its own record, pools and checkpoints)."""
    honest, copier = contributors[0], contributors[1]
    tree = StandardTree.of([(7, 100), (8, 300)], TYPES)
    content, params = model_params(honest, 2000)
    salt = random_digest()
    calldata = nft.publishModel.encode_input(0, params, hx(tree.root), 400, salt)
    nft.commit(web3.keccak(bytes.fromhex(honest.address[2:]) + bytes.fromhex(calldata[2:])), {"from": honest})
    copied = params[:8] + ([(copier.address, 10_000)],)
    bogus = StandardTree.of([(9, 1)], TYPES)
    reveal_model(nft, copied, copier, hx(bogus.root), 1)  # committed later, revealed first
    model = int.from_bytes(content, "big")
    assert nft.ownerOf(model) == copier and vault.trainingRecordOf(model, 0) == (hx(bogus.root[:24]), 1)
    vault.pay(model, NATIVE, 10**16, {"from": contributors[3], "value": 10**16})  # paid while it squats
    tx = nft.publishModel(0, params, hx(tree.root), 400, salt, {"from": honest})
    assert "PublicationDisplaced" in tx.events and nft.ownerOf(model) == honest
    assert nft.generationOf(model) == 1 and vault.trainingRecordOf(model, 1) == (hx(tree.root[:24]), 400)
    # the displaced generation's pending share goes where its settle would have sent it: its own
    # training pool (as a burnt dataset's goes to its parents), never to the honest generation's
    forfeited = vault.forfeit(model, 0, [NATIVE], {"from": contributors[3]})
    assert forfeited.events["TrainingShareAccrued"]["amount"] == 2 * 10**15
    assert vault.trainingPoolOf(model, 0, NATIVE)[1] == 2 * 10**15
    # the honest generation is paid to its own datasets
    nft.curate(model, 2, {"from": curator})
    vault.pay(model, NATIVE, 10**18, {"from": contributors[3], "value": 10**18})
    vault.settle([model], NATIVE, {"from": contributors[3]})
    assert vault.trainingPoolOf(model, 1, NATIVE)[1] == 2 * 10**17
    pulled = vault.pullTrainingShare(model, 1, 8, 300, [hx(p) for p in tree.proof(tree.values.index((8, 300)))],
                                     [NATIVE], {"from": contributors[3]})
    assert pulled.return_value == [2 * 10**17 * 300 // 400]
    with brownie.reverts(err("RoyaltyVaultInvalidTrainingProof", model, 9, 1)):
        vault.pullTrainingShare(model, 1, 9, 1, [], [NATIVE], {"from": contributors[3]})
