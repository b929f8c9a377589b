"""Adversarial tests: reentrancy on every payout path, signature malleability and replay,
griefing, role escalation, front-running of publish."""
import brownie
import pytest
from brownie import ZERO_ADDRESS, chain, web3
from eth_account import Account
from eth_account.messages import encode_typed_data

from conftest import CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, NATIVE, err, random_digest
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


@pytest.mark.parametrize("reenter", ["claim", "settle", "claimTreasury", "collect"])
def test_claim_token_reentering_any_vault_function_is_blocked(vault, hostile, contributors, publish, admin, reenter):
    a = contributors[0]
    dataset_id, _ = publish(shares=[(a, 10000)])
    hostile.mint(admin, 10**20, {"from": admin})
    hostile.approve(vault, 2**256 - 1, {"from": admin})
    vault.pay(dataset_id, hostile, 10**6, {"from": admin})
    calls = {"claim": vault.claim.encode_input([dataset_id], [hostile]),
             "settle": vault.settle.encode_input([dataset_id], hostile),
             "claimTreasury": vault.claimTreasury.encode_input(hostile),
             "collect": vault.collect.encode_input(dataset_id)}
    hostile.arm(vault, calls[reenter], {"from": admin})
    with brownie.reverts(REENTRANT):
        vault.claim([dataset_id], [hostile], {"from": a})
    hostile.arm(ZERO_ADDRESS, b"", {"from": admin})
    vault.claim([dataset_id], [hostile], {"from": a})
    assert hostile.balanceOf(a) == 10**6


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
    assert owed + pool[1] == 30 == vault.balance()


def test_many_tiny_licences_keep_exact_books(licenses, vault, contributors, accepted, accounts):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    licenses.setTerms(dataset_id, NATIVE, 1, 3600, bytes(32), True, {"from": contributors[0]})
    for i in range(25):
        licenses.buy(dataset_id, NATIVE, 1, 3600, bytes(32), {"from": accounts[6 + i % 2], "value": 1})
    assert licenses.licenseCount() == 25
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) + vault.poolOf(dataset_id, NATIVE)[1] == 25


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
def test_front_run_publish_of_same_content_leaves_victim_a_typed_error(nft, contributors):
    """Someone who sees a publish in the mempool and publishes the same content first owns that
    token; the victim's transaction reverts with who did it (content-derived ids make the race
    visible and final; a commit-reveal publish would be the mitigation, see NOTES.md)."""
    victim, attacker = contributors[0], contributors[1]
    content = random_digest()

    def params(who):
        return (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
                [(who.address, 10000)])

    nft.publish(params(attacker), {"from": attacker})
    with brownie.reverts(err("DatasetNFTAlreadyPublished", int.from_bytes(content, "big"), attacker)):
        nft.publish(params(victim), {"from": victim})
