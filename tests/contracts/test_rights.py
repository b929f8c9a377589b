"""DatasetRights: consent (direct and relayed), withdrawal, and takedown with due process: raise,
answer, decide, appeal, close, bonds by pull; an upheld dispute suspends its dataset everywhere."""
import brownie
import pytest
from brownie import chain
from eth_account import Account
from eth_account.messages import encode_typed_data

from conftest import (APPEAL_WINDOW, BOND, CODEC_DAG_PB, CODEC_RAW, DECISION_WINDOW, KE_EDUCATION, NATIVE,
                      contributions, err, hx, random_digest, reveal, sign_register)

RAISED, UPHELD, REJECTED, APPEALED, UPHELD_FINAL, REJECTED_FINAL, LAPSED = range(1, 8)
PROPOSED, ACCEPTED, SUSPENDED = 1, 2, 5
PERSONAL_DATA, COPYRIGHT = 0, 1
DAY = 86_400
PRICE = 10**16


def sign_consent(rights, key, dataset_id, purposes, nonce, deadline):
    data = {
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"},
                                   {"name": "verifyingContract", "type": "address"}],
                  "Consent": [{"name": "datasetId", "type": "uint256"}, {"name": "contributor", "type": "address"},
                              {"name": "purposes", "type": "bytes32"}, {"name": "nonce", "type": "uint256"},
                              {"name": "deadline", "type": "uint256"}]},
        "primaryType": "Consent",
        "domain": {"name": "OpenCommons DatasetRights", "version": "1", "chainId": chain.id,
                   "verifyingContract": rights.address},
        "message": {"datasetId": dataset_id, "contributor": key.address, "purposes": purposes, "nonce": nonce,
                    "deadline": deadline},
    }
    return Account.sign_message(encode_typed_data(full_message=data), key.key).signature


@pytest.fixture
def disputed(rights, accepted, contributors, accounts):
    """An accepted dataset of contributors[0] (60%) and [1] (40%), disputed by accounts[5]: (dataset_id, dispute_id)."""
    dataset_id = accepted()
    tx = rights.raiseDispute(dataset_id, PERSONAL_DATA, random_digest(), CODEC_RAW, {"from": accounts[5], "value": BOND})
    return dataset_id, tx.return_value


# ---------------------------------------------------------------- consent and withdrawal
def test_consent_records_and_emits(rights, publish, contributors):
    dataset_id, _ = publish()
    purposes = random_digest()
    assert not rights.hasConsented(dataset_id, contributors[1])
    tx = rights.consent(dataset_id, purposes, {"from": contributors[1]})
    event = tx.events["ConsentGiven"]
    assert (event["datasetId"], event["contributor"], event["generation"]) == (dataset_id, contributors[1], 0)
    assert event["purposes"] == hx(purposes)
    record = rights.consentOf(dataset_id, contributors[1])
    assert record[0] == tx.timestamp and record[1] == 0 and record[4] == hx(purposes)
    assert rights.hasConsented(dataset_id, contributors[1])
    assert not rights.hasConsented(dataset_id, contributors[0])


def test_consent_reverts_for_non_contributor_and_unknown_dataset(rights, publish, accounts):
    dataset_id, _ = publish()
    with brownie.reverts(err("DatasetRightsNotContributor", dataset_id, accounts[6])):
        rights.consent(dataset_id, bytes(32), {"from": accounts[6]})
    with brownie.reverts(err("DatasetRightsUnknownDataset", 42)):
        rights.consent(42, bytes(32), {"from": accounts[6]})


def test_consent_with_sig_relayed_once(rights, publish, contributors, registry, accounts):
    key = Account.create()  # a contributor with no ether: registers and consents by signature
    deadline = chain.time() + 3600
    profile = random_digest()
    registry.registerWithSig(key.address, profile, CODEC_RAW, KE_EDUCATION, deadline,
                             sign_register(registry, key, profile, CODEC_RAW, KE_EDUCATION, 0, deadline),
                             {"from": accounts[5]})
    dataset_id, _ = publish(shares=[(contributors[0], 5000), (key.address, 5000)])
    purposes = random_digest()
    sig = sign_consent(rights, key, dataset_id, purposes, 0, deadline)
    tx = rights.consentWithSig(dataset_id, key.address, purposes, deadline, sig, {"from": accounts[5]})
    assert tx.events["ConsentGiven"]["contributor"] == key.address
    assert rights.hasConsented(dataset_id, key.address)
    with brownie.reverts(err("DatasetRightsInvalidSignature", key.address)):  # the nonce moved on
        rights.consentWithSig(dataset_id, key.address, purposes, deadline, sig, {"from": accounts[5]})
    past = chain.time() - 1
    late = sign_consent(rights, key, dataset_id, purposes, 1, past)
    with brownie.reverts(err("DatasetRightsExpiredSignature", past)):
        rights.consentWithSig(dataset_id, key.address, purposes, past, late, {"from": accounts[5]})


