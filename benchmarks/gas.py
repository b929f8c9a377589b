"""Gas used by the suite's main operations, measured on a local Anvil (Shanghai).

Prints one JSON object (``--json``) or a table. Steady-state figures: a payment into a pool
that already received one, a publish by a publisher that already owns a dataset; the
first-time variants are printed too (``*_first``), since they write fresh storage slots.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3
from web3.logs import DISCARD

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from opencommons.chain.commons_config import default_spec  # noqa: E402
from opencommons.chain.deploy import (ZERO, Bootstrap, access_list, contract, deploy_contract,  # noqa: E402
                                      deploy_suite)
from opencommons.chain.factory import deploy_factory, named  # noqa: E402
from opencommons.chain.localnode import LocalChain  # noqa: E402
from opencommons.chain.provider import web3_for  # noqa: E402
from opencommons.chain.reveal import commit_and_reveal, commitment_of, reveal_fn  # noqa: E402
from opencommons.chain.transactions import NodeAccount, transact  # noqa: E402
from opencommons.chain.typed_data import ballot_message, register_message  # noqa: E402
from opencommons.publish import on_chain_contributors  # noqa: E402

NATIVE = "0x0000000000000000000000000000000000000000"
COMMONS = Web3.keccak(text="KE/education")
SIZES = (2, 10, 100, 500)
REWARD_CAP = 512  # DatasetNFT.MAX_CONTRIBUTORS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    started = time.monotonic()
    with LocalChain("anvil", accounts=REWARD_CAP + 10) as node:
        w3 = web3_for(node.url)
        figures = measure(w3)
    figures["_seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps(figures, sort_keys=True))
    else:
        for key, value in sorted(figures.items()):
            print(f"{key:40s} {value:>12,}" if isinstance(value, int) else f"{key:40s} {value:>12}")


def measure(w3: Web3) -> dict[str, object]:
    accounts = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
    admin = NodeAccount(accounts[0])
    out: dict[str, object] = {}
    first = w3.eth.block_number + 1
    # a guardian named at launch (issue 37): what its cancellation costs is measured below
    # accounts[0] verifies identities, so contributors get a vote in the contributors' house
    deployment = deploy_suite(w3, admin, bootstrap=Bootstrap(guardian=accounts[-5], verifiers=[accounts[0]]))
    full_deploy = deployment_gas(w3, first)
    a = deployment.addresses
    registry = contract(w3, "ContributorRegistry", a["ContributorRegistry"])
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"])
    vault = contract(w3, "RoyaltyVault", a["RoyaltyVault"])
    licenses = contract(w3, "LicenseManager", a["LicenseManager"])
    token = contract(w3, "CommonsToken", a["CommonsToken"])
    governor = contract(w3, "CommonsGovernor", a["CommonsGovernor"])
    rewards = contract(w3, "ContributionRewards", a["ContributionRewards"])
    timelock = a["CommonsTimelock"]

    def gas(sender: str, fn, value: int = 0) -> int:  # type: ignore[no-untyped-def]
        return int(transact(w3, NodeAccount(sender), fn, value=value)["gasUsed"])

    people = accounts[1:REWARD_CAP + 1]
    out["register_contributor"] = gas(people[0], registry.functions.register(os.urandom(32), 0x55, COMMONS))
    for p in people[1:]:
        gas(p, registry.functions.register(os.urandom(32), 0x55, COMMONS))
    signer = Account.create()
    deadline = w3.eth.get_block("latest")["timestamp"] + 3600
    profile = os.urandom(32)
    msg = register_message(w3.eth.chain_id, registry.address, signer.address, profile, 0x55, COMMONS, 0, deadline)
    sig = Account.sign_message(encode_typed_data(full_message=msg), signer.key).signature
    out["register_contributor_with_sig"] = gas(accounts[0], registry.functions.registerWithSig(
        signer.address, profile, 0x55, COMMONS, deadline, sig))

    hot, publish, costs_of = hot_paths(w3, a, people, accounts[-1])
    out.update(hot)
    # ERC-20 payments: a test token allow-listed through the timelock (impersonated: Anvil only)
    usdc = deploy_contract(w3, admin, "MockERC20", "Test Dollar", "TUSD")
    w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])  # type: ignore[arg-type]
    gas(timelock, vault.functions.setTokenAllowed(usdc.address, True))
    payer = accounts[-1]
    gas(payer, usdc.functions.mint(payer, 10**30))
    gas(payer, usdc.functions.approve(vault.address, 2**256 - 1))
    d100, _ = publish(100)
    gas(payer, vault.functions.pay(d100, usdc.address, 10**18))
    out["royalty_pay_erc20_n100"] = gas(payer, vault.functions.pay(d100, usdc.address, 10**18))
    # a marketplace pays an ERC-20 royalty to the dataset's ERC-2981 receiver; anyone collects it
    receiver = vault.functions.royaltyReceiverOf(d100).call()
    gas(payer, usdc.functions.transfer(receiver, 10**18))
    out["royalty_collect_erc20_first"] = gas(payer, vault.functions.collect(d100, usdc.address))
    gas(payer, usdc.functions.transfer(receiver, 10**18))
    out["royalty_collect_erc20"] = gas(payer, vault.functions.collect(d100, usdc.address))
    gas(payer, usdc.functions.transfer(vault.address, 10**18))  # by mistake
    out["vault_sweep_erc20"] = gas(payer, vault.functions.sweep(usdc.address))

    licensed, _ = publish(3)
    gas(timelock, nft.functions.curate(licensed, 2))
    document = os.urandom(32)
    out["license_set_terms"] = gas(people[0], licenses.functions.setTerms(licensed, NATIVE, 10**16, 30 * 86400,
                                                                      document, True))
    out["license_purchase"] = gas(payer, licenses.functions.buy(licensed, NATIVE, 10**16, 30 * 86400, document), 10**16)

    out.update(rights_paths(w3, a, people, payer, publish, licensed))

    for depth in (1, 4, 16):
        chain_ids = [publish(2)[0]]
        for _ in range(depth):
            chain_ids.append(publish(2, parents=[chain_ids[-1]], ancestor_bps=1000)[0])
        gas(payer, vault.functions.pay(chain_ids[-1], NATIVE, 10**18), 10**18)
        out[f"ancestor_settle_depth{depth}"] = gas(payer, vault.functions.settle(list(reversed(chain_ids[1:])), NATIVE))

    # a model trained on 10,000 datasets: publishing it with its training record (one Merkle root
    # whatever the number of datasets, recorded by the reveal), a payment, the settlement into its
    # training pool (one write) and one dataset pulling its share with its 14-hash proof
    from opencommons.merkle import StandardTree

    real = [publish(2)[0] for _ in range(3)]
    leaves = [(d, 1000 + i) for i, d in enumerate(real)] + \
        [(int.from_bytes(os.urandom(32), "big"), 1 + i % 997) for i in range(9_997)]
    tree = StandardTree.of(leaves, ["uint256", "uint256"])
    model, _ = publish(2, ancestor_bps=1000, training=(tree.root, sum(w for _, w in leaves)))
    out["model_register_10000"] = sum(costs_of(2))
    out["model_register_reveal_10000"] = costs_of(2)[1]
    gas(payer, vault.functions.pay(model, NATIVE, 10**18), 10**18)
    out["model_pay"] = gas(payer, vault.functions.pay(model, NATIVE, 10**18), 10**18)
    out["model_settle"] = gas(payer, vault.functions.settle([model], NATIVE))
    # a dataset that has earned before (its pool exists) pulls from a model for the first time:
    # the dataset's checkpoint in the model is the one fresh slot
    gas(payer, vault.functions.pay(real[0], NATIVE, 10**18), 10**18)
    out["model_settle_parent"] = gas(payer, vault.functions.pullTrainingShare(model, 0, real[0], 1000, tree.proof(0),
                                                                              [NATIVE]))
    # a dataset whose first money ever is the model's share: its pool's slots are fresh as well
    index = tree.values.index((real[1], 1001))
    out["model_settle_parent_new_pool"] = gas(payer, vault.functions.pullTrainingShare(
        model, 0, real[1], 1001, tree.proof(index), [NATIVE]))
    # steady state: the pool and the dataset's checkpoint exist (a second payment, settled, pulled)
    gas(payer, vault.functions.pay(model, NATIVE, 10**18), 10**18)
    out["model_settle_steady"] = gas(payer, vault.functions.settle([model], NATIVE))
    out["model_settle_parent_steady"] = gas(payer, vault.functions.pullTrainingShare(
        model, 0, real[0], 1000, tree.proof(0), [NATIVE]))

    # rewards at the contributor cap: one governance action records it, each contributor claims
    cap = nft.functions.MAX_CONTRIBUTORS().call()
    big, _ = publish(min(cap, len(people)))
    gas(timelock, nft.functions.curate(big, 2))
    out[f"rewards_reward_n{min(cap, len(people))}"] = gas(timelock, rewards.functions.reward(big, 10**24))
    out["rewards_claim"] = gas(payer, rewards.functions.claimFor(people[1], [big]))
    # a reward by quality: the medians of three validators' quality and uniqueness attestations
    attestations = contract(w3, "DatasetAttestations", a["DatasetAttestations"])
    validators = sorted(accounts[-8:-5], key=lambda v: int(v, 16))
    for v in validators:
        gas(timelock, attestations.functions.grantRole(attestations.functions.VALIDATOR_ROLE().call(), v))
    graded, _ = publish(2)
    gas(timelock, nft.functions.curate(graded, 2))
    ids: dict[str, list[int]] = {"quality": [], "uniqueness": []}
    for kind, scores in (("quality", (9000, 7000, 8000)), ("uniqueness", (9900, 9800, 10_000))):
        for v, score in zip(validators, scores):
            receipt = transact(w3, NodeAccount(v), attestations.functions.attest(
                graded, Web3.keccak(text=kind), score, os.urandom(32), 0x55))
            ids[kind].append(attestations.events.DatasetAttested().process_receipt(receipt)[0]["args"]["attestationId"])
    out["attest"] = gas(validators[0], attestations.functions.attest(graded, Web3.keccak(text="integrity"), 10_000,
                                                                     os.urandom(32), 0x55))
    gas(timelock, rewards.functions.setQualityPolicy(1000 * 10**18, 5000))
    out["rewards_reward_by_quality_3_validators"] = gas(timelock, rewards.functions.rewardByQuality(
        graded, ids["quality"], ids["uniqueness"]))

    # governance
    voters = accounts[-4:-1]
    for v in voters:
        gas(accounts[0], token.functions.transfer(v, 100_000 * 10**18))
    out["token_transfer_delegated"] = gas(voters[0], token.functions.transfer(voters[1], 10**18))
    out["delegate"] = gas(voters[2], token.functions.delegate(voters[1]))
    reward_id, _ = publish(3)
    targets = [nft.address, rewards.address]
    calldatas = [nft.encode_abi("curate", [reward_id, 2]),
                 rewards.encode_abi("reward", [reward_id, 1000 * 10**18])]
    description = "Accept a dataset and reward its contributors"
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    receipt = transact(w3, NodeAccount(voters[0]), governor.functions.propose(targets, [0, 0], calldatas, description))
    out["propose"] = int(receipt["gasUsed"])
    proposal_id = governor.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"]
    for _ in range(2):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    out["cast_vote"] = gas(voters[0], governor.functions.castVote(proposal_id, 1))
    ballot_signer = Account.create()
    gas(accounts[0], token.functions.transfer(ballot_signer.address, 10**18))
    # the snapshot predates that transfer: the by-sig vote counts zero weight but costs the same path
    msg = ballot_message(w3.eth.chain_id, governor.address, proposal_id, 1, ballot_signer.address, 0)
    sig = Account.sign_message(encode_typed_data(full_message=msg), ballot_signer.key).signature
    out["cast_vote_by_sig"] = gas(voters[1], governor.functions.castVoteBySig(proposal_id, 1, ballot_signer.address, sig))
    w3.provider.make_request("anvil_mine", [hex(25)])  # type: ignore[arg-type]
    desc_hash = Web3.keccak(text=description)
    charter = contract(w3, "CommonsCharter", a["CommonsCharter"])
    out["queue_through_charter"] = gas(voters[0], charter.functions.queue(governor.address, targets, [0, 0],
                                                                          calldatas, desc_hash))
    w3.provider.make_request("evm_increaseTime", [61])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    out["execute_accept_and_reward"] = gas(voters[0], governor.functions.execute(targets, [0, 0], calldatas, desc_hash))
    # the guardian cancels a proposal during its vote, with a reason on the record
    cancelled = "A proposal the guardian cancels"
    receipt = transact(w3, NodeAccount(voters[0]), governor.functions.propose(targets, [0, 0], calldatas, cancelled))
    w3.provider.make_request("anvil_mine", [hex(2)])  # type: ignore[arg-type]
    out["guardian_cancel_with_reason"] = gas(accounts[-5], governor.functions.cancelWithReason(
        targets, [0, 0], calldatas, Web3.keccak(text=cancelled), "captures curation for one holder"))
    out.update(measure_contributors_house(w3, a, people, accounts[0]))
    out.update(measure_factory(w3, admin, people, accounts[-1]))
    out["full_deploy"] = full_deploy
    out["commons_create_ratio_full_deploy"] = round(out["commons_create"] / full_deploy, 4)  # type: ignore[operator]
    return out


def measure_contributors_house(w3: Web3, a: dict[str, str], people: list[str], verifier: str) -> dict[str, object]:
    """The contributors' house (issue 37): an identity attestation that gives a vote (the registry
    syncs the house), a proposal there, and a vote, measured like the token house's castVote."""
    from opencommons.chain.houses import claim_type

    registry = contract(w3, "ContributorRegistry", a["ContributorRegistry"])
    governor = contract(w3, "ContributorsGovernor", a["ContributorsGovernor"])
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"])
    out: dict[str, object] = {}
    expires = w3.eth.get_block("latest")["timestamp"] + 365 * 86_400

    def gas(sender: str, fn) -> int:  # type: ignore[no-untyped-def]
        return int(transact(w3, NodeAccount(sender), fn)["gasUsed"])

    identity = claim_type("identity")
    out["attest_identity_gives_a_vote"] = gas(verifier, registry.functions.attestClaim(people[0], identity, expires))
    for p in people[1:3]:
        gas(verifier, registry.functions.attestClaim(p, identity, expires))
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    targets, calldatas = [nft.address], [nft.encode_abi("setDefaultRoyalty", [400])]
    receipt = transact(w3, NodeAccount(people[0]), governor.functions.propose(targets, [0], calldatas, "house vote"))
    out["propose_contributors_house"] = int(receipt["gasUsed"])
    proposal_id = governor.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"]
    for _ in range(2):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    out["cast_vote_contributors_house"] = gas(people[0], governor.functions.castVote(proposal_id, 1))
    out["cast_vote_contributors_house_later"] = gas(people[1], governor.functions.castVote(proposal_id, 1))
    return out


