"""RoyaltyVault: pay, claim, settle, collect, treasury, allow-list."""
import brownie
import pytest
from brownie import ZERO_ADDRESS, accounts as all_accounts, web3

from conftest import NATIVE, err, random_digest

REJECTED = 3


def eth_balance_delta(account, before, tx):
    return account.balance() - before + tx.gas_used * tx.gas_price


def test_pay_eth_credits_contributors_by_share(vault, contributors, publish):
    a, b = contributors[:2]
    dataset_id, _ = publish(shares=[(a, 6000), (b, 4000)])
    tx = vault.pay(dataset_id, NATIVE, 10**18, {"from": contributors[3], "value": 10**18})
    event = tx.events["RoyaltyPaid"]
    assert (event["datasetId"], event["token"], event["payer"], event["amount"]) == (dataset_id, NATIVE, contributors[3], 10**18)
    assert (event["fee"], event["ancestorShare"], event["contributorShare"]) == (0, 0, 10**18)
    assert vault.claimable(dataset_id, NATIVE, a) == 6 * 10**17
    assert vault.claimable(dataset_id, NATIVE, b) == 4 * 10**17


def test_pay_reverts_on_zero_amount_value_mismatch_unknown_dataset(vault, contributors, publish, usdc):
    dataset_id, _ = publish()
    with brownie.reverts("RoyaltyVaultZeroAmount: "):
        vault.pay(dataset_id, NATIVE, 0, {"from": contributors[0]})
    with brownie.reverts(err("RoyaltyVaultValueMismatch", 5, 6)):
        vault.pay(dataset_id, NATIVE, 6, {"from": contributors[0], "value": 5})
    with brownie.reverts(err("RoyaltyVaultValueMismatch", 5, 6)):
        vault.pay(dataset_id, usdc, 6, {"from": contributors[0], "value": 5})
    with brownie.reverts(err("RoyaltyVaultDatasetClosed", 99)):
        vault.pay(99, NATIVE, 1, {"from": contributors[0], "value": 1})


def test_pay_token_requires_allow_list(vault, contributors, publish, MockERC20, admin):
    dataset_id, _ = publish()
    other = MockERC20.deploy("X", "X", {"from": admin})
    other.mint(contributors[0], 100, {"from": admin})
    other.approve(vault, 100, {"from": contributors[0]})
    with brownie.reverts(err("RoyaltyVaultTokenNotAllowed", other)):
        vault.pay(dataset_id, other, 100, {"from": contributors[0]})


def test_pay_token_rejects_fee_on_transfer(vault, contributors, publish, MockFeeToken, admin):
    dataset_id, _ = publish()
    token = MockFeeToken.deploy({"from": admin})
    vault.setTokenAllowed(token, True, {"from": admin})
    token.mint(contributors[0], 1000, {"from": admin})
    token.approve(vault, 1000, {"from": contributors[0]})
    with brownie.reverts(err("RoyaltyVaultAmountNotReceived", token, 1000, 990)):
        vault.pay(dataset_id, token, 1000, {"from": contributors[0]})


def test_claim_pays_eth_once(vault, contributors, publish):
    a, b = contributors[:2]
    dataset_id, _ = publish(shares=[(a, 6000), (b, 4000)])
    vault.pay(dataset_id, NATIVE, 10**18, {"from": contributors[3], "value": 10**18})
    before = a.balance()
    tx = vault.claim([dataset_id], [NATIVE], {"from": a})
    assert eth_balance_delta(a, before, tx) == 6 * 10**17
    claimed = tx.events["RoyaltyClaimed"]
    assert (claimed["datasetId"], claimed["account"], claimed["amount"]) == (dataset_id, a, 6 * 10**17)
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", a)):
        vault.claim([dataset_id], [NATIVE], {"from": a})


