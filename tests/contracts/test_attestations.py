"""DatasetAttestations: attest directly and by signature, revoke."""
import brownie
import pytest
from brownie import chain, web3
from eth_account import Account
from eth_account.messages import encode_typed_data

from conftest import CODEC_RAW, err, hx, random_digest

INTEGRITY = web3.keccak(text="integrity")


def sign_attest(attestations, key, validator, dataset_id, score, evidence, nonce, deadline, chain_id=None):
    data = {
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"},
                                   {"name": "verifyingContract", "type": "address"}],
                  "Attest": [{"name": "datasetId", "type": "uint256"}, {"name": "kind", "type": "bytes32"},
                             {"name": "score", "type": "uint16"}, {"name": "evidenceDigest", "type": "bytes32"},
                             {"name": "evidenceCodec", "type": "uint32"}, {"name": "validator", "type": "address"},
                             {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]},
        "primaryType": "Attest",
        "domain": {"name": "OpenCommons DatasetAttestations", "version": "1", "chainId": chain_id or chain.id,
                   "verifyingContract": attestations.address},
        "message": {"datasetId": dataset_id, "kind": bytes(INTEGRITY), "score": score, "evidenceDigest": evidence,
                    "evidenceCodec": CODEC_RAW, "validator": validator, "nonce": nonce, "deadline": deadline},
    }
    return Account.sign_message(encode_typed_data(full_message=data), key).signature


@pytest.fixture
def validator_key(attestations, admin):
    key = Account.create()
    attestations.grantRole(attestations.VALIDATOR_ROLE(), key.address, {"from": admin})
    return key


def test_attest_records_and_emits(attestations, accounts, publish):
    dataset_id, _ = publish()
    evidence = random_digest()
    tx = attestations.attest(dataset_id, INTEGRITY, 9500, evidence, CODEC_RAW, {"from": accounts[7]})
    event = tx.events["DatasetAttested"]
    assert (event["attestationId"], event["datasetId"], event["validator"], event["score"]) == (1, dataset_id, accounts[7], 9500)
    assert event["evidenceDigest"] == hx(evidence)
    assert attestations.attestationOf(1)[0] == dataset_id


def test_attest_reverts_for_non_validator_unknown_dataset_bad_score(attestations, accounts, publish):
    dataset_id, _ = publish()
    with brownie.reverts(err("AccessControlUnauthorizedAccount", accounts[1], bytes(attestations.VALIDATOR_ROLE()))):
        attestations.attest(dataset_id, INTEGRITY, 1, bytes(32), 0, {"from": accounts[1]})
    with brownie.reverts(err("DatasetAttestationsUnknownDataset", 42)):
        attestations.attest(42, INTEGRITY, 1, bytes(32), 0, {"from": accounts[7]})
    with brownie.reverts(err("DatasetAttestationsInvalidScore", 10001)):
        attestations.attest(dataset_id, INTEGRITY, 10001, bytes(32), 0, {"from": accounts[7]})


def test_attest_with_sig_by_validator_relayed(attestations, accounts, publish, validator_key):
    dataset_id, _ = publish()
    deadline = chain.time() + 600
    sig = sign_attest(attestations, validator_key.key, validator_key.address, dataset_id, 8000, bytes(32), 0, deadline)
    tx = attestations.attestWithSig(dataset_id, INTEGRITY, 8000, bytes(32), CODEC_RAW, validator_key.address,
                                    deadline, sig, {"from": accounts[3]})
    assert tx.events["DatasetAttested"]["validator"] == validator_key.address
    with brownie.reverts(err("DatasetAttestationsInvalidSignature", validator_key.address)):
        attestations.attestWithSig(dataset_id, INTEGRITY, 8000, bytes(32), CODEC_RAW, validator_key.address,
                                   deadline, sig, {"from": accounts[3]})


def test_attest_with_sig_reverts_on_wrong_chain_expiry_or_non_validator(attestations, accounts, publish, validator_key):
    dataset_id, _ = publish()
    deadline = chain.time() + 600
    sig = sign_attest(attestations, validator_key.key, validator_key.address, dataset_id, 1, bytes(32), 0, deadline,
                      chain_id=chain.id + 1)
    with brownie.reverts(err("DatasetAttestationsInvalidSignature", validator_key.address)):
        attestations.attestWithSig(dataset_id, INTEGRITY, 1, bytes(32), CODEC_RAW, validator_key.address, deadline,
                                   sig, {"from": accounts[3]})
    past = web3.eth.get_block("latest").timestamp - 1
    with brownie.reverts(err("DatasetAttestationsExpiredSignature", past)):
        attestations.attestWithSig(dataset_id, INTEGRITY, 1, bytes(32), CODEC_RAW, validator_key.address, past,
                                   sig, {"from": accounts[3]})
    outsider = Account.create()
    sig = sign_attest(attestations, outsider.key, outsider.address, dataset_id, 1, bytes(32), 0, deadline)
    with brownie.reverts(err("DatasetAttestationsNotValidator", outsider.address)):
        attestations.attestWithSig(dataset_id, INTEGRITY, 1, bytes(32), CODEC_RAW, outsider.address, deadline,
                                   sig, {"from": accounts[3]})


def test_revoke_by_validator_or_admin_only_once(attestations, accounts, admin, publish):
    dataset_id, _ = publish()
    attestations.attest(dataset_id, INTEGRITY, 1, bytes(32), 0, {"from": accounts[7]})
    with brownie.reverts(err("DatasetAttestationsUnauthorizedRevoker", 1, accounts[1])):
        attestations.revoke(1, {"from": accounts[1]})
    tx = attestations.revoke(1, {"from": admin})
    assert tx.events["AttestationRevoked"]["revoker"] == admin
    assert attestations.attestationOf(1)[3] is True
    with brownie.reverts(err("DatasetAttestationsNotRevocable", 1)):
        attestations.revoke(1, {"from": accounts[7]})


def test_invalidate_nonce_cancels_a_signed_attestation_nobody_relayed(attestations, accounts, publish, validator_key):
    dataset_id, _ = publish()
    deadline = chain.time() + 600
    sig = sign_attest(attestations, validator_key.key, validator_key.address, dataset_id, 8000, bytes(32), 0, deadline)
    accounts[0].transfer(validator_key.address, 10**17)
    tx = attestations.invalidateNonce({"from": accounts.add(validator_key.key.hex())})
    assert tx.events["NonceInvalidated"]["validator"] == validator_key.address
    with brownie.reverts(err("DatasetAttestationsInvalidSignature", validator_key.address)):
        attestations.attestWithSig(dataset_id, INTEGRITY, 8000, bytes(32), CODEC_RAW, validator_key.address,
                                   deadline, sig, {"from": accounts[3]})