def test_withdraw_records_time_once_and_consent_undoes_it(rights, publish, contributors, accounts):
    dataset_id, _ = publish()
    rights.consent(dataset_id, bytes(32), {"from": contributors[1]})
    files = random_digest()
    tx = rights.withdraw(dataset_id, files, CODEC_RAW, {"from": contributors[1]})
    event = tx.events["ContributionWithdrawn"]
    assert (event["datasetId"], event["contributor"], event["withdrawnAt"]) == (dataset_id, contributors[1], tx.timestamp)
    assert event["filesDigest"] == hx(files)
    assert not rights.hasConsented(dataset_id, contributors[1])
    with brownie.reverts(err("DatasetRightsAlreadyWithdrawn", dataset_id, contributors[1])):
        rights.withdraw(dataset_id, bytes(32), 0, {"from": contributors[1]})
    with brownie.reverts(err("DatasetRightsNotContributor", dataset_id, accounts[6])):
        rights.withdraw(dataset_id, bytes(32), 0, {"from": accounts[6]})
    rights.consent(dataset_id, bytes(32), {"from": contributors[1]})
    assert rights.hasConsented(dataset_id, contributors[1])
    assert rights.consentOf(dataset_id, contributors[1])[1] == 0


def test_withdrawal_racing_a_sale_both_stand(rights, licenses, vault, accepted, contributors, accounts):
    """A withdrawal and a sale in either order: the sale pays, the withdrawal is on the record."""
    for withdraw_first in (True, False):
        dataset_id = accepted()
        licenses.setTerms(dataset_id, NATIVE, PRICE, 0, bytes(32), True, {"from": contributors[0]})
        steps = [lambda: rights.withdraw(dataset_id, bytes(32), 0, {"from": contributors[1]}),
                 lambda: licenses.buy(dataset_id, NATIVE, PRICE, 0, bytes(32), {"from": accounts[6], "value": PRICE})]
        for step in (steps if withdraw_first else steps[::-1]):
            step()
        assert licenses.hasValidLicense(accounts[6], dataset_id)
        assert rights.consentOf(dataset_id, contributors[1])[1] != 0
        assert vault.claimable(dataset_id, NATIVE, contributors[1]) > 0


# ---------------------------------------------------------------- disputes
def test_raise_records_and_emits(rights, accepted, contributors, accounts):
    dataset_id = accepted()
    evidence = random_digest()
    tx = rights.raiseDispute(dataset_id, COPYRIGHT, evidence, CODEC_RAW, {"from": accounts[5], "value": BOND})
    event = tx.events["DisputeRaised"]
    assert (event["disputeId"], event["datasetId"], event["raiser"], event["reason"], event["bond"]) == (
        1, dataset_id, accounts[5], COPYRIGHT, BOND)
    d = rights.disputeOf(1)
    assert (d[0], d[1], d[3], d[6], d[10]) == (dataset_id, accounts[5], RAISED, contributors[0], BOND)
    assert rights.activeDisputeOf(dataset_id) == 1
    assert rights.balance() == BOND


def test_raise_reverts_twice_wrong_bond_unknown_dataset(rights, disputed, accepted, accounts):
    dataset_id, dispute_id = disputed
    with brownie.reverts(err("DatasetRightsDisputeOpen", dataset_id, dispute_id)):
        rights.raiseDispute(dataset_id, COPYRIGHT, random_digest(), CODEC_RAW, {"from": accounts[6], "value": BOND})
    other = accepted()
    with brownie.reverts(err("DatasetRightsWrongBond", BOND - 1, BOND)):
        rights.raiseDispute(other, COPYRIGHT, random_digest(), CODEC_RAW, {"from": accounts[6], "value": BOND - 1})
    with brownie.reverts(err("DatasetRightsUnknownDataset", 42)):
        rights.raiseDispute(42, COPYRIGHT, random_digest(), CODEC_RAW, {"from": accounts[6], "value": BOND})


