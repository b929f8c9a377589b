"""DatasetNFT: publish, versions, curation, tokenURI, ERC-2981."""
import random

import brownie
import pytest
from hypothesis import settings
from brownie import web3
from brownie.test import given, strategy

from conftest import COMMIT_TTL, CODEC_DAG_PB, CODEC_RAW, KE_EDUCATION, err, hx, random_digest, read_all, reveal
from opencommons.ipfs.cid import Cid

PROPOSED, ACCEPTED, REJECTED, RETIRED = 1, 2, 3, 4


def test_publish_mints_to_publisher_and_records_everything(nft, vault, contributors, publish):
    a, b = sorted(contributors[:2], key=lambda account: int(account.address, 16))
    dataset_id, tx = publish(shares=[(a, 7000), (b, 3000)], sender=a)
    assert nft.ownerOf(dataset_id) == a
    event = tx.events["DatasetPublished"]
    assert event["datasetId"] == dataset_id
    assert event["publisher"] == a
    assert event["commons"] == hx(KE_EDUCATION)
    params = event["params"]
    assert int(str(params["contentDigest"]), 16) == dataset_id
    assert params["license"] == "CC-BY-4.0"
    assert [tuple(c) for c in params["contributors"]] == [(a, 7000), (b, 3000)]
    record = nft.dataset(dataset_id)
    assert record["license"] == "CC-BY-4.0"
    assert record["status"] == PROPOSED
    assert record["contributorCount"] == 2
    assert record["owner"] == a
    assert nft.shareOf(dataset_id, a) == 7000 and nft.shareOf(dataset_id, b) == 3000
    assert [tuple(c) for c in nft.contributorsOf(dataset_id)] == [(a, 7000), (b, 3000)]
    assert record["manifestDigest"] == params["manifestDigest"]
    assert (record["contentCodec"], record["manifestCodec"]) == (CODEC_DAG_PB, CODEC_RAW)
    assert record["publishedAt"] == tx.timestamp


def test_publish_reverts_when_contributors_not_ascending(contributors, publish):
    low, high = sorted(contributors[:2], key=lambda account: int(account.address, 16))
    with brownie.reverts(err("DatasetNFTInvalidContribution", low, 4000)):
        publish(shares=[(high, 6000), (low, 4000)], sort=False)


@settings(max_examples=25)
@given(count=strategy("uint8", min_value=1, max_value=40), seed=strategy("bytes32"))
def test_share_of_finds_every_contributor_and_nobody_else(nft, contributors, crowd, publish, count, seed):
    rng = random.Random(bytes(seed))
    members = rng.sample(crowd, count)
    cuts = sorted(rng.sample(range(1, 10_000), count - 1))
    shares = [high - low for low, high in zip([0] + cuts, cuts + [10_000])]
    dataset_id, _ = publish(shares=list(zip(members, shares)), sender=contributors[0])
    expected = dict(zip(members, shares))
    everyone = crowd + [contributors[0].address, "0x" + "00" * 19 + "01", web3.to_checksum_address("0x" + "ff" * 20)]
    shares = read_all([(nft, "shareOf", (dataset_id, account)) for account in everyone])
    assert shares == [expected.get(account, 0) for account in everyone]
    assert [tuple(c) for c in nft.contributorsOf(dataset_id)] == sorted(expected.items(), key=lambda c: int(c[0], 16))


def test_contributors_of_reverts_for_unknown_dataset(nft):
    with brownie.reverts(err("DatasetNFTUnknownDataset", 42)):
        nft.contributorsOf(42)


def test_share_of_and_parents_of_are_empty_for_unknown_dataset(nft, contributors):
    assert nft.shareOf(42, contributors[0]) == 0
    assert list(nft.parentsOf(42)) == []


def test_publish_reverts_when_publisher_not_registered(nft, accounts, contributors, publish):
    with brownie.reverts(err("DatasetNFTPublisherNotRegistered", accounts[6])):
        publish(sender=accounts[6])


def test_publish_reverts_when_contributor_not_registered(accounts, contributors, publish):
    with brownie.reverts(err("DatasetNFTContributorNotRegistered", accounts[6])):
        publish(shares=[(contributors[0], 5000), (accounts[6], 5000)])


def test_publish_reverts_when_same_content_published_twice(contributors, publish):
    content = random_digest()
    dataset_id, _ = publish(content=content)
    with brownie.reverts(err("DatasetNFTAlreadyPublished", dataset_id, contributors[0])):
        publish(content=content, sender=contributors[1])


