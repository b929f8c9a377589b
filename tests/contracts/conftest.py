"""Shared brownie fixtures: the suite deployed once per module, each test isolated."""
import os
import time

import pytest
from brownie import chain, web3
from hypothesis import HealthCheck
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3.exceptions import TransactionNotFound

_get_transaction = web3.eth.get_transaction


def _get_transaction_once_indexed(txid, *args):
    """Anvil can report a sender's new nonce a moment before it answers `eth_getTransactionByHash`
    for the transaction that used it; brownie then declares a mined transaction "dropped without
    known replacement" (seen once in CI, in a test whose contracts had not changed, and twice in a
    run that shared the 2 cores with a Slither analysis). Look again for up to ten seconds before
    believing the node."""
    for attempt in range(100):
        try:
            return _get_transaction(txid, *args)
        except TransactionNotFound:
            if attempt == 99:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


web3.eth.get_transaction = _get_transaction_once_indexed
_get_transaction_receipt = web3.eth.get_transaction_receipt


def _get_transaction_receipt_once_indexed(txid, *args):
    """The same race on the receipt: brownie's confirmation loop reads a sender nonce past the
    transaction's and no receipt yet, and declares the transaction dropped (CI, 2026-12-04, a
    rewards test). It came back with the transaction still listed as pending while its sender's
    nonce had moved on (CI, 2026-12-06, the 1,000-contributor publish, whose block takes long to
    seal): so a pending transaction is waited for too. Every test mines automatically except the
    ones that send raw transactions and read receipts only after `evm_mine`, so a receipt that is
    missing for ten seconds is missing."""
    for attempt in range(100):
        try:
            return _get_transaction_receipt(txid, *args)
        except TransactionNotFound:
            if attempt == 99:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


web3.eth.get_transaction_receipt = _get_transaction_receipt_once_indexed

KE_EDUCATION = web3.keccak(text="KE/education")
CODEC_RAW = 0x55
CODEC_DAG_PB = 0x70
NATIVE = "0x0000000000000000000000000000000000000000"
MIN_COMMIT_AGE = 1  # blocks between commit and reveal in the test deployments
COMMIT_TTL = 256  # blocks a commitment stays revealable


def fuzz_settings(examples: int, steps: int) -> dict:
    """Hypothesis settings for a state machine: CI's defaults, or `make fuzz`'s OPENCOMMONS_FUZZ_* figures.

    A long run of rules can outgrow Hypothesis's buffer; the overrun examples are dropped and retried,
    which is no failure of the contracts, so that health check is off (the step counter in each test
    still proves the machine ran). The test run's examples are derandomized (the same ones every
    run, so its time is the same: a random seed made the royalty machine take 100 s or 500 s);
    `make fuzz` draws new ones each time, many more of them.
    """
    fuzzing = "OPENCOMMONS_FUZZ_EXAMPLES" in os.environ
    return {"max_examples": int(os.environ.get("OPENCOMMONS_FUZZ_EXAMPLES", examples)),
            "stateful_step_count": int(os.environ.get("OPENCOMMONS_FUZZ_STEPS", steps)),
            "suppress_health_check": [HealthCheck.data_too_large, HealthCheck.too_slow],
            "derandomize": not fuzzing}


_READERS: dict = {}


def read_all(calls) -> list:
    """`[getattr(contract, name)(*args) for contract, name, args in calls]` in one JSON-RPC batch.

    A state machine's invariants read every pool and every share after each step: through brownie
    each read is ~3 ms of Python, which made them most of the royalty machine's time. The batch is
    the library's (`opencommons.chain.batch.call_all`: an answer that is not one is asked again
    alone). Several outputs come back as a tuple, as brownie compares them."""
    from opencommons.chain.batch import call_all

    fns = []
    for contract, name, args in calls:
        # by address and kind: a module's chain is reverted, and the next can deploy another kind there
        key = (contract.address, contract._name)
        if key not in _READERS:
            _READERS[key] = web3.eth.contract(address=contract.address, abi=contract.abi)
        fns.append(_READERS[key].functions[name](*args))
    return [tuple(value) if isinstance(value, list) else value for value in call_all(web3, fns)]


def random_digest() -> bytes:
    return os.urandom(32)