def test_answer_only_by_publisher_while_open(rights, disputed, contributors, accounts):
    _, dispute_id = disputed
    with brownie.reverts(err("DatasetRightsNotParty", dispute_id, accounts[5])):
        rights.answer(dispute_id, random_digest(), CODEC_RAW, {"from": accounts[5]})
    reply = random_digest()
    tx = rights.answer(dispute_id, reply, CODEC_RAW, {"from": contributors[0]})
    assert tx.events["DisputeAnswered"]["answerDigest"] == hx(reply)
    assert rights.disputeOf(dispute_id)[13] == hx(reply)


def test_upheld_dispute_tombstones_the_dataset(rights, nft, vault, licenses, disputed, contributors, accounts):
    dataset_id, dispute_id = disputed
    licenses.setTerms(dataset_id, NATIVE, PRICE, 0, bytes(32), True, {"from": contributors[0]})
    licenses.buy(dataset_id, NATIVE, PRICE, 0, bytes(32), {"from": accounts[6], "value": PRICE})
    owed = vault.claimable(dataset_id, NATIVE, contributors[1])
    assert owed > 0
    tx = rights.decide(dispute_id, True, {"from": accounts[7]})
    assert tx.events["DisputeDecided"]["stage"] == UPHELD
    assert tx.events["DatasetCurated"]["to"] == SUSPENDED
    assert nft.statusOf(dataset_id) == SUSPENDED
    assert rights.disputeOf(dispute_id)[4] == ACCEPTED  # the status it will get back
    # no sales, no payments, royalties frozen, licences suspended, no new version
    with brownie.reverts(err("LicenseManagerDatasetNotAccepted", dataset_id, SUSPENDED)):
        licenses.buy(dataset_id, NATIVE, PRICE, 0, bytes(32), {"from": accounts[6], "value": PRICE})
    with brownie.reverts(err("RoyaltyVaultDatasetClosed", dataset_id)):
        vault.pay(dataset_id, NATIVE, 10, {"from": accounts[6], "value": 10})
    assert vault.claimable(dataset_id, NATIVE, contributors[1]) == 0
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", contributors[1])):
        vault.claim([dataset_id], [NATIVE], {"from": contributors[1]})
    assert not licenses.hasValidLicense(accounts[6], dataset_id)
    with brownie.reverts(err("DatasetRightsDisputeOpen", dataset_id, dispute_id)):
        rights.raiseDispute(dataset_id, COPYRIGHT, random_digest(), CODEC_RAW, {"from": accounts[6], "value": BOND})
    # the publisher appeals and the arbiter reinstates: status, licence and royalties come back
    rights.appeal(dispute_id, {"from": contributors[0], "value": BOND})
    tx = rights.decide(dispute_id, False, {"from": accounts[7]})
    assert tx.events["DisputeClosed"]["stage"] == REJECTED_FINAL
    assert nft.statusOf(dataset_id) == ACCEPTED
    assert licenses.hasValidLicense(accounts[6], dataset_id)
    assert vault.claimable(dataset_id, NATIVE, contributors[1]) == owed
    # the publisher won: both bonds are its to withdraw
    assert rights.bondOf(contributors[0]) == 2 * BOND and rights.bondOf(accounts[5]) == 0
    before = contributors[0].balance()
    tx = rights.withdrawBonds({"from": contributors[0]})
    assert contributors[0].balance() == before + 2 * BOND - tx.gas_used * tx.gas_price
    assert rights.balance() == 0 and rights.activeDisputeOf(dataset_id) == 0


def test_upheld_unappealed_becomes_final_and_raiser_gets_bond(rights, nft, disputed, accounts):
    dataset_id, dispute_id = disputed
    rights.decide(dispute_id, True, {"from": accounts[7]})
    until = rights.disputeOf(dispute_id)[9] + APPEAL_WINDOW
    with brownie.reverts(err("DatasetRightsWindowOpen", dispute_id, until)):  # nothing to close yet
        rights.closeDispute(dispute_id, {"from": accounts[3]})
    chain.sleep(APPEAL_WINDOW + 1)
    chain.mine()
    with brownie.reverts(err("DatasetRightsWindowClosed", dispute_id, until)):
        rights.appeal(dispute_id, {"from": accounts[1], "value": BOND})
    tx = rights.closeDispute(dispute_id, {"from": accounts[3]})
    assert tx.events["DisputeClosed"]["stage"] == UPHELD_FINAL
    assert nft.statusOf(dataset_id) == SUSPENDED  # a tombstone
    assert rights.activeDisputeOf(dataset_id) == dispute_id
    assert rights.bondOf(accounts[5]) == BOND