def test_publish_reverts_when_shares_not_whole(contributors, publish):
    with brownie.reverts(err("DatasetNFTSharesNotWhole", 9999)):
        publish(shares=[(contributors[0], 5000), (contributors[1], 4999)])


def test_publish_reverts_on_zero_or_duplicate_share(contributors, publish):
    with brownie.reverts(err("DatasetNFTInvalidContribution", contributors[1], 0)):
        publish(shares=[(contributors[0], 10000), (contributors[1], 0)])
    with brownie.reverts(err("DatasetNFTInvalidContribution", contributors[0], 5000)):
        publish(shares=[(contributors[0], 5000), (contributors[0], 5000)])


def test_publish_reverts_without_contributors(nft, contributors):
    params = (random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "MIT", KE_EDUCATION, 0, [], [])
    with brownie.reverts(err("DatasetNFTInvalidContributorCount", 0, 512)):
        reveal(nft, params, contributors[0])


def test_publish_reverts_on_empty_record(nft, contributors):
    shares = [(contributors[0].address, 10000)]
    for bad in [(bytes(32), CODEC_DAG_PB, random_digest(), CODEC_RAW, "MIT", KE_EDUCATION),
                (random_digest(), 0, random_digest(), CODEC_RAW, "MIT", KE_EDUCATION),
                (random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "", KE_EDUCATION),
                (random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "MIT", bytes(32))]:
        with brownie.reverts("DatasetNFTInvalidRecord: "):
            reveal(nft, bad + (0, [], shares), contributors[0])


def test_publish_records_parents_depth_and_ancestor_share(nft, publish):
    parent, _ = publish()
    child, tx = publish(parents=[parent], ancestor_bps=1000)
    grandchild, _ = publish(parents=[child, parent], ancestor_bps=500)
    assert nft.parentsOf(grandchild) == [child, parent]
    assert nft.dataset(child)["depth"] == 1
    assert nft.dataset(grandchild)["depth"] == 2
    assert nft.ancestorBpsOf(child) == 1000


def test_publish_reverts_on_unknown_or_duplicate_parent(publish):
    parent, _ = publish()
    with brownie.reverts(err("DatasetNFTInvalidParent", 12345)):
        publish(parents=[12345], ancestor_bps=100)
    with brownie.reverts(err("DatasetNFTInvalidParent", parent)):
        publish(parents=[parent, parent], ancestor_bps=100)


def test_publish_reverts_on_too_many_parents(publish):
    parents = [publish()[0] for _ in range(9)]
    with brownie.reverts(err("DatasetNFTTooManyParents", 9, 8)):
        publish(parents=parents, ancestor_bps=100)


def test_publish_reverts_on_ancestor_share_above_stack_or_without_parents(publish):
    parent, _ = publish()
    with brownie.reverts(err("DatasetNFTInvalidAncestorShare", 100, 0)):
        publish(ancestor_bps=100)
    with brownie.reverts(err("DatasetNFTInvalidAncestorShare", 9001, 9000)):
        publish(parents=[parent], ancestor_bps=9001)


def test_publish_reverts_when_lineage_too_deep(publish):
    current, _ = publish()
    for _ in range(32):
        current, _ = publish(parents=[current], ancestor_bps=100)
    with brownie.reverts(err("DatasetNFTLineageTooDeep", 33, 32)):
        publish(parents=[current], ancestor_bps=100)


def test_publish_version_links_versions_and_latest(nft, contributors, publish):
    v1, _ = publish()
    v2, tx = publish(previous=v1)
    v3, _ = publish(previous=v2)
    assert tx.events["DatasetPublished"]["previousVersion"] == v1
    assert nft.dataset(v2)["previousVersion"] == v1 and nft.dataset(v2)["nextVersion"] == v3
    assert nft.latestVersion(v1) == v3 and nft.latestVersion(v3) == v3


def test_publish_version_reverts_for_non_owner_or_second_version(contributors, publish):
    v1, _ = publish()
    with brownie.reverts(err("DatasetNFTNotDatasetOwner", v1, contributors[1])):
        publish(previous=v1, sender=contributors[1])
    v2, _ = publish(previous=v1)
    with brownie.reverts(err("DatasetNFTVersionExists", v1, v2)):
        publish(previous=v1)
    with brownie.reverts(err("DatasetNFTUnknownDataset", 77)):
        publish(previous=77)


