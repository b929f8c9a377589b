"""Adversarial tests: reentrancy on every payout path, signature malleability and replay,
griefing, role escalation, front-running of publish."""
import brownie
import pytest
from brownie import ZERO_ADDRESS, chain, web3
from eth_account import Account
from eth_account.messages import encode_typed_data

from conftest import CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, MIN_COMMIT_AGE, NATIVE, err, random_digest, reveal
from opencommons.chain.typed_data import register_message

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
REENTRANT = "ReentrancyGuardReentrantCall: "


@pytest.fixture(scope="module")
def hostile(MockReentrantToken, vault, admin):
    token = MockReentrantToken.deploy({"from": admin})
    vault.setTokenAllowed(token, True, {"from": admin})
    return token


# ------------------------------------------------------------------ reentrancy, every payout path
def test_pay_token_reentering_pay_is_blocked(vault, hostile, contributors, publish, admin):
    dataset_id, _ = publish()
    hostile.mint(admin, 10**20, {"from": admin})
    hostile.approve(vault, 2**256 - 1, {"from": admin})
    hostile.arm(vault, vault.pay.encode_input(dataset_id, hostile, 10**6), {"from": admin})
    with brownie.reverts(REENTRANT):
        vault.pay(dataset_id, hostile, 10**6, {"from": admin})


@pytest.mark.parametrize("reenter", ["claim", "settle", "claimTreasury", "collect", "sweep", "forfeit"])
def test_claim_token_reentering_any_vault_function_is_blocked(vault, hostile, contributors, publish, admin, reenter):
    a = contributors[0]
    dataset_id, _ = publish(shares=[(a, 10000)])
    hostile.mint(admin, 10**20, {"from": admin})
    hostile.approve(vault, 2**256 - 1, {"from": admin})
    vault.pay(dataset_id, hostile, 10**6, {"from": admin})
    calls = {"claim": vault.claim.encode_input([dataset_id], [hostile]),
             "settle": vault.settle.encode_input([dataset_id], hostile),
             "claimTreasury": vault.claimTreasury.encode_input(hostile),
             "collect": vault.collect.encode_input(dataset_id, hostile),
             "sweep": vault.sweep.encode_input(hostile),
             "forfeit": vault.forfeit.encode_input(dataset_id, 0, [hostile])}
    hostile.arm(vault, calls[reenter], {"from": admin})
    with brownie.reverts(REENTRANT):
        vault.claim([dataset_id], [hostile], {"from": a})
    hostile.arm(ZERO_ADDRESS, b"", {"from": admin})
    vault.claim([dataset_id], [hostile], {"from": a})
    assert hostile.balanceOf(a) == 10**6


def test_claim_token_reentering_a_native_payment_is_credited(vault, hostile, contributors, publish, admin):
    """A payment in ETH takes no lock (it calls nothing that could call back): made from inside a
    claim's payout, it is credited like any other and the vault still owes exactly what it holds."""
    a = contributors[0]
    dataset_id, _ = publish(shares=[(a, 10000)])
    hostile.mint(admin, 10**20, {"from": admin})
    hostile.approve(vault, 2**256 - 1, {"from": admin})
    vault.pay(dataset_id, hostile, 10**6, {"from": admin})
    owed_before, held_before = vault.owed(NATIVE), vault.balance()
    admin.transfer(hostile, 10**15)
    hostile.arm(vault, vault.pay.encode_input(dataset_id, NATIVE, 10**15), {"from": admin})
    tx = vault.claim([dataset_id], [hostile], {"from": a})
    assert hostile.balanceOf(a) == 10**6
    paid = [e for e in tx.events["RoyaltyPaid"] if e["token"] == NATIVE]
    assert len(paid) == 1 and paid[0]["payer"] == hostile and paid[0]["amount"] == 10**15
    assert vault.owed(NATIVE) - owed_before == vault.balance() - held_before == 10**15
    assert vault.claimable(dataset_id, NATIVE, a) == paid[0]["contributorShare"] - paid[0]["carry"]


def test_treasury_payout_to_hostile_token_cannot_reenter(vault, hostile, contributors, publish, admin, treasury):
    dataset_id, _ = publish()
    vault.setProtocolFee(1000, treasury, {"from": admin})
    hostile.mint(admin, 10**20, {"from": admin})
    hostile.approve(vault, 2**256 - 1, {"from": admin})
    vault.pay(dataset_id, hostile, 10**6, {"from": admin})
    hostile.arm(vault, vault.claimTreasury.encode_input(hostile), {"from": admin})
    with brownie.reverts(REENTRANT):
        vault.claimTreasury(hostile, {"from": admin})