def test_rejected_dispute_loses_bond_to_publisher(rights, nft, disputed, contributors, accounts):
    dataset_id, dispute_id = disputed
    rights.decide(dispute_id, False, {"from": accounts[7]})
    assert nft.statusOf(dataset_id) == ACCEPTED
    with brownie.reverts(err("DatasetRightsNotParty", dispute_id, contributors[0])):  # the winner cannot appeal
        rights.appeal(dispute_id, {"from": contributors[0], "value": BOND})
    chain.sleep(APPEAL_WINDOW + 1)
    rights.closeDispute(dispute_id, {"from": accounts[3]})
    assert rights.bondOf(contributors[0]) == BOND
    assert rights.activeDisputeOf(dataset_id) == 0
    rights.raiseDispute(dataset_id, COPYRIGHT, random_digest(), CODEC_RAW, {"from": accounts[6], "value": BOND})


def test_raiser_appeal_upheld_suspends(rights, nft, disputed, accounts):
    dataset_id, dispute_id = disputed
    rights.decide(dispute_id, False, {"from": accounts[7]})
    rights.appeal(dispute_id, {"from": accounts[5], "value": BOND})
    rights.decide(dispute_id, True, {"from": accounts[7]})
    assert nft.statusOf(dataset_id) == SUSPENDED
    assert rights.disputeOf(dispute_id)[3] == UPHELD_FINAL
    assert rights.bondOf(accounts[5]) == 2 * BOND


def test_undecided_dispute_lapses_and_bond_returns(rights, nft, disputed, accounts):
    dataset_id, dispute_id = disputed
    chain.sleep(DECISION_WINDOW + 1)
    chain.mine()
    closes = rights.disputeOf(dispute_id)[9] + DECISION_WINDOW
    with brownie.reverts(err("DatasetRightsWindowClosed", dispute_id, closes)):
        rights.decide(dispute_id, True, {"from": accounts[7]})
    tx = rights.closeDispute(dispute_id, {"from": accounts[2]})
    assert tx.events["DisputeClosed"]["stage"] == LAPSED
    assert rights.bondOf(accounts[5]) == BOND and nft.statusOf(dataset_id) == ACCEPTED


def test_lapsed_appeal_leaves_decision_and_returns_appeal_bond(rights, nft, disputed, contributors, accounts):
    dataset_id, dispute_id = disputed
    rights.decide(dispute_id, True, {"from": accounts[7]})
    rights.appeal(dispute_id, {"from": contributors[0], "value": BOND})
    chain.sleep(DECISION_WINDOW + 1)
    tx = rights.closeDispute(dispute_id, {"from": accounts[2]})
    assert tx.events["DisputeClosed"]["stage"] == UPHELD_FINAL
    assert nft.statusOf(dataset_id) == SUSPENDED
    assert rights.bondOf(accounts[5]) == BOND and rights.bondOf(contributors[0]) == BOND


def test_decide_only_by_arbiter_and_needs_a_live_dataset(rights, nft, disputed, curator, accounts, publish):
    dataset_id, dispute_id = disputed
    with brownie.reverts(err("AccessControlUnauthorizedAccount", accounts[5], bytes(rights.ARBITER_ROLE()))):
        rights.decide(dispute_id, True, {"from": accounts[5]})
    with brownie.reverts(err("DatasetRightsUnknownDispute", 99)):
        rights.decide(99, True, {"from": accounts[7]})
    proposed, _ = publish()
    dispute = rights.raiseDispute(proposed, COPYRIGHT, random_digest(), CODEC_RAW,
                            {"from": accounts[6], "value": BOND}).return_value
    nft.curate(proposed, 3, {"from": curator})  # rejected meanwhile: nothing to suspend
    with brownie.reverts(err("DatasetRightsNotSuspendable", proposed, 3)):
        rights.decide(dispute, True, {"from": accounts[7]})
    rights.decide(dispute, False, {"from": accounts[7]})