def test_curate_moves_through_allowed_statuses(nft, curator, publish):
    dataset_id, _ = publish()
    tx = nft.curate(dataset_id, ACCEPTED, {"from": curator})
    event = tx.events["DatasetCurated"]
    assert (event["datasetId"], event["curator"], event["from"], event["to"]) == (dataset_id, curator, PROPOSED, ACCEPTED)
    nft.curate(dataset_id, RETIRED, {"from": curator})
    assert nft.statusOf(dataset_id) == RETIRED


@pytest.mark.parametrize("first,then", [(None, RETIRED), (ACCEPTED, REJECTED), (REJECTED, ACCEPTED), (None, PROPOSED)])
def test_curate_reverts_on_invalid_transition(nft, curator, publish, first, then):
    dataset_id, _ = publish()
    if first:
        nft.curate(dataset_id, first, {"from": curator})
    current = nft.statusOf(dataset_id)
    with brownie.reverts(err("DatasetNFTInvalidTransition", dataset_id, current, then)):
        nft.curate(dataset_id, then, {"from": curator})


def test_curate_reverts_for_non_curator_and_unknown(nft, curator, contributors, publish):
    dataset_id, _ = publish()
    role = bytes(nft.CURATOR_ROLE())
    with brownie.reverts(err("AccessControlUnauthorizedAccount", contributors[0], role)):
        nft.curate(dataset_id, ACCEPTED, {"from": contributors[0]})
    with brownie.reverts(err("DatasetNFTUnknownDataset", 5)):
        nft.curate(5, ACCEPTED, {"from": curator})


def test_token_uri_is_manifest_cid_v1_base32(nft, contributors):
    manifest = random_digest()
    content = random_digest()
    params = (content, CODEC_DAG_PB, manifest, CODEC_RAW, "CC0-1.0", KE_EDUCATION, 0, [],
              [(contributors[0].address, 10000)])
    reveal(nft, params, contributors[0])
    expected = "ipfs://" + Cid.from_chain(CODEC_RAW, manifest).encode()
    assert nft.tokenURI(int.from_bytes(content, "big")) == expected
    assert expected.startswith("ipfs://bafkrei")


@pytest.fixture(scope="module")
def cid_harness(CidHarness, admin):
    """Deployed once (before each test's snapshot), not again for every example."""
    return CidHarness.deploy({"from": admin})


@given(digest=strategy("bytes32"), codec=strategy("uint32", min_value=1))
def test_token_uri_matches_python_encoding_for_random_digests(cid_harness, digest, codec):
    assert cid_harness.toBase32(codec, digest) == Cid.from_chain(codec, bytes(digest)).encode()


def test_royalty_info_names_dataset_receiver(nft, vault, admin, publish):
    dataset_id, _ = publish()
    nft.setDefaultRoyalty(500, {"from": admin})
    receiver, amount = nft.royaltyInfo(dataset_id, 10**18)
    assert receiver == vault.royaltyReceiverOf(dataset_id)
    assert amount == 5 * 10**16
    other, _ = publish()
    assert nft.royaltyInfo(other, 100)[0] != receiver


def test_set_royalty_vault_reverts_second_time(nft, vault, admin):
    with brownie.reverts(err("DatasetNFTRoyaltyVaultAlreadySet", vault)):
        nft.setRoyaltyVault(admin, {"from": admin})


def test_supports_erc721_erc2981_access_control(nft):
    for interface_id in ("0x80ac58cd", "0x2a55205a", "0x7965db0b", "0x01ffc9a7"):
        assert nft.supportsInterface(interface_id)


@pytest.mark.parametrize("delisted,restored", [(REJECTED, PROPOSED), (RETIRED, ACCEPTED)])
def test_reinstate_undoes_a_curators_delisting(nft, curator, admin, publish, delisted, restored):
    """One curator transaction (a mistake, a stolen key) delists a dataset; the curator cannot
    undo it, governance (the admin role, the timelock in a deployment) can."""
    dataset_id, _ = publish()
    if delisted == RETIRED:
        nft.curate(dataset_id, ACCEPTED, {"from": curator})
    nft.curate(dataset_id, delisted, {"from": curator})
    with brownie.reverts(err("DatasetNFTInvalidTransition", dataset_id, delisted, restored)):
        nft.curate(dataset_id, restored, {"from": curator})
    tx = nft.reinstate(dataset_id, {"from": admin})
    event = tx.events["DatasetCurated"]
    assert (event["datasetId"], event["curator"], event["from"], event["to"]) == (dataset_id, admin, delisted, restored)
    assert nft.statusOf(dataset_id) == restored


