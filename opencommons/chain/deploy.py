"""Deploys the whole suite and wires every role to the timelock.

After :func:`deploy_suite` no externally owned account holds an admin, curator, verifier,
validator, allow-list, fee or minter role: the timelock does, and the governor is its only
proposer and canceller. The documented bootstrap option (``bootstrap_curators`` and friends)
hands initial curator/verifier/validator roles to named accounts; governance can revoke them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract

from ..errors import DeploymentError
from . import artifacts, houses
from .profiles import GovernanceSettings, validate
from .transactions import Sender, send_raw, transact

__all__ = ["Bootstrap", "Deployment", "GovernanceSettings", "deploy_suite", "find_existing", "stale_reason"]

ZERO = "0x0000000000000000000000000000000000000000"
TOKEN_NAME, TOKEN_SYMBOL, GOVERNOR_NAME = "OpenCommons", "OCT", "OpenCommons Governor"
SUITE = ("CommonsTimelock", "CommonsToken", "CommonsGovernor", "ContributorRegistry", "DatasetNFT",
         "RoyaltyVault", "LicenseManager", "DatasetAttestations", "ContributionRewards", "DatasetRights")
#: the second house and the charter (a deployment with houses)
HOUSES_SUITE = ("ContributorVotes", "ContributorsGovernor", "CommonsCharter")
#: the bundled charter a commons launches with unless it names its own
DEFAULT_CHARTER = Path(__file__).resolve().parent.parent / "data" / "charter.md"


@dataclass
class Bootstrap:
    """Roles handed to named accounts at deployment (governance can take them back)."""

    curators: list[str] = field(default_factory=list)
    verifiers: list[str] = field(default_factory=list)
    validators: list[str] = field(default_factory=list)
    arbiters: list[str] = field(default_factory=list)
    allowed_tokens: list[str] = field(default_factory=list)
    #: may cancel a proposal, with a reason, and nothing else (a Safe in practice); governance replaces it
    guardian: str | None = None
    #: the claim whose attestation gives a contributor a vote in the contributors' house
    house_claim: str = "identity"
    #: the charter document (default: the bundled one) and the house each category needs
    #: (default: the profile's, see houses.py)
    charter_document: str | None = None
    house_rules: dict[str, str] | None = None


@dataclass
class Deployment:
    chain_id: int
    block: int
    deployer: str
    addresses: dict[str, str]
    compiler: dict[str, Any]
    settings: dict[str, Any]
    #: the CommonsFactory of this chain: address, templates, deployer, block
    factory: dict[str, Any] | None = None
    #: every commons launched through the factory, by code: addresses, block, creator, settings
    commons: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the code of the one factory-made commons this deployment is narrowed to (see for_commons)
    code: str | None = None

    def for_commons(self, code: str | None) -> "Deployment":
        """This deployment narrowed to one commons: `code` (launched through the factory), or the
        directly deployed suite when `code` is None, or the only factory commons if there is no
        suite."""
        if code is None:
            if self.addresses or not self.commons:
                return self
            if len(self.commons) == 1:
                code = next(iter(self.commons))
            else:
                raise DeploymentError(f"chain {self.chain_id} has {len(self.commons)} commons: pick one with "
                                      f"--commons CODE ({', '.join(sorted(self.commons))})")
        entry = self.commons.get(code)
        if entry is None:
            known = ", ".join(sorted(self.commons)) or "none"
            raise DeploymentError(f"no commons {code!r} recorded for chain {self.chain_id} (known: {known})")
        return Deployment(chain_id=self.chain_id, block=int(entry["block"]), deployer=str(entry["creator"]),
                          addresses=dict(entry["addresses"]), compiler=self.compiler,
                          settings=dict(entry.get("settings", {})), factory=self.factory, commons={}, code=code)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> "Deployment":
        try:
            data = json.loads(path.read_text())
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise DeploymentError(f"cannot read deployment file {path}: {exc}") from exc


def contract(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifacts.load(name).abi)


def deploy_contract(w3: Web3, sender: Sender, name: str, *args: Any) -> Contract:
    art = artifacts.load(name)
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    tx = factory.constructor(*args).build_transaction({"from": sender.address, "gas": 12_000_000})
    del tx["gas"]
    receipt = send_raw(w3, sender, tx)
    address = receipt["contractAddress"]
    if address is None:
        raise DeploymentError(f"deploying {name} created no contract (tx {receipt['transactionHash'].hex()})")
    return contract(w3, name, address)


def deployment_path(directory: Path, chain_id: int) -> Path:
    return directory / f"{chain_id}.json"


def stale_reason(w3: Web3, deployment: Deployment) -> str | None:
    """Why the recorded contracts are not this deployment on the connected chain (no code at an
    address, or other code than the compiled artifacts'), or None when every one is there. An
    ERC-1167 clone is checked through its implementation (a factory-made commons)."""
    for name, address in deployment.addresses.items():
        code = bytes(w3.eth.get_code(Web3.to_checksum_address(address)))
        if not code:
            return f"{name} at {address} has no code"
        implementation = clone_target(code)
        if implementation is not None:
            code = bytes(w3.eth.get_code(Web3.to_checksum_address(implementation)))
        art = artifacts.load(name)
        if art.runtime and not art.matches_code(code):
            where = f"the implementation {implementation} of " if implementation else ""
            return f"{where}{name} at {address} holds other code than the compiled {name}"
    return None


CLONE_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
CLONE_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")


def access_list(w3: Web3, addresses: list[str]) -> list[dict[str, Any]]:
    """An EIP-2930 access list naming the implementation of each of `addresses` that is an
    ERC-1167 clone: its first call then costs 2,400 + 100 instead of a cold 2,600."""
    entries = []
    for address in addresses:
        target = clone_target(bytes(w3.eth.get_code(Web3.to_checksum_address(address))))
        if target is not None:
            entries.append({"address": target, "storageKeys": []})
    return entries


def clone_target(code: bytes) -> str | None:
    """The implementation an ERC-1167 clone (with or without appended arguments) runs, or None."""
    if len(code) >= 45 and code[:10] == CLONE_PREFIX and code[30:45] == CLONE_SUFFIX:
        return Web3.to_checksum_address(code[10:30])
    return None


def find_existing(w3: Web3, directory: Path) -> Deployment | None:
    """The deployment recorded for this chain, if its contracts are really there."""
    path = deployment_path(directory, w3.eth.chain_id)
    if not path.is_file():
        return None
    deployment = Deployment.from_file(path)
    return None if stale_reason(w3, deployment) else deployment


def deploy_suite(w3: Web3, sender: Sender, directory: Path | None = None,
                 settings: GovernanceSettings | None = None,
                 bootstrap: Bootstrap | None = None) -> Deployment:
    """Deploys and wires the suite; writes ``<directory>/<chainId>.json`` when a directory is given."""
    s = validate(settings or GovernanceSettings())
    b = bootstrap or Bootstrap()
    me = sender.address
    start_block = w3.eth.block_number
    guardian = Web3.to_checksum_address(b.guardian) if b.guardian else ZERO
    rules = houses.house_rules(s, b.house_rules)
    cid = charter_cid(b.charter_document) if s.houses else ""
    timelock = deploy_contract(w3, sender, "CommonsTimelock", s.timelock_delay_s, [], [ZERO], me)
    token = deploy_contract(w3, sender, "CommonsToken", TOKEN_NAME, TOKEN_SYMBOL, me, me, s.initial_supply)
    charter = deploy_contract(w3, sender, "CommonsCharter", False) if s.houses else None
    chartered = charter.address if charter is not None else ZERO
    governor = deploy_contract(w3, sender, "CommonsGovernor", GOVERNOR_NAME, token.address, timelock.address,
                               (s.voting_delay_blocks, s.voting_period_blocks, s.proposal_threshold,
                                s.quorum_percent, guardian, chartered))
    registry = deploy_contract(w3, sender, "ContributorRegistry", me)
    second: list[Contract] = []
    if charter is not None:
        house = deploy_contract(w3, sender, "ContributorVotes", registry.address, houses.claim_type(b.house_claim))
        contributors = deploy_contract(w3, sender, "ContributorsGovernor", GOVERNOR_NAME + " contributors",
                                       house.address, timelock.address,
                                       (s.voting_delay_blocks, s.voting_period_blocks, s.house_proposal_threshold,
                                        s.house_quorum_percent, guardian, chartered))
        second = [house, contributors, charter]
    nft = deploy_contract(w3, sender, "DatasetNFT", registry.address, me, s.min_commit_age_blocks,
                          s.commit_ttl_blocks)
    vault = deploy_contract(w3, sender, "RoyaltyVault", nft.address, me, timelock.address)
    arbiters = [timelock.address] + [Web3.to_checksum_address(a) for a in b.arbiters]
    # the deployer administers the rights a moment, to set the reissue window, then hands them over
    rights = deploy_contract(w3, sender, "DatasetRights", nft.address, me, arbiters, s.dispute_bond_wei,
                             s.dispute_decision_window_s, s.dispute_appeal_window_s)
    licenses = deploy_contract(w3, sender, "LicenseManager", nft.address, vault.address, rights.address)
    attestations = deploy_contract(w3, sender, "DatasetAttestations", nft.address, me)
    # with consent required the deployer owns the rewards a moment, to set the gate, then hands them over
    rewards = deploy_contract(w3, sender, "ContributionRewards", nft.address, token.address, attestations.address,
                              me if s.require_consent else timelock.address)

    def run(fn: Any) -> None:
        transact(w3, sender, fn)

    if second:
        house, contributors, charter = second
        run(charter.functions.initialize(houses.charter_config(s, timelock.address, governor.address,
                                                               contributors.address, token.address, cid, rules)))
        run(registry.functions.setHouse(house.address))
    run(nft.functions.setRoyaltyVault(vault.address))
    run(nft.functions.setDefaultRoyalty(s.default_royalty_bps))
    run(nft.functions.grantRole(nft.functions.TAKEDOWN_ROLE().call(), rights.address))
    if s.reissue_window_s != rights.functions.reissueWindow().call():
        run(rights.functions.setReissueWindow(s.reissue_window_s))
    if s.require_consent:
        run(vault.functions.setConsentGate(rights.address))
        run(rewards.functions.setConsentGate(rights.address))
        run(rewards.functions.transferOwnership(timelock.address))
    if b.allowed_tokens:
        allowlist_role = vault.functions.ALLOWLIST_ROLE().call()
        run(vault.functions.grantRole(allowlist_role, me))
        for tok in b.allowed_tokens:
            run(vault.functions.setTokenAllowed(Web3.to_checksum_address(tok), True))
        run(vault.functions.renounceRole(allowlist_role, me))
    tl = timelock.address
    _hand_over(run, token, me, tl, ["MINTER_ROLE"], extra={"MINTER_ROLE": [rewards.address]})
    _hand_over(run, registry, me, tl, ["VERIFIER_ROLE"], extra={"VERIFIER_ROLE": b.verifiers})
    _hand_over(run, nft, me, tl, ["CURATOR_ROLE"], extra={"CURATOR_ROLE": b.curators})
    _hand_over(run, vault, me, tl, ["ALLOWLIST_ROLE", "FEE_ROLE"])
    _hand_over(run, attestations, me, tl, ["VALIDATOR_ROLE"], extra={"VALIDATOR_ROLE": b.validators})
    _hand_over(run, rights, me, tl, [])
    for role in ("PROPOSER_ROLE", "CANCELLER_ROLE"):
        for g in [governor] + second[1:2]:
            run(timelock.functions.grantRole(timelock.functions[role]().call(), g.address))
    run(timelock.functions.renounceRole(timelock.functions.DEFAULT_ADMIN_ROLE().call(), me))
    for holder, amount in s.allocations.items():
        run(token.functions.transfer(Web3.to_checksum_address(holder), amount))
    if s.genesis_to_treasury:
        rest = token.functions.balanceOf(me).call()
        if rest:
            run(token.functions.transfer(tl, rest))

    names = dict(zip(SUITE, (timelock, token, governor, registry, nft, vault, licenses, attestations, rewards,
                             rights)))
    names.update(zip(HOUSES_SUITE, second))
    deployment = Deployment(
        chain_id=w3.eth.chain_id,
        block=start_block + 1,
        deployer=me,
        addresses={n: c.address for n, c in names.items()},
        compiler=artifacts.load("DatasetNFT").compiler,
        settings={**asdict(s), "bootstrap": asdict(b), **({"charter_cid": cid, "house_rules": rules} if s.houses else {})},
    )
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        target = deployment_path(directory, deployment.chain_id)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(deployment.to_json())
        tmp.replace(target)
    return deployment


def charter_cid(document: str | None) -> str:
    """The CID (v1, as Kubo computes it) of the charter document `document` (default: the bundled
    one); the deploy command pins it."""
    from ..ipfs.importer import Importer

    path = Path(document) if document else DEFAULT_CHARTER
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeploymentError(f"cannot read the charter {path}: {exc.strerror or exc}") from None
    if not data.strip():
        raise DeploymentError(f"the charter {path} is empty: give a document that says something")
    return str(Importer(cid_version=1).add_bytes(data).cid)


def _hand_over(run: Any, c: Contract, me: str, timelock: str, roles: list[str],
               extra: dict[str, list[str]] | None = None) -> None:
    """Grants admin and `roles` to the timelock (and bootstrap holders), then the deployer leaves."""
    admin_role = c.functions.DEFAULT_ADMIN_ROLE().call()
    for role in roles:
        role_id = c.functions[role]().call()
        run(c.functions.grantRole(role_id, timelock))
        holders = [Web3.to_checksum_address(h) for h in (extra or {}).get(role, [])]
        for holder in holders:
            run(c.functions.grantRole(role_id, holder))
        if c.functions.hasRole(role_id, me).call() and Web3.to_checksum_address(me) not in holders:
            run(c.functions.renounceRole(role_id, me))
    run(c.functions.grantRole(admin_role, timelock))
    run(c.functions.renounceRole(admin_role, me))