def test_license_buy_with_token_reentering_buy_is_blocked(licenses, vault, hostile, contributors, accepted, admin, accounts):
    dataset_id = accepted()
    licenses.setTerms(dataset_id, hostile, 1000, 0, bytes(32), True, {"from": contributors[0]})
    buyer = accounts[6]
    hostile.mint(buyer, 10**6, {"from": admin})
    hostile.approve(licenses, 2**256 - 1, {"from": buyer})
    hostile.arm(licenses, licenses.buy.encode_input(dataset_id, hostile, 1000, 0, bytes(32)), {"from": admin})
    with brownie.reverts(REENTRANT):
        licenses.buy(dataset_id, hostile, 1000, 0, bytes(32), {"from": buyer})


# ------------------------------------------------------------------ signatures: malleability, replay
def _malleate(signature: bytes) -> bytes:
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # 27 <-> 28


def test_register_with_sig_rejects_high_s_twin(registry, accounts):
    signer = Account.create()
    deadline = chain.time() + 3600
    message = register_message(chain.id, registry.address, signer.address, b"\x01" * 32, CODEC_RAW,
                               bytes(KE_EDUCATION), 0, deadline)
    good = bytes(Account.sign_message(encode_typed_data(full_message=message), signer.key).signature)
    with brownie.reverts(err("ContributorRegistryInvalidSignature", signer.address)):
        registry.registerWithSig(signer.address, b"\x01" * 32, CODEC_RAW, KE_EDUCATION, deadline, _malleate(good),
                                 {"from": accounts[5]})
    registry.registerWithSig(signer.address, b"\x01" * 32, CODEC_RAW, KE_EDUCATION, deadline, good, {"from": accounts[5]})
    registry.deactivate({"from": accounts[5]}) if registry.isRegistered(accounts[5]) else None
    with brownie.reverts(err("ContributorRegistryInvalidSignature", signer.address)):  # replay
        registry.registerWithSig(signer.address, b"\x01" * 32, CODEC_RAW, KE_EDUCATION, deadline, good,
                                 {"from": accounts[5]})


def test_attest_with_sig_rejects_high_s_twin_and_replay(attestations, accounts, admin, publish):
    key = Account.create()
    attestations.grantRole(attestations.VALIDATOR_ROLE(), key.address, {"from": admin})
    dataset_id, _ = publish()
    deadline = chain.time() + 600
    data = {
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
                  "Attest": [{"name": "datasetId", "type": "uint256"}, {"name": "kind", "type": "bytes32"},
                             {"name": "score", "type": "uint16"}, {"name": "evidenceDigest", "type": "bytes32"},
                             {"name": "evidenceCodec", "type": "uint32"}, {"name": "validator", "type": "address"},
                             {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]},
        "primaryType": "Attest",
        "domain": {"name": "OpenCommons DatasetAttestations", "version": "1", "chainId": chain.id,
                   "verifyingContract": attestations.address},
        "message": {"datasetId": dataset_id, "kind": bytes(32), "score": 1, "evidenceDigest": bytes(32),
                    "evidenceCodec": 0, "validator": key.address, "nonce": 0, "deadline": deadline},
    }
    good = bytes(Account.sign_message(encode_typed_data(full_message=data), key.key).signature)
    args = (dataset_id, bytes(32), 1, bytes(32), 0, key.address, deadline)
    with brownie.reverts(err("DatasetAttestationsInvalidSignature", key.address)):
        attestations.attestWithSig(*args, _malleate(good), {"from": accounts[3]})
    attestations.attestWithSig(*args, good, {"from": accounts[3]})
    with brownie.reverts(err("DatasetAttestationsInvalidSignature", key.address)):
        attestations.attestWithSig(*args, good, {"from": accounts[3]})


# ------------------------------------------------------------------ griefing
def test_dust_payments_are_never_lost(vault, contributors, publish, admin):
    a, b, c = contributors[:3]
    dataset_id, _ = publish(shares=[(a, 3333), (b, 3333), (c, 3334)])
    for _ in range(30):
        vault.pay(dataset_id, NATIVE, 1, {"from": admin, "value": 1})
    pool = vault.poolOf(dataset_id, NATIVE)
    owed = sum(vault.claimable(dataset_id, NATIVE, x) for x in (a, b, c))
    assert owed + pool[2] == 30 == vault.balance()