def test_reinstate_reverts_for_curator_and_when_nothing_to_undo(nft, curator, admin, publish):
    dataset_id, _ = publish()
    nft.curate(dataset_id, REJECTED, {"from": curator})
    with brownie.reverts(err("AccessControlUnauthorizedAccount", curator, bytes(32))):
        nft.reinstate(dataset_id, {"from": curator})
    nft.reinstate(dataset_id, {"from": admin})
    with brownie.reverts(err("DatasetNFTInvalidTransition", dataset_id, PROPOSED, PROPOSED)):
        nft.reinstate(dataset_id, {"from": admin})
    with brownie.reverts(err("DatasetNFTUnknownDataset", 5)):
        nft.reinstate(5, {"from": admin})


# ------------------------------------------------------------------ commit-reveal (issue 13)
def _params(account, content=None, license="CC-BY-4.0"):
    return (content or random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, license, KE_EDUCATION, 0, [],
            [(account.address, 10000)])


def test_publish_reverts_without_commitment(nft, contributors):
    params, salt = _params(contributors[0]), random_digest()
    with brownie.reverts(err("DatasetNFTUnknownCommitment", bytes(nft.commitmentOf(0, params, contributors[0], salt)))):
        nft.publish(params, salt, {"from": contributors[0]})


def test_publish_reverts_for_commitment_too_new(DatasetNFT, registry, admin, contributors):
    slow = DatasetNFT.deploy(registry, admin, 5, 50, {"from": admin})
    params, salt = _params(contributors[0]), random_digest()
    commitment = slow.commitmentOf(0, params, contributors[0], salt)
    tx = slow.commit(commitment, {"from": contributors[1]})  # anyone may send it; it binds the publisher
    assert tx.events["PublicationCommitted"]["commitment"] == hx(commitment)
    assert slow.committedAt(commitment) == tx.block_number
    with brownie.reverts(err("DatasetNFTCommitmentTooNew", bytes(commitment), tx.block_number + 5)):
        slow.publish(params, salt, {"from": contributors[0]})
    brownie.chain.mine(5)  # gas is estimated at the latest block: the reveal must be valid there
    assert slow.publish(params, salt, {"from": contributors[0]}).block_number > tx.block_number + 5
    assert slow.committedAt(commitment) == 0  # used up


def test_publish_reverts_for_expired_commitment_and_commit_renews_it(nft, contributors):
    params, salt = _params(contributors[0]), random_digest()
    commitment = nft.commitmentOf(0, params, contributors[0], salt)
    at = nft.commit(commitment, {"from": contributors[0]}).block_number
    with brownie.reverts(err("DatasetNFTCommitmentExists", bytes(commitment))):  # nobody can push it back
        nft.commit(commitment, {"from": contributors[1]})
    brownie.chain.mine(COMMIT_TTL + 1)
    with brownie.reverts(err("DatasetNFTCommitmentExpired", bytes(commitment), at + COMMIT_TTL)):
        nft.publish(params, salt, {"from": contributors[0]})
    nft.commit(commitment, {"from": contributors[0]})
    brownie.chain.mine(1)
    nft.publish(params, salt, {"from": contributors[0]})


def test_publish_version_reverts_for_commitment_of_plain_publish(nft, contributors, publish):
    """A commitment names the call it opens: a plain publish's does not open a version."""
    v1, _ = publish()
    params, salt = _params(contributors[0]), random_digest()
    nft.commit(nft.commitmentOf(0, params, contributors[0], salt), {"from": contributors[0]})
    brownie.chain.mine(1)
    with brownie.reverts(err("DatasetNFTUnknownCommitment", bytes(nft.commitmentOf(v1, params, contributors[0], salt)))):
        nft.publishVersion(v1, params, salt, {"from": contributors[0]})


def test_constructor_reverts_on_empty_commit_window(DatasetNFT, registry, admin):
    for min_age, ttl in ((0, 10), (5, 5), (6, 5)):
        with brownie.reverts(err("DatasetNFTInvalidCommitWindow", min_age, ttl)):
            DatasetNFT.deploy(registry, admin, min_age, ttl, {"from": admin})