def test_claim_covers_several_datasets_and_tokens(vault, contributors, publish, usdc, admin):
    a, b = contributors[:2]
    d1, _ = publish(shares=[(a, 5000), (b, 5000)])
    d2, _ = publish(shares=[(a, 10000)])
    usdc.mint(contributors[3], 3 * 10**6, {"from": admin})
    usdc.approve(vault, 3 * 10**6, {"from": contributors[3]})
    vault.pay(d1, usdc, 10**6, {"from": contributors[3]})
    vault.pay(d2, usdc, 2 * 10**6, {"from": contributors[3]})
    vault.pay(d1, NATIVE, 10**6, {"from": contributors[3], "value": 10**6})
    tx = vault.claim([d1, d2], [usdc, NATIVE], {"from": a})
    assert tx.return_value == (25 * 10**5, 5 * 10**5)
    assert usdc.balanceOf(a) == 25 * 10**5
    assert len(tx.events["RoyaltyClaimed"]) == 3


def test_claim_reverts_for_non_contributor(vault, contributors, publish, accounts):
    dataset_id, _ = publish()
    vault.pay(dataset_id, NATIVE, 10**6, {"from": contributors[3], "value": 10**6})
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", accounts[6])):
        vault.claim([dataset_id], [NATIVE], {"from": accounts[6]})


def test_claim_for_sends_to_account_not_caller(vault, contributors, publish, usdc, admin):
    a = contributors[0]
    dataset_id, _ = publish(shares=[(a, 10000)])
    usdc.mint(admin, 50000, {"from": admin})
    usdc.approve(vault, 50000, {"from": admin})
    vault.pay(dataset_id, usdc, 50000, {"from": admin})
    vault.claimFor(a, [dataset_id], [usdc], {"from": contributors[2]})
    assert usdc.balanceOf(a) == 50000 and usdc.balanceOf(contributors[2]) == 0


def test_pay_carries_dust_to_next_payment(vault, contributors, publish):
    a, b, c = contributors[:3]
    dataset_id, _ = publish(shares=[(a, 3333), (b, 3333), (c, 3334)])
    tx = vault.pay(dataset_id, NATIVE, 12345, {"from": contributors[3], "value": 12345})
    assert tx.events["RoyaltyPaid"]["carry"] == 2345
    pool = vault.poolOf(dataset_id, NATIVE)
    assert pool == (1, 10000, 2345)
    vault.pay(dataset_id, NATIVE, 7655, {"from": contributors[3], "value": 7655})
    assert vault.poolOf(dataset_id, NATIVE) == (2, 20000, 0)
    owed = sum(vault.claimable(dataset_id, NATIVE, x) for x in (a, b, c))
    assert owed == 20000


def test_pay_charges_protocol_fee_to_treasury(vault, contributors, publish, admin, treasury):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    vault.setProtocolFee(250, treasury, {"from": admin})
    tx = vault.pay(dataset_id, NATIVE, 10000, {"from": contributors[3], "value": 10000})
    assert tx.events["RoyaltyPaid"]["fee"] == 250
    assert vault.treasuryAccrued(NATIVE) == 250
    before = treasury.balance()
    tx = vault.claimTreasury(NATIVE, {"from": contributors[3]})
    assert treasury.balance() - before == 250
    assert tx.events["TreasuryClaimed"]["amount"] == 250
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", treasury)):
        vault.claimTreasury(NATIVE, {"from": contributors[3]})


def test_set_protocol_fee_reverts_above_cap_or_for_non_fee_role(vault, admin, treasury, contributors):
    with brownie.reverts(err("RoyaltyVaultInvalidFee", 1001, treasury)):
        vault.setProtocolFee(1001, treasury, {"from": admin})
    with brownie.reverts(err("RoyaltyVaultInvalidFee", 10, ZERO_ADDRESS)):
        vault.setProtocolFee(10, ZERO_ADDRESS, {"from": admin})
    with brownie.reverts(err("AccessControlUnauthorizedAccount", contributors[0], bytes(vault.FEE_ROLE()))):
        vault.setProtocolFee(10, treasury, {"from": contributors[0]})


def test_set_token_allowed_reverts_for_non_allowlist_role(vault, usdc, contributors):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", contributors[0], bytes(vault.ALLOWLIST_ROLE()))):
        vault.setTokenAllowed(usdc, False, {"from": contributors[0]})


