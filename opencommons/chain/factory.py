"""The CommonsFactory: deployed once per chain (templates, the NFT deployer, the factory), then
one transaction per commons. Both write `deployments/<chainId>.json`: the factory under
``factory``, each commons it launched under ``commons[code]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD

from ..errors import DeploymentError
from ..journal import fault_point
from . import artifacts
from .commons_config import CommonsSpec
from .deploy import ZERO, Deployment, contract, deployment_path
from .deploy_run import DeployRun, confirm, fees, journal_for
from .transactions import Sender, as_revert, send, wait

#: the ICommonsFactory.Commons fields, in order, and the contract each names
FIELDS = ("registry", "datasets", "attestations", "vault", "licenses", "token", "governor", "timelock", "rewards",
          "rights", "house", "contributorsGovernor", "charter")
CONTRACT_OF = {"registry": "ContributorRegistry", "datasets": "DatasetNFT", "attestations": "DatasetAttestations",
               "vault": "RoyaltyVault", "licenses": "LicenseManager", "token": "CommonsToken",
               "governor": "CommonsGovernor", "timelock": "CommonsTimelock", "rewards": "ContributionRewards",
               "rights": "DatasetRights", "house": "ContributorVotes", "contributorsGovernor": "ContributorsGovernor",
               "charter": "CommonsCharter"}
FACTORY_CONTRACTS = tuple(CONTRACT_OF[f] for f in FIELDS if f != "datasets") + ("DatasetNFTDeployer",
                                                                                  "CommonsFactory")
#: the template of ContributionRewards needs an owner: one nobody holds the key of
INERT_OWNER = "0x000000000000000000000000000000000000dEaD"

Report = Callable[[str, str], None]


def deploy_factory(w3: Web3, sender: Sender, directory: Path, confirmations: int = 1,
                   report: Report = lambda step, what: None) -> dict[str, Any]:
    """Deploys the templates, the DatasetNFT deployer and the factory, each exactly once even if
    interrupted (see deploy_run); records them in the deployments file and returns that record.

    Templates are ordinary instances built with inert arguments (no admin, no roles, a vault with
    no NFT): initialised, or with initialisers disabled, at construction, so nobody can take them.
    """
    chain_id = w3.eth.chain_id
    existing = read(directory, chain_id)
    if existing and existing.factory and _has_code(w3, existing.factory["address"]):
        return existing.factory
    run = DeployRun(w3, sender, journal_for(directory, chain_id, sender.address, "factory", FACTORY_CONTRACTS),
                    confirmations, report)
    start = w3.eth.block_number
    t: dict[str, str] = {}
    t["timelock"] = run.create("template CommonsTimelock", "CommonsTimelock", 0, [], [], ZERO)
    t["token"] = run.create("template CommonsToken", "CommonsToken", "", "", ZERO, ZERO, 0)
    t["governor"] = run.create("template CommonsGovernor", "CommonsGovernor", "", ZERO, t["timelock"],
                               (0, 1, 0, 1, ZERO, ZERO))
    t["registry"] = run.create("template ContributorRegistry", "ContributorRegistry", ZERO)
    t["vault"] = run.create("template RoyaltyVault", "RoyaltyVault", ZERO, ZERO, ZERO)
    t["licenses"] = run.create("template LicenseManager", "LicenseManager", ZERO, ZERO, ZERO)
    t["attestations"] = run.create("template DatasetAttestations", "DatasetAttestations", ZERO, ZERO)
    t["rewards"] = run.create("template ContributionRewards", "ContributionRewards", ZERO, ZERO, ZERO, INERT_OWNER)
    # initialised at construction (no NFT, no admin, no arbiter): nobody can take it
    t["rights"] = run.create("template DatasetRights", "DatasetRights", ZERO, ZERO, [], 0, 3_600, 3_600)
    t["house"] = run.create("template ContributorVotes", "ContributorVotes", ZERO, bytes(32))
    t["contributorsGovernor"] = run.create("template ContributorsGovernor", "ContributorsGovernor", "", ZERO,
                                           t["timelock"], (0, 1, 0, 1, ZERO, ZERO))
    t["charter"] = run.create("template CommonsCharter", "CommonsCharter", True)
    t["datasets"] = run.create("DatasetNFTDeployer", "DatasetNFTDeployer")
    address = run.create("CommonsFactory", "CommonsFactory", tuple(t[f] for f in FIELDS))
    record = {"address": address, "templates": t, "deployer": sender.address, "block": start + 1,
              "gas": sum(run.gas_used.values())}
    deployment = existing or Deployment(chain_id=chain_id, block=start + 1, deployer=sender.address, addresses={},
                                        compiler=artifacts.load("CommonsFactory").compiler, settings={})
    deployment.factory = record
    write(directory, deployment)
    return record


def create_commons(w3: Web3, sender: Sender, directory: Path, spec: CommonsSpec, confirmations: int = 1,
                   report: Report = lambda step, what: None) -> dict[str, Any]:
    """Launches `spec` through the chain's factory and records it. Exactly once: a launch whose
    transaction was mined before an interruption is found by its code and adopted."""
    deployment = require_factory(w3, directory)
    factory = contract(w3, "CommonsFactory", deployment.factory["address"])  # type: ignore[index]
    if spec.code in deployment.commons:
        raise DeploymentError(f"commons {spec.code} exists already on chain {deployment.chain_id} "
                              f"(`commons commons list` shows them)")
    addresses = launched(factory, spec.code)
    if addresses is not None:
        block = adoptable(w3, factory, sender.address, spec, addresses)
        report(spec.code, "adopted (launched by this account before an interruption)")
    else:
        fn = factory.functions.createCommons(spec.as_struct())
        fault_point("commons:before-send")
        receipt = wait(w3, send_with_fees(w3, sender, fn))
        fault_point("commons:after-send")
        events = factory.events.CommonsCreated().process_receipt(receipt, errors=DISCARD)
        if not events:
            raise DeploymentError(f"createCommons for {spec.code} emitted no CommonsCreated event")
        addresses = events[0]["args"]["commons"]
        block = int(receipt["blockNumber"])
        confirm(w3, block, confirmations)
        report(spec.code, f"launched in one transaction ({int(receipt['gasUsed']):,} gas)")
    by_name = named(addresses)
    deployment = require_factory(w3, directory)
    deployment.commons[spec.code] = {"addresses": by_name, "block": block, "creator": sender.address,
                                     "settings": spec.to_json()}
    write(directory, deployment)
    return deployment.commons[spec.code]


def adoptable(w3: Web3, factory: Any, account: str, spec: CommonsSpec, addresses: Any) -> int:
    """The launch block of `spec.code`'s commons when this account launched it with `spec`'s
    configuration (a launch mined before an interruption); else a refusal naming who did. A code
    is its creator's: nobody adopts a commons someone else launched first under that code."""
    from .launch import launch_checks

    creator = Web3.to_checksum_address(factory.functions.creatorOf(spec.code).call())
    if creator != Web3.to_checksum_address(account):
        raise DeploymentError(f"commons {spec.code} on chain {w3.eth.chain_id} was launched by {creator}, not by "
                              f"this account ({account}): it is not yours to adopt; launch under another code")
    code_hash = Web3.keccak(text=spec.code.lower())
    logs = factory.events.CommonsCreated().get_logs(from_block=0, argument_filters={"codeHash": code_hash})
    if not logs:
        raise DeploymentError(f"no CommonsCreated event for {spec.code} on chain {w3.eth.chain_id}")
    block = int(logs[-1]["blockNumber"])
    failed = [f"{what}: {detail}" for what, ok, detail in launch_checks(w3, spec.code, named(addresses),
                                                                           spec.to_json(), block) if not ok]
    if failed:
        raise DeploymentError(f"commons {spec.code} was launched by this account with another configuration "
                              f"({failed[0]}): launch under another code")
    return block


