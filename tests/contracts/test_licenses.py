"""LicenseManager: terms, buying in ETH and tokens, validity, fee, front-running guard."""
import brownie
from brownie import chain

from conftest import NATIVE, err, hx, random_digest

DAY = 86400


def test_set_terms_records_and_emits(licenses, contributors, accepted):
    dataset_id = accepted()
    terms = random_digest()
    tx = licenses.setTerms(dataset_id, NATIVE, 10**16, 30 * DAY, terms, True, {"from": contributors[0]})
    event = tx.events["LicenseTermsSet"]
    assert (event["datasetId"], event["price"], event["duration"], event["active"]) == (dataset_id, 10**16, 30 * DAY, True)
    assert licenses.termsOf(dataset_id)[3] == 10**16


def test_set_terms_reverts_for_non_owner_or_bad_terms(licenses, contributors, accepted, MockERC20, admin):
    dataset_id = accepted()
    with brownie.reverts(err("LicenseManagerNotDatasetOwner", dataset_id, contributors[1])):
        licenses.setTerms(dataset_id, NATIVE, 1, 0, bytes(32), True, {"from": contributors[1]})
    with brownie.reverts(err("LicenseManagerInvalidTerms", NATIVE, 0)):
        licenses.setTerms(dataset_id, NATIVE, 0, 0, bytes(32), True, {"from": contributors[0]})
    stranger = MockERC20.deploy("S", "S", {"from": admin})
    with brownie.reverts(err("LicenseManagerInvalidTerms", stranger, 5)):
        licenses.setTerms(dataset_id, stranger, 5, 0, bytes(32), True, {"from": contributors[0]})


def test_buy_eth_records_license_and_pays_vault(licenses, vault, contributors, accepted, accounts):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    licenses.setTerms(dataset_id, NATIVE, 10**16, 30 * DAY, bytes(32), True, {"from": contributors[0]})
    buyer = accounts[6]
    tx = licenses.buy(dataset_id, NATIVE, 10**16, 30 * DAY, bytes(32), {"from": buyer, "value": 10**16})
    event = tx.events["LicensePurchased"]
    assert (event["licenseId"], event["datasetId"], event["licensee"], event["price"]) == (1, dataset_id, buyer, 10**16)
    assert event["expiresAt"] == event["issuedAt"] + 30 * DAY
    assert licenses.hasValidLicense(buyer, dataset_id)
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 10**16
    # the licence's record is that event and the buyer's expiry: no struct stored per licence
    assert licenses.licenseCount() == 1 and licenses.licenseExpiry(buyer, dataset_id) == event["expiresAt"]
    chain.sleep(31 * DAY)
    chain.mine()
    assert not licenses.hasValidLicense(buyer, dataset_id)


def test_buy_again_extends_license(licenses, contributors, accepted, accounts):
    dataset_id = accepted()
    licenses.setTerms(dataset_id, NATIVE, 100, 10 * DAY, bytes(32), True, {"from": contributors[0]})
    first = licenses.buy(dataset_id, NATIVE, 100, 10 * DAY, bytes(32), {"from": accounts[6], "value": 100}).events["LicensePurchased"]
    second = licenses.buy(dataset_id, NATIVE, 100, 10 * DAY, bytes(32), {"from": accounts[6], "value": 100}).events["LicensePurchased"]
    assert second["expiresAt"] == first["expiresAt"] + 10 * DAY


def test_buy_token_pulls_exact_price(licenses, vault, contributors, accepted, usdc, admin, accounts):
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    licenses.setTerms(dataset_id, usdc, 10**6, 0, bytes(32), True, {"from": contributors[0]})
    usdc.mint(accounts[6], 10**6, {"from": admin})
    usdc.approve(licenses, 10**6, {"from": accounts[6]})
    tx = licenses.buy(dataset_id, usdc, 10**6, 0, bytes(32), {"from": accounts[6]})
    assert tx.events["LicensePurchased"]["expiresAt"] == 2**64 - 1
    assert usdc.balanceOf(vault) == 10**6
    assert vault.claimable(dataset_id, usdc, contributors[0]) == 10**6


def test_buy_reverts_when_not_accepted(licenses, contributors, publish, accounts, curator, nft):
    dataset_id, _ = publish()
    with brownie.reverts(err("LicenseManagerDatasetNotAccepted", dataset_id, 1)):
        licenses.buy(dataset_id, NATIVE, 1, 0, bytes(32), {"from": accounts[6], "value": 1})


def test_buy_reverts_when_not_for_sale_or_terms_changed(licenses, contributors, accepted, accounts):
    dataset_id = accepted()
    with brownie.reverts(err("LicenseManagerNotForSale", dataset_id)):
        licenses.buy(dataset_id, NATIVE, 1, 0, bytes(32), {"from": accounts[6], "value": 1})
    licenses.setTerms(dataset_id, NATIVE, 200, 0, bytes(32), True, {"from": contributors[0]})
    with brownie.reverts(err("LicenseManagerTermsChanged", dataset_id, NATIVE, 200, 0, bytes(32))):
        licenses.buy(dataset_id, NATIVE, 100, 0, bytes(32), {"from": accounts[6], "value": 100})
    with brownie.reverts(err("LicenseManagerValueMismatch", 100, 200)):
        licenses.buy(dataset_id, NATIVE, 200, 0, bytes(32), {"from": accounts[6], "value": 100})