def test_many_tiny_licences_keep_exact_books(licenses, vault, contributors, accepted, accounts):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    licenses.setTerms(dataset_id, NATIVE, 1, 3600, bytes(32), True, {"from": contributors[0]})
    for i in range(25):
        licenses.buy(dataset_id, NATIVE, 1, 3600, bytes(32), {"from": accounts[6 + i % 2], "value": 1})
    assert licenses.licenseCount() == 25
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) + vault.poolOf(dataset_id, NATIVE)[2] == 25


def test_settle_cannot_be_blocked_by_parent_contributor_that_rejects_ether(vault, registry, contributors, publish,
                                                                          MockRejectingReceiver, admin):
    rejecting = MockRejectingReceiver.deploy({"from": admin})
    rejecting.register(registry, {"from": admin})
    parent, _ = publish(shares=[(rejecting.address, 5000), (contributors[0], 5000)])
    child, _ = publish(shares=[(contributors[1], 10000)], parents=[parent], ancestor_bps=1000)
    vault.pay(child, NATIVE, 10**9, {"from": admin, "value": 10**9})
    vault.settle([child], NATIVE, {"from": admin})
    before = contributors[0].balance()
    tx = vault.claim([parent], [NATIVE], {"from": contributors[0]})
    assert contributors[0].balance() - before + tx.gas_used * tx.gas_price == 5 * 10**7
    assert vault.claimable(parent, NATIVE, rejecting) == 5 * 10**7  # its own problem, nobody else's


def test_claim_to_recovers_share_of_contributor_that_rejects_ether(vault, registry, contributors, publish,
                                                                    MockRejectingReceiver, admin, accounts):
    """A contributor whose address cannot receive ETH: `claim` fails, its share would be stranded;
    `claimTo` sends its (and only its) earnings to an address it names."""
    rejecting = MockRejectingReceiver.deploy({"from": admin})
    rejecting.register(registry, {"from": admin})
    dataset_id, _ = publish(shares=[(rejecting.address, 4000), (contributors[0], 6000)])
    vault.pay(dataset_id, NATIVE, 10**9, {"from": admin, "value": 10**9})
    with brownie.reverts(err("MockRejected")):  # Address.sendValue bubbles the receiver's error
        vault.claimFor(rejecting, [dataset_id], [NATIVE], {"from": admin})
    beneficiary = accounts[9]
    before = beneficiary.balance()
    tx = rejecting.claimTo(vault, beneficiary, [dataset_id], [NATIVE], {"from": admin})
    assert beneficiary.balance() - before == 4 * 10**8
    event = tx.events["RoyaltyClaimed"]
    assert (event["datasetId"], event["account"], event["amount"]) == (dataset_id, rejecting, 4 * 10**8)
    assert vault.claimable(dataset_id, NATIVE, rejecting) == 0
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 6 * 10**8  # untouched


def test_claim_to_reverts_for_zero_recipient_and_moves_only_the_callers_earnings(vault, contributors, publish, admin,
                                                                                 accounts):
    dataset_id, _ = publish(shares=[(contributors[0], 5000), (contributors[1], 5000)])
    vault.pay(dataset_id, NATIVE, 10**6, {"from": admin, "value": 10**6})
    with brownie.reverts(err("RoyaltyVaultZeroAddress")):
        vault.claimTo(ZERO_ADDRESS, [dataset_id], [NATIVE], {"from": contributors[0]})
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", accounts[8])):
        vault.claimTo(accounts[8], [dataset_id], [NATIVE], {"from": accounts[8]})  # a stranger has nothing
    vault.claimTo(accounts[9], [dataset_id], [NATIVE], {"from": contributors[0]})
    assert vault.claimable(dataset_id, NATIVE, contributors[1]) == 5 * 10**5