def test_publish_version_reverts_for_approved_operator(nft, contributors, publish):
    """An operator the owner approved for transfers may not publish versions: they would be minted to it."""
    owner, operator = contributors[0], contributors[1]
    v1, _ = publish(sender=owner)
    nft.setApprovalForAll(operator, True, {"from": owner})
    nft.approve(operator, v1, {"from": owner})
    with brownie.reverts(err("DatasetNFTNotDatasetOwner", v1, operator)):
        publish(previous=v1, sender=operator)
    _, tx = publish(previous=v1, sender=owner)
    assert nft.ownerOf(tx.return_value) == owner


def test_publish_reverts_at_distinct_licence_bound(nft, contributors, publish):
    """The licence index cannot wrap: at 65,535 distinct licences a new one is refused, known ones work."""
    publish(license="CC-BY-4.0")
    slot = None
    for candidate in range(8, 20):  # find the _licenses array's length slot by its value
        if int(web3.eth.get_storage_at(nft.address, candidate).hex(), 16) == 1:
            slot = candidate
            break
    assert slot is not None
    publish(license="MIT")
    assert int(web3.eth.get_storage_at(nft.address, slot).hex(), 16) == 2  # really the licence count
    web3.provider.make_request("anvil_setStorageAt", [nft.address, hex(slot), "0x" + (65535).to_bytes(32, "big").hex()])
    with brownie.reverts("DatasetNFTTooManyDistinct: license"):
        publish(license="Apache-2.0")
    dataset_id, _ = publish(license="MIT")
    assert nft.dataset(dataset_id)["license"] == "MIT"


def test_republication_of_a_burnt_id_cannot_name_its_own_descendant(nft, publish, contributors, curator, admin):
    """X is a rejected squat; A derives from X; X is burnt and re-published naming A as a parent:
    that would make the lineage a cycle (X -> A -> X), and is refused. Other parents are fine."""
    squatter, owner = contributors[1], contributors[0]
    content = random_digest()
    x, _ = publish(shares=[(squatter, 10000)], sender=squatter, content=content)
    a, _ = publish(shares=[(owner, 10000)], sender=owner, parents=[x], ancestor_bps=500)
    grandchild, _ = publish(shares=[(owner, 10000)], sender=owner, parents=[a], ancestor_bps=500)
    other, _ = publish(shares=[(owner, 10000)], sender=owner)
    nft.curate(x, 3, {"from": curator})
    nft.burn(x, {"from": admin})
    for parents, culprit in (([a], a), ([other, grandchild], grandchild)):
        with brownie.reverts(err("DatasetNFTLineageCycle", x, culprit)):
            publish(shares=[(owner, 10000)], sender=owner, content=content, parents=parents, ancestor_bps=500)
    publish(shares=[(owner, 10000)], sender=owner, content=content, parents=[other], ancestor_bps=500)
    assert nft.parentsOf(x) == [other] and nft.generationOf(x) == 1


def test_a_named_contributor_deactivating_cannot_make_the_reveal_fail(nft, registry, contributors, accounts):
    """The lever a watcher needs to take a content id: the honest reveal failing in public. A named
    contributor who deactivates between commit and reveal no longer pulls it."""
    publisher, colluder = contributors[0], contributors[1]
    content = random_digest()
    params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
              sorted([(publisher.address, 5000), (colluder.address, 5000)], key=lambda r: int(r[0], 16)))
    salt = random_digest()
    nft.commit(nft.commitmentOf(0, params, publisher, salt), {"from": publisher})
    registry.deactivate({"from": colluder})
    tx = nft.publish(params, salt, {"from": publisher})
    assert nft.ownerOf(int.from_bytes(content, "big")) == publisher and "DatasetPublished" in tx.events
    registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": colluder})  # for the other tests' sake
    never = accounts.add()
    with brownie.reverts(err("DatasetNFTContributorNotRegistered", never.address)):
        params2 = (random_digest(), CODEC_DAG_PB, random_digest(), CODEC_RAW, "CC-BY-4.0", KE_EDUCATION, 0, [],
                   sorted([(publisher.address, 5000), (never.address, 5000)], key=lambda r: int(r[0], 16)))
        reveal(nft, params2, publisher)