def test_suspended_dataset_has_no_new_version(rights, nft, disputed, contributors, accounts):
    dataset_id, dispute_id = disputed
    rights.decide(dispute_id, True, {"from": accounts[7]})
    params = (random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              contributions([(contributors[0], 10_000)]))
    with brownie.reverts(err("DatasetNFTSuspended", dataset_id)):
        reveal(nft, params, contributors[0], previous=dataset_id)


def test_set_suspended_only_by_takedown_role_and_valid_moves(nft, accepted, admin):
    dataset_id = accepted()
    with brownie.reverts(err("AccessControlUnauthorizedAccount", admin, bytes(nft.TAKEDOWN_ROLE()))):
        nft.setSuspended(dataset_id, SUSPENDED, {"from": admin})
    nft.grantRole(nft.TAKEDOWN_ROLE(), admin, {"from": admin})
    with brownie.reverts(err("DatasetNFTInvalidTransition", dataset_id, ACCEPTED, PROPOSED)):
        nft.setSuspended(dataset_id, PROPOSED, {"from": admin})
    nft.setSuspended(dataset_id, SUSPENDED, {"from": admin})
    with brownie.reverts(err("DatasetNFTInvalidTransition", dataset_id, SUSPENDED, 3)):
        nft.setSuspended(dataset_id, 3, {"from": admin})  # never straight to Rejected
    nft.setSuspended(dataset_id, ACCEPTED, {"from": admin})


def test_settings_only_by_admin_and_in_range(rights, admin, accounts):
    with brownie.reverts(err("DatasetRightsInvalidSettings", 5, 60, DAY)):
        rights.setSettings(5, 60, DAY, {"from": admin})
    with brownie.reverts(err("AccessControlUnauthorizedAccount", accounts[5], bytes(32))):
        rights.setSettings(5, DAY, DAY, {"from": accounts[5]})
    tx = rights.setSettings(5, DAY, 2 * DAY, {"from": admin})
    assert tx.events["SettingsChanged"]["bond"] == 5
    assert rights.settings() == (5, DAY, 2 * DAY)


def test_withdraw_bonds_reverts_when_nothing(rights, accounts):
    with brownie.reverts(err("DatasetRightsNothingToWithdraw", accounts[4])):
        rights.withdrawBonds({"from": accounts[4]})


# ---------------------------------------------------------------- erasure
def test_erasure_requested_once_by_owner_or_arbiter_and_its_report_recorded(rights, accepted, contributors, accounts):
    dataset_id = accepted()
    with brownie.reverts(err("DatasetRightsNotOwnerOrArbiter", dataset_id, contributors[1])):
        rights.requestErasure(dataset_id, {"from": contributors[1]})  # a contributor, not the owner
    with brownie.reverts(err("DatasetRightsErasureNotRequested", dataset_id)):
        rights.recordErasure(dataset_id, random_digest(), CODEC_RAW, {"from": contributors[0]})
    tx = rights.requestErasure(dataset_id, {"from": contributors[0]})
    event = tx.events["ErasureRequested"]
    assert (event["datasetId"], event["by"], event["requestedAt"]) == (dataset_id, contributors[0], tx.timestamp)
    assert rights.erasureRequestedAt(dataset_id) == tx.timestamp
    with brownie.reverts(err("DatasetRightsErasureRequested", dataset_id, tx.timestamp)):
        rights.requestErasure(dataset_id, {"from": accounts[7]})
    report = random_digest()
    recorded = rights.recordErasure(dataset_id, report, CODEC_RAW, {"from": accounts[7]})  # the arbiter
    assert recorded.events["ErasureRecorded"]["reportDigest"] == hx(report)
    with brownie.reverts(err("DatasetRightsUnknownDataset", 42)):
        rights.requestErasure(42, {"from": accounts[7]})