# ------------------------------------------------------------------ role escalation
@pytest.mark.parametrize("role_holder", ["curator", "validator", "contributor"])
def test_no_role_reaches_another_roles_functions(registry, nft, vault, attestations, publish, accounts, curator,
                                                  contributors, role_holder):
    who = {"curator": curator, "validator": accounts[7], "contributor": contributors[0]}[role_holder]
    dataset_id, _ = publish()

    def denied(contract, role):
        return err("AccessControlUnauthorizedAccount", who, bytes(getattr(contract, role)()))

    attempts = [
        (lambda: registry.grantRole(registry.VERIFIER_ROLE(), who, {"from": who}), denied(registry, "DEFAULT_ADMIN_ROLE")),
        (lambda: nft.grantRole(nft.CURATOR_ROLE(), who, {"from": who}), denied(nft, "DEFAULT_ADMIN_ROLE")),
        (lambda: vault.setProtocolFee(1000, who, {"from": who}), denied(vault, "FEE_ROLE")),
        (lambda: vault.setTokenAllowed(who, True, {"from": who}), denied(vault, "ALLOWLIST_ROLE")),
        (lambda: nft.setDefaultRoyalty(1, {"from": who}), denied(nft, "DEFAULT_ADMIN_ROLE")),
        (lambda: attestations.grantRole(attestations.VALIDATOR_ROLE(), who, {"from": who}),
         denied(attestations, "DEFAULT_ADMIN_ROLE")),
    ]
    if role_holder != "curator":
        attempts.append((lambda: nft.curate(dataset_id, 2, {"from": who}), denied(nft, "CURATOR_ROLE")))
    if role_holder != "validator":
        attempts.append((lambda: attestations.attest(dataset_id, bytes(32), 1, bytes(32), 0, {"from": who}),
                         denied(attestations, "VALIDATOR_ROLE")))
    if role_holder != "curator":  # the curator fixture also holds the verifier role
        attempts.append((lambda: registry.attestClaim(contributors[1], bytes(32), chain.time() + 99, {"from": who}),
                         denied(registry, "VERIFIER_ROLE")))
    for attempt, expected in attempts:
        with brownie.reverts(expected):
            attempt()


# ------------------------------------------------------------------ front-running
def _send(sender, fn, *args):
    """Sends without waiting (the block is mined later), with a fixed gas limit: what a copier in
    the mempool does."""
    return web3.eth.send_transaction({"from": sender.address, "to": fn._address, "gas": 1_500_000,
                                      "data": fn.encode_input(*args)})


def test_publish_copied_from_mempool_reverts_and_victim_owns_dataset(nft, contributors):
    """A mempool copier replays the victim's reveal (same params, same salt) ahead of it, and also
    commits to the params it learnt: the copy reverts (the commitment is bound to the victim) and
    its own commitment is too young to reveal before the victim's reveal lands."""
    victim, attacker = contributors[0], contributors[1]
    content = random_digest()
    dataset_id = int.from_bytes(content, "big")
    params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              [(victim.address, 10000)])
    salt = random_digest()
    nft.commit(nft.commitmentOf(0, params, victim, salt), {"from": victim})
    chain.mine(MIN_COMMIT_AGE)
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        reveal_tx = _send(victim, nft.publish, params, salt)
        seen = web3.eth.get_transaction(reveal_tx)  # the copier reads the pending reveal
        copied = nft.publish.decode_input(seen["input"])
        copy_tx = web3.eth.send_transaction({"from": attacker.address, "to": nft.address, "gas": 1_500_000,
                                             "gasPrice": seen["gasPrice"] * 2, "data": seen["input"]})
        attacker_params = tuple(copied[0][:8]) + ([(attacker.address, 10000)],)
        attacker_salt = random_digest()
        commit_tx = _send(attacker, nft.commit, nft.commitmentOf(0, attacker_params, attacker, attacker_salt))
        web3.provider.make_request("evm_mine", [])
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    assert web3.eth.get_transaction_receipt(copy_tx)["status"] == 0
    assert web3.eth.get_transaction_receipt(reveal_tx)["status"] == 1
    assert web3.eth.get_transaction_receipt(commit_tx)["status"] == 1
    assert nft.ownerOf(dataset_id) == victim
    chain.mine(MIN_COMMIT_AGE)
    with brownie.reverts(err("DatasetNFTAlreadyPublished", dataset_id, victim)):
        nft.publish(attacker_params, attacker_salt, {"from": attacker})