def hot_paths(w3: Web3, a: dict[str, str], people: list[str], payer: str) -> tuple[dict[str, object], Any, Any]:
    """Publish, pay and claim, the operations that run thousands of times per launch, measured
    the same way on any deployment (`a`: contract name -> address); registered `people`. Each is
    sent as the library sends it: with the access list `Commons.access_list` gives (empty for a
    directly deployed suite, the clones' implementations for a factory-made one)."""
    out: dict[str, object] = {}
    through_registry = access_list(w3, [a["ContributorRegistry"]])
    through_vault = access_list(w3, [a["RoyaltyVault"]])
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"])
    vault = contract(w3, "RoyaltyVault", a["RoyaltyVault"])
    costs: dict[int, tuple[int, int]] = {}

    def gas(sender: str, fn, value: int = 0) -> int:  # type: ignore[no-untyped-def]
        return int(transact(w3, NodeAccount(sender), fn, value=value, access_list=through_vault)["gasUsed"])

    def publish(n: int, parents: list[int] | None = None, ancestor_bps: int = 0, sender: str | None = None,
                training: tuple[bytes, int] | None = None) -> tuple[int, int]:
        shares = [10_000 // n] * n
        shares[0] += 10_000 - sum(shares)
        content = os.urandom(32)
        params = (content, 0x70, os.urandom(32), 0x55, "CC-BY-4.0", COMMONS, ancestor_bps, parents or [],
                  on_chain_contributors(list(zip(people[:n], shares))))
        committed, revealed = commit_and_reveal(w3, nft, NodeAccount(sender or people[0]), params,
                                                access_list=through_registry, training=training)
        costs[n] = (int(committed["gasUsed"]), used := int(revealed["gasUsed"]))
        return int.from_bytes(content, "big"), used

    _, out["publish_dataset_3_contributors_first"] = publish(3)
    _, out["publish_dataset_3_contributors"] = publish(3)
    out["publish_commit"] = costs[3][0]
    out["publish_commit_reveal_3_contributors"] = sum(costs[3])
    for n in SIZES:
        dataset_id, _ = publish(n)
        out[f"royalty_pay_eth_n{n}_first"] = gas(payer, vault.functions.pay(dataset_id, NATIVE, 10**18), 10**18)
        out[f"royalty_pay_eth_n{n}"] = gas(payer, vault.functions.pay(dataset_id, NATIVE, 10**18), 10**18)
        # the contributor whose share lookup (a binary search) costs most: the worst-case claim
        claimant = max(people[:n], key=lambda p: nft.functions.shareOf(dataset_id, p).estimate_gas())
        out[f"royalty_claim_n{n}"] = gas(claimant, vault.functions.claim([dataset_id], [NATIVE]))
    out["royalty_pay_ratio_n500_n2"] = round(out["royalty_pay_eth_n500"] / out["royalty_pay_eth_n2"], 4)  # type: ignore[operator]
    out["royalty_claim_ratio_n500_n2"] = round(out["royalty_claim_n500"] / out["royalty_claim_n2"], 4)  # type: ignore[operator]
    return out, publish, costs.__getitem__


def rights_paths(w3: Web3, a: dict[str, str], people: list[str], payer: str, publish: Any,
                 licensed: int) -> dict[str, object]:
    """Consent (direct and relayed), withdrawal and a dispute's whole course on `licensed` (an
    Accepted dataset of people[0..2], published by people[0]): raise, decide (upheld: the
    suspension), appeal, decide the appeal (the reinstatement), withdraw the bonds."""
    from opencommons.chain.typed_data import consent_message

    out: dict[str, object] = {}
    rights = contract(w3, "DatasetRights", a["DatasetRights"])
    timelock = a["CommonsTimelock"]  # an arbiter (impersonated: Anvil only)

    def gas(sender: str, fn, value: int = 0) -> int:  # type: ignore[no-untyped-def]
        return int(transact(w3, NodeAccount(sender), fn, value=value)["gasUsed"])

    dataset, _ = publish(3)
    out["consent"] = gas(people[1], rights.functions.consent(dataset, os.urandom(32)))
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    purposes = os.urandom(32)
    msg = consent_message(w3.eth.chain_id, rights.address, dataset, people[2], "0x" + purposes.hex(), 0, deadline)
    msg["message"]["datasetId"] = str(dataset)  # a 256-bit id: the node reads it as a decimal string
    signed = w3.provider.make_request("eth_signTypedData_v4", [people[2], json.dumps(msg)])  # type: ignore[arg-type]
    if "result" not in signed:
        raise RuntimeError(f"the node did not sign the consent: {signed}")
    sig = bytes.fromhex(str(signed["result"]).removeprefix("0x"))  # the node holds people[2]'s key
    out["consent_with_sig"] = gas(payer, rights.functions.consentWithSig(dataset, people[2], purposes, deadline, sig))
    out["withdraw_contribution"] = gas(people[1], rights.functions.withdraw(dataset, os.urandom(32), 0x55))
    # a claim when the commons requires consent (the gate on: one call to DatasetRights more)
    vault = contract(w3, "RoyaltyVault", a["RoyaltyVault"])
    gas(timelock, vault.functions.setConsentGate(rights.address))
    gas(payer, vault.functions.pay(dataset, NATIVE, 10**18), 10**18)
    gas(payer, vault.functions.pay(dataset, NATIVE, 10**18), 10**18)
    out["royalty_claim_consent_required"] = gas(people[2], vault.functions.claim([dataset], [NATIVE]))
    gas(timelock, vault.functions.setConsentGate(ZERO))
    bond = rights.functions.settings().call()[0]
    out["dispute_raise"] = gas(payer, rights.functions.raiseDispute(licensed, 0, os.urandom(32), 0x55), bond)
    dispute = rights.functions.disputeCount().call()
    out["dispute_decide_suspend"] = gas(timelock, rights.functions.decide(dispute, True))
    out["dispute_appeal"] = gas(people[0], rights.functions.appeal(dispute), bond)
    out["dispute_decide_appeal_reinstate"] = gas(timelock, rights.functions.decide(dispute, False))
    out["dispute_withdraw_bonds"] = gas(people[0], rights.functions.withdrawBonds())

    def wait(seconds: int) -> None:
        w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    # a takedown made final forfeits the dataset's unclaimed royalties to the treasury
    nft = contract(w3, "DatasetNFT", a["DatasetNFT"])
    taken, _ = publish(3)
    gas(timelock, nft.functions.curate(taken, 2))
    gas(payer, vault.functions.pay(taken, NATIVE, 10**18), 10**18)
    gas(payer, rights.functions.raiseDispute(taken, 0, os.urandom(32), 0x55), bond)
    final = rights.functions.disputeCount().call()
    gas(timelock, rights.functions.decide(final, True))
    wait(int(rights.functions.settings().call()[2]) + 1)
    gas(payer, rights.functions.closeDispute(final))
    out["dispute_forfeit_royalties"] = gas(payer, rights.functions.forfeitRoyalties(final, [NATIVE]))
    # the owner lets its deadline pass: governance reissues `dataset` without what people[1]
    # withdrew, and a licensee of the old version moves its licence to the reissue
    licenses = contract(w3, "LicenseManager", a["LicenseManager"])
    gas(timelock, nft.functions.curate(dataset, 2))
    gas(people[0], licenses.functions.setTerms(dataset, NATIVE, 10**16, 0, bytes(32), True))
    gas(payer, licenses.functions.buy(dataset, NATIVE, 10**16, 0, bytes(32)), 10**16)
    wait(int(rights.functions.reissueWindow().call()) + 1)
    gas(timelock, rights.functions.registerPublisher(os.urandom(32), 0x55))
    params = (os.urandom(32), 0x70, os.urandom(32), 0x55, "CC-BY-4.0", COMMONS, 0, [],
              on_chain_contributors([(people[0], 10_000)]))
    salt = os.urandom(32)
    gas(payer, nft.functions.commit(commitment_of(rights.address, reveal_fn(nft, params, salt, dataset))))
    wait(1)
    out["dataset_reissue_by_governance"] = gas(timelock, rights.functions.reissue(dataset, params, salt))
    out["license_move_to_reissue"] = gas(payer, licenses.functions.move(dataset))
    return out


def deployment_gas(w3: Web3, first_block: int) -> int:
    """Gas of every transaction mined from `first_block` on (a deployment's transactions)."""
    total = 0
    for number in range(first_block, w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number)["transactions"]:
            total += int(w3.eth.get_transaction_receipt(tx)["gasUsed"])
    return total


def measure_factory(w3: Web3, admin: NodeAccount, people: list[str], payer: str) -> dict[str, object]:
    """The factory's figures: deploying it once, launching a commons, and the hot paths in that
    commons (keys prefixed ``factory_``), next to the direct suite's from the same run."""
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        first = w3.eth.block_number + 1
        record = deploy_factory(w3, admin, Path(tmp))
        out["factory_deploy_once"] = deployment_gas(w3, first)
        spec = default_spec("KE/education", "Kenya Education Commons", w3.eth.chain_id, admin.address)
        spec.verifiers, spec.curators = [people[0]], [people[0]]
        factory = contract(w3, "CommonsFactory", record["address"])
        receipt = transact(w3, admin, factory.functions.createCommons(spec.as_struct()))
        out["commons_create"] = int(receipt["gasUsed"])
        addresses = factory.events.CommonsCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]["commons"]
    a = named(addresses)
    registry = contract(w3, "ContributorRegistry", a["ContributorRegistry"])
    for p in people:
        transact(w3, NodeAccount(p), registry.functions.register(os.urandom(32), 0x55, COMMONS))
    hot, _, _ = hot_paths(w3, a, people, payer)
    out.update({f"factory_{key}": value for key, value in hot.items()})
    return out


if __name__ == "__main__":
    main()