def test_buy_pays_protocol_fee_to_treasury(licenses, vault, contributors, accepted, accounts, admin, treasury):
    vault.setProtocolFee(1000, treasury, {"from": admin})
    dataset_id = accepted(shares=[(contributors[0], 10000)])
    licenses.setTerms(dataset_id, NATIVE, 10**6, 0, bytes(32), True, {"from": contributors[0]})
    licenses.buy(dataset_id, NATIVE, 10**6, 0, bytes(32), {"from": accounts[6], "value": 10**6})
    assert vault.treasuryAccrued(NATIVE) == 10**5
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 9 * 10**5



def test_buy_reverts_on_fee_on_transfer_token(licenses, vault, contributors, accepted, MockFeeToken, admin, accounts):
    dataset_id = accepted()
    token = MockFeeToken.deploy({"from": admin})
    vault.setTokenAllowed(token, True, {"from": admin})
    licenses.setTerms(dataset_id, token, 1000, 0, bytes(32), True, {"from": contributors[0]})
    token.mint(accounts[6], 1000, {"from": admin})
    token.approve(licenses, 1000, {"from": accounts[6]})
    with brownie.reverts(err("LicenseManagerAmountNotReceived", token, 1000, 990)):
        licenses.buy(dataset_id, token, 1000, 0, bytes(32), {"from": accounts[6]})


def test_buy_reverts_when_owner_front_runs_with_shorter_duration(licenses, contributors, accepted, accounts):
    """The attack: the buyer saw 30 days under document A; the owner's setTerms lands first with
    1 second at the same price. The buyer's transaction reverts with the terms now in force."""
    dataset_id = accepted()
    document = random_digest()
    licenses.setTerms(dataset_id, NATIVE, 100, 30 * DAY, document, True, {"from": contributors[0]})
    seen = licenses.termsOf(dataset_id)
    licenses.setTerms(dataset_id, NATIVE, 100, 1, document, True, {"from": contributors[0]})  # front-run
    with brownie.reverts(err("LicenseManagerTermsChanged", dataset_id, NATIVE, 100, 1, document)):
        licenses.buy(dataset_id, seen[0], seen[3], seen[1], seen[4], {"from": accounts[6], "value": 100})
    assert licenses.licenseCount() == 0 and not licenses.hasValidLicense(accounts[6], dataset_id)


def test_buy_reverts_when_owner_front_runs_with_other_terms_document(licenses, contributors, accepted, accounts):
    dataset_id = accepted()
    agreed, swapped = random_digest(), random_digest()
    licenses.setTerms(dataset_id, NATIVE, 100, 30 * DAY, agreed, True, {"from": contributors[0]})
    licenses.setTerms(dataset_id, NATIVE, 100, 30 * DAY, swapped, True, {"from": contributors[0]})  # front-run
    with brownie.reverts(err("LicenseManagerTermsChanged", dataset_id, NATIVE, 100, 30 * DAY, swapped)):
        licenses.buy(dataset_id, NATIVE, 100, 30 * DAY, agreed, {"from": accounts[6], "value": 100})
    tx = licenses.buy(dataset_id, NATIVE, 100, 30 * DAY, swapped, {"from": accounts[6], "value": 100})
    assert tx.events["LicensePurchased"]["termsDigest"] == "0x" + swapped.hex()


def test_terms_of_a_burnt_generation_are_never_sold(licenses, nft, publish, contributors, curator, admin, accounts):
    """A squatter offers 1-wei perpetual terms, is rejected and burnt; the rightful publisher's
    re-publication starts with no terms, and the squatter's are refused at purchase."""
    squatter, owner = contributors[1], contributors[0]
    content = random_digest()
    dataset_id, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content)
    licenses.setTerms(dataset_id, NATIVE, 1, 0, bytes(32), True, {"from": squatter})
    nft.curate(dataset_id, 3, {"from": curator})
    nft.burn(dataset_id, {"from": admin})
    publish(shares=[(owner, 10000)], sender=owner, content=content)
    nft.curate(dataset_id, 2, {"from": curator})
    assert licenses.termsOf(dataset_id) == (NATIVE, 0, False, 0, hx(bytes(32)))
    with brownie.reverts(err("LicenseManagerNotForSale", dataset_id)):
        licenses.buy(dataset_id, NATIVE, 1, 0, bytes(32), {"from": accounts[8], "value": 1})
    licenses.setTerms(dataset_id, NATIVE, 10**16, 0, bytes(32), True, {"from": owner})
    tx = licenses.buy(dataset_id, NATIVE, 10**16, 0, bytes(32), {"from": accounts[8], "value": 10**16})
    assert licenses.hasValidLicense(accounts[8], dataset_id) and tx.events["LicensePurchased"]["price"] == 10**16
