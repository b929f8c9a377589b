"""ContributorRegistry: register, gasless register, update, deactivate, claims."""
import brownie
import pytest
from brownie import chain, web3
from eth_account import Account

from conftest import CODEC_RAW, KE_EDUCATION, err, hx, random_digest, sign_register

CLAIM_INSTITUTION = web3.keccak(text="institution")


@pytest.fixture
def signer():
    return Account.create()


def test_register_records_profile_and_emits(registry, accounts):
    profile = random_digest()
    tx = registry.register(profile, CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    event = tx.events["ContributorRegistered"]
    assert event["account"] == accounts[1]
    assert event["community"] == hx(KE_EDUCATION)
    assert event["profileDigest"] == hx(profile)
    assert event["profileCodec"] == CODEC_RAW
    assert registry.isRegistered(accounts[1])
    record = registry.contributorOf(accounts[1])
    assert record[0] == hx(profile) and record[1] == CODEC_RAW and record[3] is True
    assert record[2] == tx.timestamp


def test_register_reverts_when_already_registered(registry, accounts):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    with brownie.reverts(err("ContributorRegistryAlreadyRegistered", accounts[1])):
        registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})


def test_register_reverts_on_empty_profile(registry, accounts):
    with brownie.reverts("ContributorRegistryEmptyProfile: "):
        registry.register(bytes(32), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    with brownie.reverts("ContributorRegistryEmptyProfile: "):
        registry.register(random_digest(), 0, KE_EDUCATION, {"from": accounts[1]})


def test_register_contract_registers_a_datasets_royalty_receiver_for_a_verifier(registry, vault, curator):
    """Another commons' dataset receiver is a contract: a verifier registers it, so it can be
    listed as a contributor of a derived dataset (royalties crossing commons). The registry
    computes the receiver's address itself, so only a receiver can be registered this way."""
    dataset_id = int.from_bytes(random_digest(), "big")
    receiver = vault.royaltyReceiverOf(dataset_id)
    assert registry.royaltyReceiverAddress(vault, dataset_id) == receiver
    tx = registry.registerContract(vault, dataset_id, random_digest(), CODEC_RAW, KE_EDUCATION, {"from": curator})
    assert registry.isRegistered(receiver) and tx.return_value == receiver
    assert tx.events["ContributorRegistered"]["account"] == receiver


def test_register_contract_cannot_register_a_persons_smart_wallet(registry, licenses, accounts, curator):
    """The old form took any contract: a person's smart wallet (here any contract with code) was
    registered by a verifier without its owner. Now the account is derived, never given."""
    with brownie.reverts(err("ContributorRegistryNotAContract", accounts[5])):
        registry.registerContract(accounts[5], 1, random_digest(), CODEC_RAW, KE_EDUCATION, {"from": curator})
    tx = registry.registerContract(licenses, 7, random_digest(), CODEC_RAW, KE_EDUCATION, {"from": curator})
    assert not registry.isRegistered(licenses) and tx.return_value != licenses.address


def test_register_contract_reverts_without_the_verifier_role(registry, vault, accounts):
    with brownie.reverts():
        registry.registerContract(vault, 1, random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[5]})
    assert not registry.isRegistered(registry.royaltyReceiverAddress(vault, 1))


def test_update_profile_changes_record(registry, accounts):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    new = random_digest()
    tx = registry.updateProfile(new, 0x70, web3.keccak(text="GH/health"), {"from": accounts[1]})
    assert tx.events["ContributorUpdated"]["profileDigest"] == hx(new)
    assert registry.contributorOf(accounts[1])[:2] == (hx(new), 0x70)
    assert registry.contributorOf(accounts[1])[3] is True


def test_update_profile_reverts_when_not_registered(registry, accounts):
    with brownie.reverts(err("ContributorRegistryNotRegistered", accounts[2])):
        registry.updateProfile(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[2]})


def test_deactivate_then_register_again(registry, accounts):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    tx = registry.deactivate({"from": accounts[1]})
    assert tx.events["ContributorDeactivated"]["account"] == accounts[1]
    assert not registry.isRegistered(accounts[1])
    with brownie.reverts(err("ContributorRegistryNotRegistered", accounts[1])):
        registry.deactivate({"from": accounts[1]})
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    assert registry.isRegistered(accounts[1])


