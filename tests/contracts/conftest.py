"""Shared brownie fixtures: the suite deployed once per module, each test isolated."""
import os

import pytest
from brownie import web3

KE_EDUCATION = web3.keccak(text="KE/education")
CODEC_RAW = 0x55
CODEC_DAG_PB = 0x70
NATIVE = "0x0000000000000000000000000000000000000000"


def random_digest() -> bytes:
    return os.urandom(32)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def curator(accounts):
    return accounts[8]


@pytest.fixture(scope="module")
def treasury(accounts):
    return accounts[9]


@pytest.fixture(scope="module")
def registry(ContributorRegistry, admin, curator):
    contract = ContributorRegistry.deploy(admin, {"from": admin})
    contract.grantRole(contract.VERIFIER_ROLE(), curator, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def nft(DatasetNFT, registry, admin, curator):
    contract = DatasetNFT.deploy(registry, admin, {"from": admin})
    contract.grantRole(contract.CURATOR_ROLE(), curator, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def vault(RoyaltyVault, nft, admin, treasury):
    contract = RoyaltyVault.deploy(nft, admin, treasury, {"from": admin})
    contract.grantRole(contract.ALLOWLIST_ROLE(), admin, {"from": admin})
    contract.grantRole(contract.FEE_ROLE(), admin, {"from": admin})
    nft.setRoyaltyVault(contract, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def licenses(LicenseManager, nft, vault, admin):
    return LicenseManager.deploy(nft, vault, {"from": admin})


@pytest.fixture(scope="module")
def attestations(DatasetAttestations, nft, admin, accounts):
    contract = DatasetAttestations.deploy(nft, admin, {"from": admin})
    contract.grantRole(contract.VALIDATOR_ROLE(), accounts[7], {"from": admin})
    return contract


@pytest.fixture(scope="module")
def usdc(MockERC20, vault, admin):
    token = MockERC20.deploy("Test Dollar", "TUSD", {"from": admin})
    vault.setTokenAllowed(token, True, {"from": admin})
    return token


@pytest.fixture(scope="module")
def contributors(accounts, registry):
    """accounts[1..4], registered."""
    for account in accounts[1:5]:
        registry.register(random_digest(), CODEC_RAW, KE_EDUCATION, {"from": account})
    return list(accounts[1:5])


@pytest.fixture(scope="module")
def publish(nft, contributors):
    """publish(shares=[(account, bps)], sender=..., parents=[], ancestor_bps=0) -> (dataset_id, tx)."""

    def _publish(shares=None, sender=None, parents=(), ancestor_bps=0, license="CC-BY-4.0",
                 commons=KE_EDUCATION, content=None, previous=None):
        shares = shares or [(contributors[0], 6000), (contributors[1], 4000)]
        sender = sender or contributors[0]
        content = content or random_digest()
        params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, license, commons, ancestor_bps,
                  list(parents), [(a.address if hasattr(a, "address") else a, bps) for a, bps in shares])
        if previous is None:
            tx = nft.publish(params, {"from": sender})
        else:
            tx = nft.publishVersion(previous, params, {"from": sender})
        return int.from_bytes(content, "big"), tx

    return _publish


@pytest.fixture(scope="module")
def accepted(nft, curator, publish):
    """A published dataset the curators accepted: (dataset_id)."""

    def _accepted(**kwargs):
        dataset_id, _ = publish(**kwargs)
        nft.curate(dataset_id, 2, {"from": curator})
        return dataset_id

    return _accepted


def err(name: str, *args) -> str:
    """A custom error as brownie decodes it: `Name: arg, arg` (addresses lower case)."""
    def fmt(value):
        if hasattr(value, "address"):
            value = value.address
        if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
            return value.lower()
        return str(value)
    return f"{name}: " + ", ".join(fmt(a) for a in args)


def hx(value: bytes) -> str:
    """0x-prefixed hex, the form brownie compares bytes32 values with."""
    return "0x" + bytes(value).hex()