def sign_register(registry, signer, profile, codec, community, nonce, deadline, chain_id=None, contract=None):
    data = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            "Register": [
                {"name": "account", "type": "address"}, {"name": "profileDigest", "type": "bytes32"},
                {"name": "profileCodec", "type": "uint32"}, {"name": "community", "type": "bytes32"},
                {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Register",
        "domain": {"name": "OpenCommons ContributorRegistry", "version": "1",
                   "chainId": chain_id or chain.id, "verifyingContract": contract or registry.address},
        "message": {"account": signer.address, "profileDigest": profile, "profileCodec": codec,
                    "community": community, "nonce": nonce, "deadline": deadline},
    }
    return Account.sign_message(encode_typed_data(full_message=data), signer.key).signature


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
    contract = DatasetNFT.deploy(registry, admin, MIN_COMMIT_AGE, COMMIT_TTL, {"from": admin})
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
def licenses(LicenseManager, nft, vault, rights, admin):
    return LicenseManager.deploy(nft, vault, rights, {"from": admin})


@pytest.fixture(scope="module")
def attestations(DatasetAttestations, nft, admin, accounts):
    contract = DatasetAttestations.deploy(nft, admin, {"from": admin})
    contract.grantRole(contract.VALIDATOR_ROLE(), accounts[7], {"from": admin})
    return contract


BOND = 10**16
DECISION_WINDOW = 3 * 86_400
APPEAL_WINDOW = 2 * 86_400


@pytest.fixture(scope="module")
def rights(DatasetRights, nft, admin, accounts):
    """The commons' rights contract: accounts[7] arbitrates, bond 0.01 ETH, 3 days to decide, 2 to appeal."""
    contract = DatasetRights.deploy(nft, admin, [accounts[7]], BOND, DECISION_WINDOW, APPEAL_WINDOW, {"from": admin})
    nft.grantRole(nft.TAKEDOWN_ROLE(), contract, {"from": admin})
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
def crowd(registry, admin):
    """40 fresh accounts (no ether) registered gaslessly, the admin relaying: their addresses."""
    people = [Account.create() for _ in range(40)]
    for person in people:
        profile, deadline = random_digest(), chain.time() + 3600
        sig = sign_register(registry, person, profile, CODEC_RAW, KE_EDUCATION, 0, deadline)
        registry.registerWithSig(person.address, profile, CODEC_RAW, KE_EDUCATION, deadline, sig, {"from": admin})
    return [person.address for person in people]


@pytest.fixture(scope="module")
def publish(nft, contributors):
    """publish(shares=[(account, bps)], sender=..., parents=[], ancestor_bps=0) -> (dataset_id, tx).

    Shares are put in ascending order of account, as the contract asks, unless `sort=False`."""

    def _publish(shares=None, sender=None, parents=(), ancestor_bps=0, license="CC-BY-4.0",
                 commons=KE_EDUCATION, content=None, previous=None, sort=True):
        shares = shares or [(contributors[0], 6000), (contributors[1], 4000)]
        sender = sender or contributors[0]
        content = content or random_digest()
        params = (content, CODEC_DAG_PB, random_digest(), CODEC_RAW, license, commons, ancestor_bps,
                  list(parents), contributions(shares, sort))
        return int.from_bytes(content, "big"), reveal(nft, params, sender, previous)

    return _publish


@pytest.fixture(scope="module")
def accepted(nft, curator, publish):
    """A published dataset the curators accepted: (dataset_id)."""

    def _accepted(**kwargs):
        dataset_id, _ = publish(**kwargs)
        nft.curate(dataset_id, 2, {"from": curator})
        return dataset_id

    return _accepted


def reveal(nft, params, sender, previous=None, salt=None):
    """Publishes `params` as a publisher does: commit, (the next block), reveal. Returns the reveal tx."""
    salt = salt or random_digest()
    nft.commit(nft.commitmentOf(previous or 0, params, sender, salt), {"from": sender})
    chain.mine(MIN_COMMIT_AGE)  # gas is estimated against the latest block: the reveal must be valid there
    if previous is None:
        return nft.publish(params, salt, {"from": sender})
    return nft.publishVersion(previous, params, salt, {"from": sender})


def reveal_model(nft, params, sender, root, total, previous=0, salt=None):
    """Publishes a model as `model register --run` does: commit to the `publishModel` call (the
    hash of the sender and its calldata), then reveal it with its training record."""
    salt = salt or random_digest()
    calldata = nft.publishModel.encode_input(previous, params, root, total, salt)
    nft.commit(web3.keccak(bytes.fromhex(sender.address[2:]) + bytes.fromhex(calldata[2:])), {"from": sender})
    chain.mine(MIN_COMMIT_AGE)
    return nft.publishModel(previous, params, root, total, salt, {"from": sender})


def contributions(shares, sort=True) -> list:
    """[(account, bps)] as the contract takes them: addresses, ascending unless `sort=False`."""
    rows = [(a.address if hasattr(a, "address") else a, bps) for a, bps in shares]
    return sorted(rows, key=lambda row: int(row[0], 16)) if sort else rows


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