def list_commons(w3: Web3, directory: Path) -> list[tuple[str, dict[str, str], bool]]:
    """Every commons the chain's factory launched: (code, addresses, recorded in the file)."""
    deployment = require_factory(w3, directory)
    factory = contract(w3, "CommonsFactory", deployment.factory["address"])  # type: ignore[index]
    rows = []
    for i in range(factory.functions.commonsCount().call()):
        code, addresses = factory.functions.commonsAt(i).call()
        rows.append((code, named(addresses), code in deployment.commons))
    return rows


def send_with_fees(w3: Web3, sender: Sender, fn: Any) -> Any:
    params = {"from": sender.address, **fees(w3)}
    gas = int(fn.estimate_gas(params) * 1.2) + 20_000
    if "maxFeePerGas" in params:  # send() builds with the node's defaults; keep the EIP-1559 fees
        return sender.send(w3, fn.build_transaction({**params, "gas": gas}))
    return send(w3, sender, fn, gas=gas)


def read(directory: Path, chain_id: int) -> Deployment | None:
    path = deployment_path(directory, chain_id)
    if not path.is_file():
        return None
    deployment = Deployment.from_file(path)
    if deployment.chain_id != chain_id:
        raise DeploymentError(f"{path} is for chain {deployment.chain_id} but the node is chain {chain_id}: "
                              f"refusing to use it")
    return deployment


def require_factory(w3: Web3, directory: Path) -> Deployment:
    chain_id = w3.eth.chain_id
    deployment = read(directory, chain_id)
    if deployment is None or not deployment.factory:
        raise DeploymentError(f"no CommonsFactory recorded for chain {chain_id} in {directory}: "
                              f"run `commons deploy --factory` first")
    if not _has_code(w3, deployment.factory["address"]):
        raise DeploymentError(f"the CommonsFactory recorded for chain {chain_id} has no code at "
                              f"{deployment.factory['address']} (a restarted chain?): deploy it again")
    return deployment


def write(directory: Path, deployment: Deployment) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    target = deployment_path(directory, deployment.chain_id)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(deployment.to_json())
    tmp.replace(target)


def named(addresses: Any) -> dict[str, str]:
    """Contract name -> address from an ICommonsFactory.Commons (a tuple from a call, a mapping
    from an event)."""
    values = [addresses[f] for f in FIELDS] if hasattr(addresses, "keys") else list(addresses)
    return {CONTRACT_OF[f]: Web3.to_checksum_address(a) for f, a in zip(FIELDS, values)}


def launched(factory: Any, code: str) -> Any:
    """The factory's addresses for `code`, or None when no commons has it."""
    try:
        return factory.functions.commonsOf(code).call()
    except (ContractCustomError, ContractLogicError, ValueError) as exc:
        # a node's revert arrives as web3's typed errors, or as a bare ValueError through
        # brownie's web3 on Ganache: either way only "unknown code" means "not launched"
        revert = as_revert(exc)
        if revert is not None and revert.error_name == "CommonsFactoryUnknownCode":
            return None
        if isinstance(exc, (ContractCustomError, ContractLogicError)) and revert is None:
            return None
        raise


def _has_code(w3: Web3, address: str) -> bool:
    return bool(bytes(w3.eth.get_code(Web3.to_checksum_address(address))))