# ---------------------------------------------------------------- the consent gate on royalties and rewards
def test_consent_gate_holds_a_share_until_its_contributor_consents(rights, vault, accepted, contributors, accounts,
                                                                    admin, nft):
    dataset_id = accepted()
    with brownie.reverts(err("AccessControlUnauthorizedAccount", accounts[5], bytes(32))):
        vault.setConsentGate(rights, {"from": accounts[5]})
    tx = vault.setConsentGate(rights, {"from": admin})
    assert tx.events["ConsentGateSet"]["rights"] == rights.address and vault.consentGate() == rights.address
    vault.pay(dataset_id, NATIVE, PRICE, {"from": accounts[6], "value": PRICE})
    owed = PRICE * 4000 // 10_000
    assert vault.claimable(dataset_id, NATIVE, contributors[1]) == 0  # held
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", contributors[1])):
        vault.claim([dataset_id], [NATIVE], {"from": contributors[1]})
    rights.consent(dataset_id, bytes(32), {"from": contributors[1]})
    assert vault.claimable(dataset_id, NATIVE, contributors[1]) == owed
    assert vault.claim([dataset_id], [NATIVE], {"from": contributors[1]}).events["RoyaltyClaimed"]["amount"] == owed
    # a withdrawal holds whatever comes after it
    rights.withdraw(dataset_id, bytes(32), 0, {"from": contributors[1]})
    vault.pay(dataset_id, NATIVE, PRICE, {"from": accounts[6], "value": PRICE})
    assert vault.claimable(dataset_id, NATIVE, contributors[1]) == 0
    # the publisher consents too (no exception for it), and the gate can be lifted
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", contributors[0])):
        vault.claim([dataset_id], [NATIVE], {"from": contributors[0]})
    vault.setConsentGate(brownie.ZERO_ADDRESS, {"from": admin})
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 2 * PRICE * 6000 // 10_000


def test_consent_gate_refuses_another_commons_rights(vault, DatasetRights, DatasetNFT, registry, admin):
    other_nft = DatasetNFT.deploy(registry, admin, 1, 256, {"from": admin})
    other = DatasetRights.deploy(other_nft, admin, [], BOND, DECISION_WINDOW, APPEAL_WINDOW, {"from": admin})
    with brownie.reverts(err("RoyaltyVaultInvalidRights", other)):
        vault.setConsentGate(other, {"from": admin})


# ---------------------------------------------------------------- forfeit, reissue after a deadline, licences move
REISSUE_WINDOW = 30 * DAY


def _params(shares, content=None):
    return (content or random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
            contributions(shares))


def test_final_takedown_forfeits_royalties_to_the_treasury(rights, nft, vault, disputed, contributors, accounts):
    dataset_id, dispute_id = disputed
    vault.pay(dataset_id, NATIVE, 10**15, {"from": accounts[6], "value": 10**15})
    owed = vault.claimable(dataset_id, NATIVE, contributors[0]) + vault.claimable(dataset_id, NATIVE, contributors[1])
    rights.decide(dispute_id, True, {"from": accounts[7]})
    with brownie.reverts(err("DatasetRightsWrongStage", dispute_id, UPHELD)):  # an appeal may still reinstate it
        rights.forfeitRoyalties(dispute_id, [NATIVE], {"from": accounts[3]})
    with brownie.reverts(err("RoyaltyVaultNotTakedown", accounts[3])):  # only the takedown role, through a decision
        vault.forfeitTakenDown(dataset_id, [NATIVE], {"from": accounts[3]})
    chain.sleep(APPEAL_WINDOW + 1)
    rights.closeDispute(dispute_id, {"from": accounts[3]})
    before = vault.treasuryAccrued(NATIVE)
    tx = rights.forfeitRoyalties(dispute_id, [NATIVE], {"from": accounts[3]})
    assert tx.events["RoyaltiesForfeited"]["datasetId"] == dataset_id
    assert tx.events["RoyaltyForfeited"]["amount"] >= owed
    assert vault.treasuryAccrued(NATIVE) - before == tx.events["RoyaltyForfeited"]["amount"]
    assert vault.poolOf(dataset_id, NATIVE)[1] == 0  # nothing outstanding
    assert nft.statusOf(dataset_id) == SUSPENDED


def test_forfeit_refuses_a_dataset_that_is_not_suspended(rights, nft, vault, accepted, admin):
    dataset_id = accepted()
    nft.grantRole(nft.TAKEDOWN_ROLE(), admin, {"from": admin})
    with brownie.reverts(err("RoyaltyVaultNotSuspended", dataset_id)):
        vault.forfeitTakenDown(dataset_id, [NATIVE], {"from": admin})


def test_rejected_final_dispute_forfeits_nothing(rights, disputed, contributors, accounts):
    _, dispute_id = disputed
    rights.decide(dispute_id, False, {"from": accounts[7]})
    chain.sleep(APPEAL_WINDOW + 1)
    rights.closeDispute(dispute_id, {"from": accounts[3]})
    with brownie.reverts(err("DatasetRightsWrongStage", dispute_id, REJECTED_FINAL)):
        rights.forfeitRoyalties(dispute_id, [NATIVE], {"from": accounts[3]})