def test_publish_reverts_for_copied_reveal_with_unknown_commitment(nft, contributors):
    """The replayed reveal's revert names a commitment nobody made: the attacker's."""
    victim, attacker = contributors[0], contributors[1]
    params = (random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              [(victim.address, 10000)])
    salt = random_digest()
    nft.commit(nft.commitmentOf(0, params, victim, salt), {"from": victim})
    chain.mine(MIN_COMMIT_AGE)
    with brownie.reverts(err("DatasetNFTUnknownCommitment", bytes(nft.commitmentOf(0, params, attacker, salt)))):
        nft.publish(params, salt, {"from": attacker})


def test_burn_of_squatted_dataset_lets_rightful_publisher_publish(nft, vault, contributors, publish, curator,
                                                                  admin):
    """Someone who learnt a CID before its owner committed squats the id: curators reject it,
    governance burns it, and the rightful publisher publishes the content."""
    owner, squatter = contributors[0], contributors[1]
    content = random_digest()
    dataset_id, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content)
    with brownie.reverts(err("DatasetNFTInvalidTransition", dataset_id, 1, 0)):
        nft.burn(dataset_id, {"from": admin})  # only a Rejected dataset can be burnt
    nft.curate(dataset_id, 3, {"from": curator})
    with brownie.reverts(err("AccessControlUnauthorizedAccount", curator, bytes(32))):
        nft.burn(dataset_id, {"from": curator})  # governance only
    with brownie.reverts(err("DatasetNFTAlreadyPublished", dataset_id, squatter)):
        publish(shares=[(owner, 10000)], sender=owner, content=content)
    tx = nft.burn(dataset_id, {"from": admin})
    assert tx.events["DatasetBurned"]["owner"] == squatter
    assert not nft.exists(dataset_id)
    publish(shares=[(owner, 10000)], sender=owner, content=content)
    assert nft.ownerOf(dataset_id) == owner and nft.statusOf(dataset_id) == 1
    assert nft.royaltyTermsOf(dataset_id) == (True, 0, 1)
    assert nft.shareOf(dataset_id, squatter) == 0


def _committed(nft, params, sender):
    """Commits to `params` for `sender` now: the salt."""
    salt = random_digest()
    nft.commit(nft.commitmentOf(0, params, sender, salt), {"from": sender})
    return salt


def test_reveal_stuck_in_mempool_displaces_the_watcher_who_copied_it(nft, vault, contributors, treasury):
    """The victim's reveal waits in the mempool past `minCommitAge`: a watcher reads its content
    id, commits, reveals first and is paid. When the victim's reveal lands, its older commitment
    wins the id: the watcher's publication is burnt and its money goes to the treasury."""
    victim, watcher, payer = contributors[0], contributors[1], contributors[3]
    content = random_digest()
    dataset_id = int.from_bytes(content, "big")
    params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              [(victim.address, 10000)])
    salt = _committed(nft, params, victim)
    victim_block = chain.height
    chain.mine(MIN_COMMIT_AGE)
    # the victim's reveal as it waits in the mempool (its calldata is all a watcher needs); how a
    # watcher reads a pending reveal is test_publish_copied_from_mempool_..., above
    seen = nft.publish.decode_input(nft.publish.encode_input(params, salt))
    watcher_params = tuple(seen[0][:8]) + ([(watcher.address, 10000)],)
    watcher_salt = _committed(nft, watcher_params, watcher)
    chain.mine(MIN_COMMIT_AGE)
    nft.publish(watcher_params, watcher_salt, {"from": watcher})
    assert nft.ownerOf(dataset_id) == watcher
    assert nft.publicationCommittedAt(dataset_id) == victim_block + MIN_COMMIT_AGE + 1
    vault.pay(dataset_id, NATIVE, 5000, {"from": payer, "value": 5000})

    tx = nft.publish(params, salt, {"from": victim})  # the stuck reveal lands at last
    assert tx.events["PublicationDisplaced"].values() == [dataset_id, watcher, victim]
    assert tx.events["DatasetBurned"]["owner"] == watcher and tx.events["DatasetBurned"]["generation"] == 1
    assert nft.ownerOf(dataset_id) == victim and nft.balanceOf(watcher) == 0
    assert nft.publicationCommittedAt(dataset_id) == victim_block
    assert nft.statusAndGenerationOf(dataset_id) == (1, 1)
    assert nft.shareOf(dataset_id, watcher) == 0 and nft.shareOf(dataset_id, victim) == 10000
    assert vault.claimable(dataset_id, NATIVE, watcher) == 0
    with brownie.reverts():
        vault.claim([dataset_id], [NATIVE], {"from": watcher})
    before = vault.treasuryAccrued(NATIVE)
    vault.forfeit(dataset_id, 0, [NATIVE], {"from": payer})
    assert vault.treasuryAccrued(NATIVE) - before == 5000