def test_settle_moves_ancestor_share_up_the_lineage(vault, contributors, publish):
    a, b, c = contributors[:3]
    root, _ = publish(shares=[(a, 10000)])
    other, _ = publish(shares=[(c, 10000)])
    middle, _ = publish(shares=[(b, 10000)], parents=[root], ancestor_bps=2000)
    leaf, _ = publish(shares=[(c, 10000)], parents=[middle, other], ancestor_bps=1000)
    vault.pay(leaf, NATIVE, 10**9, {"from": contributors[3], "value": 10**9})
    assert vault.pendingAncestorOf(leaf, NATIVE) == 10**8
    tx = vault.settle([leaf, middle], NATIVE, {"from": contributors[3]})
    assert tx.events["AncestorRoyaltySettled"][0]["amount"] == 10**8
    # leaf's 10% split between middle and other; middle passes 20% of its half up to root
    assert vault.claimable(other, NATIVE, c) == 5 * 10**7
    assert vault.claimable(middle, NATIVE, b) == 4 * 10**7
    assert vault.claimable(root, NATIVE, a) == 10**7
    assert vault.pendingAncestorOf(leaf, NATIVE) == 0 and vault.pendingAncestorOf(middle, NATIVE) == 0


def test_collect_credits_erc2981_payment_to_dataset(vault, nft, contributors, publish, admin):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    receiver = vault.royaltyReceiverOf(dataset_id)
    admin.transfer(receiver, 10**15)  # a marketplace's plain ETH transfer, before deployment
    tx = vault.collect(dataset_id, NATIVE, {"from": contributors[3]})
    assert tx.events["ReceiverCollected"]["amount"] == 10**15
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 10**15
    admin.transfer(receiver, 10**15, gas_limit=21000 + 2300)  # after deployment, stipend-sized
    vault.collect(dataset_id, NATIVE, {"from": contributors[3]})
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 2 * 10**15


def test_receive_rejects_stray_ether(vault, admin):
    with brownie.reverts(err("RoyaltyVaultUnexpectedEther", admin)):
        admin.transfer(vault, 1)


def test_release_reverts_for_non_vault(vault, contributors, publish, RoyaltyReceiver, admin):
    dataset_id, _ = publish()
    vault.collect(dataset_id, NATIVE, {"from": admin})
    receiver = RoyaltyReceiver.at(vault.royaltyReceiverOf(dataset_id))
    with brownie.reverts(err("RoyaltyReceiverUnauthorized", admin)):
        receiver.release({"from": admin})


def test_claim_blocks_reentrancy_from_malicious_receiver(vault, contributors, publish, MockReentrantClaimer, registry, admin):
    attacker = MockReentrantClaimer.deploy(vault, {"from": admin})
    attacker.register(registry, {"from": admin})
    dataset_id, _ = publish(shares=[(contributors[0], 5000), (attacker.address, 5000)])
    vault.pay(dataset_id, NATIVE, 10**6, {"from": admin, "value": 10**6})
    with brownie.reverts("ReentrancyGuardReentrantCall: "):
        attacker.attack(dataset_id, {"from": admin})
    attacker.setReenter(False, {"from": admin})
    attacker.attack(dataset_id, {"from": admin})
    assert attacker.balance() == 5 * 10**5
    assert vault.balance() == 5 * 10**5


def test_set_token_allowed_reverts_for_native(vault, admin):
    with brownie.reverts("RoyaltyVaultZeroAddress: "):
        vault.setTokenAllowed(NATIVE, True, {"from": admin})


def test_deploy_reverts_with_zero_treasury(RoyaltyVault, nft, admin):
    with brownie.reverts("RoyaltyVaultZeroAddress: "):
        RoyaltyVault.deploy(nft, admin, ZERO_ADDRESS, {"from": admin})


# ------------------------------------------------------------------ hardening (issue 13)
def test_collect_releases_allowed_erc20_sent_to_receiver(vault, usdc, contributors, publish, admin):
    """A marketplace pays the royalty in the sale currency to royaltyInfo()'s receiver: it is not locked."""
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    receiver = vault.royaltyReceiverOf(dataset_id)
    usdc.mint(receiver, 7 * 10**6, {"from": admin})
    tx = vault.collect(dataset_id, usdc, {"from": contributors[3]})
    event = tx.events["ReceiverCollected"]
    assert (event["token"], event["amount"]) == (usdc.address, 7 * 10**6)
    assert usdc.balanceOf(receiver) == 0
    assert vault.claimable(dataset_id, usdc, contributors[0]) == 7 * 10**6
    vault.claim([dataset_id], [usdc], {"from": contributors[0]})
    assert usdc.balanceOf(contributors[0]) == 7 * 10**6