def test_register_with_sig_registers_signer_relayer_pays(registry, accounts, signer):
    profile, deadline = random_digest(), chain.time() + 3600
    sig = sign_register(registry, signer, profile, CODEC_RAW, KE_EDUCATION, 0, deadline)
    tx = registry.registerWithSig(signer.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig,
                                  {"from": accounts[5]})
    assert tx.events["ContributorRegistered"]["account"] == signer.address
    assert registry.isRegistered(signer.address)
    assert registry.nonces(signer.address) == 1


def test_register_with_sig_reverts_on_replay(registry, accounts, signer):
    profile, deadline = random_digest(), chain.time() + 3600
    sig = sign_register(registry, signer, profile, CODEC_RAW, KE_EDUCATION, 0, deadline)
    registry.registerWithSig(signer.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig, {"from": accounts[5]})
    registry.deactivate({"from": accounts[5]}) if registry.isRegistered(accounts[5]) else None
    with brownie.reverts(err("ContributorRegistryInvalidSignature", signer.address)):
        registry.registerWithSig(signer.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig,
                                 {"from": accounts[5]})


def test_register_with_sig_reverts_after_deadline(registry, accounts, signer):
    deadline = web3.eth.get_block("latest").timestamp - 1
    sig = sign_register(registry, signer, b"\x01" * 32, CODEC_RAW, KE_EDUCATION, 0, deadline)
    with brownie.reverts(f"ContributorRegistryExpiredSignature: {deadline}"):
        registry.registerWithSig(signer.address, b"\x01" * 32, CODEC_RAW, KE_EDUCATION, deadline, sig,
                                 {"from": accounts[5]})


@pytest.mark.parametrize("field", ["chain", "contract", "signer", "profile"])
def test_register_with_sig_reverts_when_signature_does_not_match(registry, accounts, signer, field):
    profile, deadline = random_digest(), chain.time() + 3600
    kwargs = {}
    if field == "chain":
        kwargs["chain_id"] = chain.id + 1
    if field == "contract":
        kwargs["contract"] = accounts[6].address
    who = Account.create() if field == "signer" else signer
    sig = sign_register(registry, who, profile, CODEC_RAW, KE_EDUCATION, 0, deadline, **kwargs)
    submitted = random_digest() if field == "profile" else profile
    with brownie.reverts(err("ContributorRegistryInvalidSignature", signer.address)):
        registry.registerWithSig(signer.address, submitted, CODEC_RAW, KE_EDUCATION, deadline, sig,
                                 {"from": accounts[5]})


def test_attest_claim_makes_contributor_verified_until_expiry(registry, accounts, curator):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    expires = chain.time() + 1000
    tx = registry.attestClaim(accounts[1], CLAIM_INSTITUTION, expires, {"from": curator})
    event = tx.events["ClaimAttested"]
    assert (event["account"], event["verifier"], event["expiresAt"]) == (accounts[1], curator, expires)
    assert registry.isVerified(accounts[1], CLAIM_INSTITUTION)
    chain.sleep(2000)
    chain.mine()
    assert not registry.isVerified(accounts[1], CLAIM_INSTITUTION)


def test_attest_claim_reverts_for_non_verifier(registry, accounts):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    role = bytes(registry.VERIFIER_ROLE())
    with brownie.reverts(err("AccessControlUnauthorizedAccount", accounts[2], role)):
        registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 100, {"from": accounts[2]})


def test_attest_claim_reverts_on_past_expiry_or_unregistered(registry, accounts, curator):
    with brownie.reverts(err("ContributorRegistryNotRegistered", accounts[1])):
        registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 100, {"from": curator})
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    with brownie.reverts("ContributorRegistryInvalidExpiry: 1"):
        registry.attestClaim(accounts[1], CLAIM_INSTITUTION, 1, {"from": curator})


