"""A Safe as a commons' guardian (issue 37): the Safe contracts 1.4.1 from their npm package
(`@safe-global/safe-contracts`, deployed on a local chain from its build artifacts the first time
one is needed), driven with safe-eth-py: the owners sign a Safe transaction off-chain, and any
account executes it once enough have signed.

The guardian's one power is `CommonsGovernor.cancelWithReason`: :func:`cancel_proposal` builds it
as a Safe transaction, has each owner's key sign it, checks the threshold, and sends it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD

from .chain.transactions import Sender, send_raw, transact
from .errors import OpenCommonsError

__all__ = ["SAFE_VERSION", "Infrastructure", "SafeError", "cancel_proposal", "create", "infrastructure", "owners"]

SAFE_VERSION = "1.4.1"
ZERO = "0x0000000000000000000000000000000000000000"
_ARTIFACTS = {"singleton": "contracts/SafeL2.sol/SafeL2.json",
              "factory": "contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
              "fallbackHandler": "contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json"}


class SafeError(OpenCommonsError):
    """A Safe that cannot do what was asked (not deployed, too few signatures, not an owner)."""


@dataclass(frozen=True)
class Infrastructure:
    """The Safe singleton (SafeL2: it logs every transaction), proxy factory and fallback handler on a chain."""

    singleton: str
    factory: str
    fallback_handler: str


def _artifacts_dir() -> Path:
    given = os.environ.get("OPENCOMMONS_SAFE_ARTIFACTS")
    folder = Path(given) if given else (Path(__file__).resolve().parents[1] / "node_modules" / "@safe-global" /
                                         "safe-contracts" / "build" / "artifacts")
    if not folder.is_dir():
        raise SafeError(f"the Safe {SAFE_VERSION} contracts are not here ({folder}): they come from npm's "
                        "@safe-global/safe-contracts (`make setup` installs it), or name their build/artifacts "
                        "folder in OPENCOMMONS_SAFE_ARTIFACTS")
    return folder


def _artifact(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_artifacts_dir() / _ARTIFACTS[kind]).read_text())
    return data


def _contract(w3: Web3, kind: str, address: str) -> Any:
    return w3.eth.contract(Web3.to_checksum_address(address), abi=_artifact(kind)["abi"])


def _record(directory: Path, chain_id: int) -> Path:
    return directory / f"{chain_id}.safe.json"


def infrastructure(w3: Web3, sender: Sender, directory: Path) -> Infrastructure:
    """The Safe contracts this chain has (recorded in `directory`, their code checked), deployed
    from the npm package's artifacts when it has none yet."""
    path = _record(directory, w3.eth.chain_id)
    if path.is_file():
        recorded = json.loads(path.read_text())
        found = Infrastructure(recorded["singleton"], recorded["factory"], recorded["fallbackHandler"])
        deployed = {"singleton": found.singleton, "factory": found.factory, "fallbackHandler": found.fallback_handler}
        if all(w3.eth.get_code(Web3.to_checksum_address(address)).hex().removeprefix("0x")
               == _artifact(kind)["deployedBytecode"].removeprefix("0x") for kind, address in deployed.items()):
            return found
    addresses = {}
    for kind in ("singleton", "factory", "fallbackHandler"):
        receipt = send_raw(w3, sender, {"data": _artifact(kind)["bytecode"]})
        addresses[kind] = str(receipt["contractAddress"])
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": SAFE_VERSION, **addresses}, indent=2) + "\n")
    return Infrastructure(addresses["singleton"], addresses["factory"], addresses["fallbackHandler"])


def create(w3: Web3, sender: Sender, directory: Path, owners_: list[str], threshold: int) -> str:
    """A new Safe of `owners_` (at least `threshold` of them sign each transaction): its address."""
    malformed = [o for o in owners_ if not Web3.is_address(o)]
    if malformed:
        raise SafeError(f"--owner {malformed[0]!r} is not an address")
    people = [Web3.to_checksum_address(o) for o in owners_]
    if len(set(people)) != len(people) or not people:
        raise SafeError("a Safe needs at least one owner, each named once")
    if not 1 <= threshold <= len(people):
        raise SafeError(f"a threshold of {threshold} is not between 1 and the {len(people)} owner(s)")
    infra = infrastructure(w3, sender, directory)
    singleton = _contract(w3, "singleton", infra.singleton)
    setup = singleton.encode_abi("setup", [people, threshold, ZERO, b"", infra.fallback_handler, ZERO, 0, ZERO])
    factory = _contract(w3, "factory", infra.factory)
    nonce = int.from_bytes(os.urandom(8), "big")
    receipt = transact(w3, sender, factory.functions.createProxyWithNonce(infra.singleton, setup, nonce))
    created = factory.events.ProxyCreation().process_receipt(receipt, errors=DISCARD)
    return str(created[0]["args"]["proxy"])


def owners(w3: Web3, safe: str) -> tuple[list[str], int]:
    """The Safe's owners and threshold, as the chain says."""
    if not Web3.is_address(safe):
        raise SafeError(f"{safe!r} is not an address")
    s = _contract(w3, "singleton", safe).functions
    try:
        return [str(o) for o in s.getOwners().call()], int(s.getThreshold().call())
    except Exception as exc:  # no Safe there: nothing answers getOwners
        raise SafeError(f"{safe} is not a Safe on this chain ({type(exc).__name__})") from None


def cancel_proposal(w3: Web3, rpc: str, executor: Sender, safe: str, governor: Any, targets: list[str],
                    values: list[int], calldatas: list[bytes], description_hash: bytes, reason: str,
                    signers: list[LocalAccount]) -> Any:
    """Has the guardian Safe cancel a proposal with `reason`: the Safe transaction calling the
    governor's `cancelWithReason` is built with safe-eth-py, signed off-chain by each of `signers`
    (owners' keys) and sent by `executor` (anyone) once the threshold is met. The receipt."""
    from safe_eth.eth import EthereumClient
    from safe_eth.safe import Safe

    if not reason.strip():
        raise SafeError("give the reason the guardian cancels for: it goes on the record")
    people, threshold = owners(w3, safe)
    strangers = [s.address for s in signers if s.address not in people]
    if strangers:
        raise SafeError(f"{', '.join(strangers)} is not an owner of Safe {safe} (owners: {', '.join(people)})")
    if len({s.address for s in signers}) < threshold:
        raise SafeError(f"Safe {safe} needs {threshold} owners' signatures; {len({s.address for s in signers})} "
                        "given: nothing sent")
    data = governor.encode_abi("cancelWithReason", [targets, values, calldatas, description_hash, reason])
    client = EthereumClient(rpc)  # type: ignore[arg-type]
    safe_tx = Safe(Web3.to_checksum_address(safe), client).build_multisig_tx(  # type: ignore[abstract]
        Web3.to_checksum_address(governor.address), 0, bytes.fromhex(data.removeprefix("0x")))
    for signer in signers:
        safe_tx.sign(signer.key.hex())
    execute = _contract(w3, "singleton", safe).functions.execTransaction(
        safe_tx.to, safe_tx.value, safe_tx.data, safe_tx.operation, safe_tx.safe_tx_gas, safe_tx.base_gas,
        safe_tx.gas_price, safe_tx.gas_token, safe_tx.refund_receiver, safe_tx.signatures)
    return transact(w3, executor, execute)