def test_collect_holds_unlisted_erc20_until_allowed(vault, MockERC20, contributors, publish, admin):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    weth = MockERC20.deploy("Wrapped", "WETH", {"from": admin})
    weth.mint(vault.royaltyReceiverOf(dataset_id), 500, {"from": admin})
    tx = vault.collect(dataset_id, weth, {"from": contributors[3]})
    assert tx.events["RoyaltyHeld"]["held"] == 500 and "RoyaltyPaid" not in tx.events
    assert vault.heldOf(dataset_id, weth) == 500 and vault.owed(weth) == 500
    assert vault.claimable(dataset_id, weth, contributors[0]) == 0
    with brownie.reverts(err("RoyaltyVaultNothingToSweep", weth)):  # held is owed: not sweepable
        vault.sweep(weth, {"from": contributors[3]})
    vault.setTokenAllowed(weth, True, {"from": admin})
    weth.mint(vault.royaltyReceiverOf(dataset_id), 20000 - 500, {"from": admin})
    tx = vault.collect(dataset_id, weth, {"from": contributors[3]})
    assert tx.events["RoyaltyPaid"]["amount"] == 20000
    assert vault.heldOf(dataset_id, weth) == 0
    assert vault.claimable(dataset_id, weth, contributors[0]) == 20000


def test_sweep_sends_only_excess_to_treasury(vault, usdc, contributors, publish, admin, treasury):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    usdc.mint(admin, 10**6, {"from": admin})
    usdc.approve(vault, 10**6, {"from": admin})
    vault.pay(dataset_id, usdc, 6 * 10**5, {"from": admin})
    with brownie.reverts(err("RoyaltyVaultNothingToSweep", usdc)):
        vault.sweep(usdc, {"from": contributors[3]})
    usdc.transfer(vault, 4 * 10**5, {"from": admin})  # by mistake
    tx = vault.sweep(usdc, {"from": contributors[3]})
    assert tx.events["Swept"]["amount"] == 4 * 10**5
    assert usdc.balanceOf(treasury) == 4 * 10**5
    assert usdc.balanceOf(vault) == vault.owed(usdc) == 6 * 10**5
    vault.claim([dataset_id], [usdc], {"from": contributors[0]})  # the contributors lost nothing
    assert usdc.balanceOf(contributors[0]) == 6 * 10**5


def test_sweep_sends_forced_ether_to_treasury(vault, contributors, publish, admin, treasury, accounts):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    vault.pay(dataset_id, NATIVE, 1000, {"from": admin, "value": 1000})
    # ETH that arrives without a call (selfdestruct, a block reward): set the balance directly
    web3.provider.make_request("anvil_setBalance", [vault.address, hex(1000 + 55)])
    before = treasury.balance()
    assert vault.sweep(NATIVE, {"from": contributors[3]}).events["Swept"]["amount"] == 55
    assert treasury.balance() - before == 55
    assert vault.balance() == vault.owed(NATIVE) == 1000


def test_pay_reverts_for_rejected_dataset(vault, nft, usdc, contributors, publish, curator, admin):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    nft.curate(dataset_id, REJECTED, {"from": curator})
    with brownie.reverts(err("RoyaltyVaultDatasetClosed", dataset_id)):
        vault.pay(dataset_id, NATIVE, 10, {"from": admin, "value": 10})
    with brownie.reverts(err("RoyaltyVaultDatasetClosed", dataset_id)):
        vault.collect(dataset_id, NATIVE, {"from": admin})
    with brownie.reverts(err("RoyaltyVaultDatasetClosed", 12345)):
        vault.pay(12345, NATIVE, 10, {"from": admin, "value": 10})


def test_claim_reverts_while_rejected_and_resumes_after_reinstate(vault, nft, contributors, publish, curator, admin):
    dataset_id, _ = publish(shares=[(contributors[0], 10000)])
    vault.pay(dataset_id, NATIVE, 10**6, {"from": admin, "value": 10**6})
    nft.curate(dataset_id, REJECTED, {"from": curator})
    assert vault.claimable(dataset_id, NATIVE, contributors[0]) == 0
    with brownie.reverts(err("RoyaltyVaultNothingToClaim", contributors[0])):
        vault.claim([dataset_id], [NATIVE], {"from": contributors[0]})
    nft.reinstate(dataset_id, {"from": admin})  # governance undoes the rejection
    assert vault.claim([dataset_id], [NATIVE], {"from": contributors[0]}).return_value == [10**6]