def test_younger_commitment_cannot_displace_and_accepted_dataset_is_final(nft, contributors, curator):
    """Only an older commitment displaces, only a publication not yet accepted, and never one's own."""
    first, second = contributors[0], contributors[1]
    content = random_digest()
    dataset_id = int.from_bytes(content, "big")
    mine = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
            [(first.address, 10000)])
    theirs = mine[:8] + ([(second.address, 10000)],)
    again = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC0-1.0", KE_EDUCATION, 0, [],
             [(first.address, 10000)])
    old_salt = _committed(nft, again, first)  # the publisher's own older commitment
    chain.mine(1)
    salt = _committed(nft, mine, first)
    chain.mine(1)
    their_salt = _committed(nft, theirs, second)  # younger than both
    chain.mine(MIN_COMMIT_AGE)
    nft.publish(mine, salt, {"from": first})
    with brownie.reverts(err("DatasetNFTAlreadyPublished", dataset_id, first)):
        nft.publish(theirs, their_salt, {"from": second})
    with brownie.reverts(err("DatasetNFTAlreadyPublished", dataset_id, first)):
        nft.publish(again, old_salt, {"from": first})  # its own publication stays

    late = random_digest()
    late_id = int.from_bytes(late, "big")
    honest = (late, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              [(first.address, 10000)])
    thief = honest[:8] + ([(second.address, 10000)],)
    honest_salt = _committed(nft, honest, first)
    chain.mine(1)
    thief_salt = _committed(nft, thief, second)
    chain.mine(MIN_COMMIT_AGE)
    nft.publish(thief, thief_salt, {"from": second})
    nft.curate(late_id, 2, {"from": curator})  # accepted before the honest reveal landed
    with brownie.reverts(err("DatasetNFTAlreadyPublished", late_id, second)):
        nft.publish(honest, honest_salt, {"from": first})


def test_rejected_copy_is_displaced_and_versions_are_unlinked(nft, contributors, curator, publish):
    """A copy the curators already rejected is displaced too; the versions it linked are unlinked."""
    victim, watcher = contributors[0], contributors[1]
    base, _ = publish(shares=[(watcher, 10000)], sender=watcher)
    content = random_digest()
    dataset_id = int.from_bytes(content, "big")
    params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              [(victim.address, 10000)])
    salt = _committed(nft, params, victim)
    chain.mine(1)
    copy = params[:8] + ([(watcher.address, 10000)],)
    copy_salt = random_digest()
    nft.commit(nft.commitmentOf(base, copy, watcher, copy_salt), {"from": watcher})
    chain.mine(MIN_COMMIT_AGE)
    nft.publishVersion(base, copy, copy_salt, {"from": watcher})
    assert nft.latestVersion(base) == dataset_id
    nft.curate(dataset_id, 3, {"from": curator})
    nft.publish(params, salt, {"from": victim})
    assert nft.ownerOf(dataset_id) == victim and nft.statusOf(dataset_id) == 1
    assert nft.latestVersion(base) == base and nft.dataset(dataset_id)["previousVersion"] == 0


def test_codecs_must_fit_sixteen_bits(nft, contributors):
    """The record keeps codecs in two bytes: a larger multicodec code is refused, 0xFFFF is kept."""
    sender = contributors[0]
    for content_codec, manifest_codec in ((0x10000, CODEC_RAW), (CODEC_DAG_PB, 0x10000)):
        params = (random_digest(), content_codec, random_digest(), manifest_codec, "CC-BY-4.0", KE_EDUCATION, 0,
                  [], [(sender.address, 10000)])
        salt = _committed(nft, params, sender)
        chain.mine(MIN_COMMIT_AGE)
        with brownie.reverts(err("DatasetNFTInvalidRecord")):
            nft.publish(params, salt, {"from": sender})
    params = (random_digest(), 0xFFFF, random_digest(), 0x0129, "CC-BY-4.0", KE_EDUCATION, 0, [],
              [(sender.address, 10000)])
    reveal(nft, params, sender)
    record = nft.dataset(int.from_bytes(params[0], "big"))
    assert (record["contentCodec"], record["manifestCodec"]) == (0xFFFF, 0x0129)