def test_revoke_claim_unverifies_and_cannot_repeat(registry, accounts, curator):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 1000, {"from": curator})
    tx = registry.revokeClaim(accounts[1], CLAIM_INSTITUTION, {"from": curator})
    assert tx.events["ClaimRevoked"]["claimType"] == hx(CLAIM_INSTITUTION)
    assert not registry.isVerified(accounts[1], CLAIM_INSTITUTION)
    with brownie.reverts(err("ContributorRegistryClaimNotFound", accounts[1], bytes(CLAIM_INSTITUTION))):
        registry.revokeClaim(accounts[1], CLAIM_INSTITUTION, {"from": curator})


def test_invalidate_nonce_cancels_signed_registration(registry, accounts):
    signer = Account.create()
    profile, deadline = random_digest(), chain.time() + 3600
    sig = sign_register(registry, signer, profile, CODEC_RAW, KE_EDUCATION, 0, deadline)
    accounts[0].transfer(signer.address, 10**17)
    local = accounts.add(signer.key.hex())
    tx = registry.invalidateNonce({"from": local})
    assert tx.events["NonceInvalidated"]["nonce"] == 0 and registry.nonces(signer.address) == 1
    with brownie.reverts(err("ContributorRegistryInvalidSignature", signer.address)):
        registry.registerWithSig(signer.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig, {"from": accounts[5]})
    assert not registry.isRegistered(signer.address)


def test_attest_claim_reverts_over_another_verifiers_live_claim(registry, accounts, curator, admin):
    other = accounts[6]
    registry.grantRole(registry.VERIFIER_ROLE(), other, {"from": admin})
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 1000, {"from": curator})
    with brownie.reverts(err("ContributorRegistryClaimHeldByOther", accounts[1], bytes(CLAIM_INSTITUTION), curator)):
        registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 10**6, {"from": other})
    with brownie.reverts(err("ContributorRegistryClaimHeldByOther", accounts[1], bytes(CLAIM_INSTITUTION), curator)):
        registry.revokeClaim(accounts[1], CLAIM_INSTITUTION, {"from": other})
    registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 2000, {"from": curator})  # its own: renewed
    registry.revokeClaim(accounts[1], CLAIM_INSTITUTION, {"from": admin})  # governance may revoke any claim
    tx = registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 1000, {"from": other})  # revoked: free
    assert tx.events["ClaimAttested"]["verifier"] == other


def test_attest_claim_over_expired_claim_of_another_verifier(registry, accounts, curator, admin):
    other = accounts[6]
    registry.grantRole(registry.VERIFIER_ROLE(), other, {"from": admin})
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 100, {"from": curator})
    chain.sleep(200)
    chain.mine()
    registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 1000, {"from": other})
    assert registry.claimOf(accounts[1], CLAIM_INSTITUTION)["verifier"] == other


def test_revoke_claim_reverts_for_issuer_who_lost_verifier_role(registry, accounts, curator, admin):
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": accounts[1]})
    registry.attestClaim(accounts[1], CLAIM_INSTITUTION, chain.time() + 1000, {"from": curator})
    registry.revokeRole(registry.VERIFIER_ROLE(), curator, {"from": admin})
    with brownie.reverts(err("ContributorRegistryClaimHeldByOther", accounts[1], bytes(CLAIM_INSTITUTION), curator)):
        registry.revokeClaim(accounts[1], CLAIM_INSTITUTION, {"from": curator})


def test_deactivate_retires_registration_signatures_given_before(registry, accounts, signer):
    """The account signed a gasless registration, then registered directly and deactivated: the
    old signature must not re-activate it behind its back."""
    profile, deadline = random_digest(), chain.time() + 3600
    sig = sign_register(registry, signer, profile, CODEC_RAW, KE_EDUCATION, 0, deadline)
    accounts[0].transfer(signer.address, 10**17)
    signer_account = accounts.add(signer.key.hex())
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": signer_account})
    tx = registry.deactivate({"from": signer_account})
    assert tx.events["NonceInvalidated"]["nonce"] == 0
    with brownie.reverts(err("ContributorRegistryInvalidSignature", signer.address)):
        registry.registerWithSig(signer.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig,
                                 {"from": accounts[5]})
    assert not registry.isRegistered(signer.address)