def test_settle_sends_rejected_parent_part_to_treasury(vault, nft, contributors, publish, curator, admin):
    parent, _ = publish(shares=[(contributors[0], 10000)])
    child, _ = publish(shares=[(contributors[1], 10000)], parents=[parent], ancestor_bps=1000)
    vault.pay(child, NATIVE, 10**6, {"from": admin, "value": 10**6})
    nft.curate(parent, REJECTED, {"from": curator})
    vault.settle([child], NATIVE, {"from": admin})
    assert vault.treasuryAccrued(NATIVE) == 10**5
    assert vault.poolOf(parent, NATIVE)[0] == 0


def test_forfeit_sends_burnt_generation_to_treasury_and_republish_starts_clean(
        vault, nft, contributors, publish, curator, admin, usdc):
    """The squatter's unclaimed royalties go to the treasury; the rightful dataset's pools are new."""
    squatter, owner = contributors[1], contributors[0]
    content = random_digest()
    dataset_id, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content)
    vault.pay(dataset_id, NATIVE, 12345, {"from": admin, "value": 12345})
    nft.curate(dataset_id, REJECTED, {"from": curator})
    with brownie.reverts(err("RoyaltyVaultGenerationLive", dataset_id, 0)):
        vault.forfeit(dataset_id, 0, [NATIVE], {"from": admin})
    tx = nft.burn(dataset_id, {"from": admin})
    assert tx.events["DatasetBurned"]["generation"] == 1
    publish(shares=[(owner, 10000)], sender=owner, content=content)
    assert nft.ownerOf(dataset_id) == owner
    assert vault.poolOf(dataset_id, NATIVE) == (0, 0, 0)
    assert vault.claimable(dataset_id, NATIVE, squatter) == 0
    tx = vault.forfeit(dataset_id, 0, [NATIVE, usdc], {"from": contributors[3]})
    assert tx.events["RoyaltyForfeited"]["amount"] == 12345
    assert vault.treasuryAccrued(NATIVE) == 12345
    assert vault.poolAt(dataset_id, 0, NATIVE) == (1, 0, 0)
    vault.forfeit(dataset_id, 0, [NATIVE], {"from": contributors[3]})  # a second forfeit moves nothing
    assert vault.treasuryAccrued(NATIVE) == 12345
    vault.pay(dataset_id, NATIVE, 10000, {"from": admin, "value": 10000})
    assert vault.claimable(dataset_id, NATIVE, owner) == 10000
    assert vault.balance() == vault.owed(NATIVE) == 22345


def test_forfeit_pays_a_burnt_generations_pending_ancestor_share_to_its_parents(
        vault, nft, contributors, publish, accepted, curator, admin):
    """A derived squat earned royalties whose ancestor share was never settled: on forfeit, that
    share reaches the parents it named (as a settle would have), the rest the treasury."""
    squatter = contributors[1]
    parent = accepted(shares=[(contributors[0], 10000)])
    content = random_digest()
    child, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content, parents=[parent],
                       ancestor_bps=1000)
    vault.pay(child, NATIVE, 100_000, {"from": admin, "value": 100_000})
    assert vault.pendingAncestorOf(child, NATIVE) == 10_000
    nft.curate(child, REJECTED, {"from": curator})
    nft.burn(child, {"from": admin})
    assert nft.parentsOfGeneration(child, 0) == [parent] and nft.parentsOfGeneration(child, 1) == []
    before = vault.treasuryAccrued(NATIVE)
    tx = vault.forfeit(child, 0, [NATIVE], {"from": contributors[3]})
    assert tx.events["AncestorRoyaltySettled"]["amount"] == 10_000
    assert tx.events["RoyaltyForfeited"]["amount"] == 90_000
    assert vault.claimable(parent, NATIVE, contributors[0]) == 10_000
    assert vault.treasuryAccrued(NATIVE) - before == 90_000
    assert vault.balance() == vault.owed(NATIVE)