def test_governance_reissues_after_the_owners_deadline(rights, nft, accepted, contributors, accounts):
    dataset_id = accepted()
    assert rights.reissueDueAt(dataset_id) == 0 and rights.reissueWindow() == REISSUE_WINDOW
    tx = rights.withdraw(dataset_id, bytes(32), 0, {"from": contributors[1]})
    due = tx.timestamp + REISSUE_WINDOW
    assert rights.reissueDueAt(dataset_id) == due
    params = _params([(contributors[0], 10_000)])
    salt = random_digest()
    with brownie.reverts(err("DatasetRightsReissueNotDue", dataset_id, due)):
        rights.reissue(dataset_id, params, salt, {"from": accounts[7]})
    chain.sleep(REISSUE_WINDOW + 1)
    chain.mine()
    with brownie.reverts():  # only an arbiter
        rights.reissue(dataset_id, params, salt, {"from": accounts[3]})
    with brownie.reverts(err("DatasetNFTPublisherNotRegistered", rights.address)):
        nft.commit(nft.commitmentOf(dataset_id, params, rights, salt), {"from": accounts[7]})
        chain.mine(1)
        rights.reissue(dataset_id, params, salt, {"from": accounts[7]})
    rights.registerPublisher(random_digest(), CODEC_RAW, {"from": accounts[7]})
    tx = rights.reissue(dataset_id, params, salt, {"from": accounts[7]})
    new_id = tx.return_value
    event = tx.events["DatasetReissued"]
    assert (event["previousId"], event["datasetId"], event["owner"]) == (dataset_id, new_id, contributors[0])
    assert nft.ownerOf(new_id) == contributors[0]  # the owner's, though governance published it
    assert nft.latestVersion(dataset_id) == new_id
    assert nft.shareOf(new_id, contributors[1]) == 0


def test_reissue_window_only_by_admin_and_in_range(rights, admin, accounts):
    with brownie.reverts():
        rights.setReissueWindow(7 * DAY, {"from": accounts[3]})
    with brownie.reverts(err("DatasetRightsInvalidReissueWindow", 60)):
        rights.setReissueWindow(60, {"from": admin})
    assert rights.setReissueWindow(7 * DAY, {"from": admin}).events["ReissueWindowSet"]["window"] == 7 * DAY


def test_licence_must_move_to_the_reissue_within_the_deadline(rights, nft, licenses, accepted, contributors,
                                                              accounts):
    dataset_id = accepted()
    licensee = accounts[6]
    licenses.setTerms(dataset_id, NATIVE, PRICE, 0, bytes(32), True, {"from": contributors[0]})
    licenses.buy(dataset_id, NATIVE, PRICE, 0, bytes(32), {"from": licensee, "value": PRICE})
    with brownie.reverts(err("LicenseManagerNothingToMove", dataset_id)):  # nothing withdrawn yet
        licenses.move(dataset_id, {"from": licensee})
    rights.withdraw(dataset_id, bytes(32), 0, {"from": contributors[1]})
    assert rights.moveDueAt(dataset_id) == 0  # no reissue yet: the licence stands
    tx = reveal(nft, _params([(contributors[0], 10_000)]), contributors[0], previous=dataset_id)
    new_id = tx.return_value
    due = rights.moveDueAt(dataset_id)
    assert due == tx.timestamp + REISSUE_WINDOW
    assert licenses.hasValidLicense(licensee, dataset_id)
    chain.sleep(REISSUE_WINDOW + 1)
    chain.mine()
    assert not licenses.hasValidLicense(licensee, dataset_id)  # the duty to move fell due
    assert not licenses.hasValidLicense(licensee, new_id)
    with brownie.reverts(err("LicenseManagerNoLicense", dataset_id, accounts[5])):
        licenses.move(dataset_id, {"from": accounts[5]})
    tx = licenses.move(dataset_id, {"from": licensee})
    assert tx.return_value == new_id
    assert tx.events["LicenseMoved"]["expiresAt"] == 2**64 - 1  # perpetual stays perpetual
    assert licenses.hasValidLicense(licensee, new_id)
    assert licenses.licenseExpiry(licensee, dataset_id) == 0
    with brownie.reverts(err("LicenseManagerNoLicense", dataset_id, licensee)):  # moved once
        licenses.move(dataset_id, {"from": licensee})
