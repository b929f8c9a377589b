"""Contract creations that hold on a real network: EIP-1559 fees, confirmations, exactly once.

Every creation is a journal step. Before a creation is sent, its nonce and the address it will
create are recorded. A deploy killed at any point resumes from that record:

- code at the recorded address: the creation was mined, so it is adopted and never sent again;
- the nonce used and no code: the creation failed on chain, so it is refused with one line;
- the nonce unused: it was never sent (or was dropped), so it is sent again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import rlp
from web3 import Web3

from ..errors import DeploymentError
from ..journal import Journal, fault_point, key_of
from . import artifacts
from .transactions import Sender, wait

CONFIRM_TIMEOUT_S = 600


@dataclass
class DeployRun:
    """Sends a deployment's creations and calls through a journal (see the module docstring)."""

    w3: Web3
    sender: Sender
    journal: Journal
    confirmations: int = 1
    #: called with each step's label and what happened ("deployed", "adopted", "sent"...)
    report: Callable[[str, str], None] = lambda step, what: None
    gas_used: dict[str, int] = field(default_factory=dict)

    def create(self, step: str, name: str, *args: Any) -> str:
        """The address of contract `name` built with `args`, created once whatever happens."""
        done = self.journal.done(step)
        if done:
            return str(done["address"])
        art = artifacts.load(name)
        factory = self.w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
        tx: dict[str, Any] = dict(factory.constructor(*args).build_transaction({"from": self.sender.address, "gas": 1}))
        started = self.journal.started(step)
        if started:
            address = self._resume(step, started)
            if address:
                return address
        nonce = self.w3.eth.get_transaction_count(Web3.to_checksum_address(self.sender.address), "pending")
        address = Web3.to_checksum_address(_create_address(self.sender.address, nonce))
        del tx["gas"]
        tx.update(self._fees())
        tx["gas"] = int(self.w3.eth.estimate_gas({"from": self.sender.address, "data": tx["data"]}) * 1.15) + 20_000
        tx["nonce"] = nonce
        self.journal.begin(step, {"nonce": nonce, "address": address})
        fault_point(f"deploy:{step}:before-send")
        tx_hash = self.sender.send(self.w3, tx)  # type: ignore[arg-type]
        fault_point(f"deploy:{step}:after-send")
        receipt = wait(self.w3, tx_hash)
        if receipt["status"] != 1 or not receipt.get("contractAddress"):
            raise DeploymentError(f"creating {name} failed on chain (tx {tx_hash.hex()})")
        self._confirm(receipt["blockNumber"])
        created = Web3.to_checksum_address(str(receipt["contractAddress"]))
        self.gas_used[step] = int(receipt["gasUsed"])
        self.journal.finish(step, {"address": created, "tx": tx_hash.hex(), "gas": int(receipt["gasUsed"])})
        self.report(step, f"deployed at {created} ({int(receipt['gasUsed']):,} gas)")
        return created

    def _resume(self, step: str, started: dict[str, Any]) -> str | None:
        address, nonce = str(started["address"]), int(started["nonce"])
        deadline = time.monotonic() + CONFIRM_TIMEOUT_S
        while True:
            if bytes(self.w3.eth.get_code(Web3.to_checksum_address(address))):
                self.journal.finish(step, {"address": address, "resumed": True})
                self.report(step, f"adopted {address} (created before the interruption)")
                return address
            mined = self.w3.eth.get_transaction_count(Web3.to_checksum_address(self.sender.address), "latest")
            if mined > nonce:
                raise DeploymentError(f"{step}: the creation sent with nonce {nonce} was mined but created no "
                                      f"contract at {address}: inspect that transaction before deploying again")
            pending = self.w3.eth.get_transaction_count(Web3.to_checksum_address(self.sender.address), "pending")
            if pending <= nonce:
                return None  # never reached the node: send it now
            if time.monotonic() > deadline:
                raise DeploymentError(f"{step}: the creation with nonce {nonce} is still pending after "
                                      f"{CONFIRM_TIMEOUT_S} s")
            time.sleep(1)

    def _fees(self) -> dict[str, int]:
        return fees(self.w3)

    def _confirm(self, block: int) -> None:
        confirm(self.w3, block, self.confirmations)


def confirm(w3: Web3, block: int, confirmations: int) -> None:
    """Waits until `block` is `confirmations` deep (1: the block itself)."""
    deadline = time.monotonic() + CONFIRM_TIMEOUT_S
    while w3.eth.block_number < block + confirmations - 1:
        if time.monotonic() > deadline:
            raise DeploymentError(f"block {block} did not reach {confirmations} confirmations in "
                                  f"{CONFIRM_TIMEOUT_S} s")
        time.sleep(1)


def fees(w3: Web3) -> dict[str, int]:
    """EIP-1559 fees when the chain has a base fee (twice the base fee plus the tip, the usual
    headroom for six full blocks), a legacy gas price otherwise, or when the connection sets its
    own (brownie's web3 has a gas price strategy, which refuses EIP-1559 fields)."""
    generated = w3.eth.generate_gas_price()
    if generated is not None:
        return {"gasPrice": int(generated)}
    block = w3.eth.get_block("latest")
    base = block.get("baseFeePerGas")
    if base is None:
        return {"gasPrice": int(w3.eth.gas_price)}
    try:
        tip = int(w3.eth.max_priority_fee)
    except Exception:  # noqa: BLE001 - nodes without eth_maxPriorityFeePerGas
        tip = 10**9
    return {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}


def journal_for(directory: Path, chain_id: int, deployer: str, what: str, names: tuple[str, ...]) -> Journal:
    """The journal of one deploy: keyed by chain, deployer and the compiled code of `names`, so a
    rebuilt contract never adopts an address from an older build."""
    code = key_of({n: artifacts.load(n).bytecode for n in sorted(names)})
    inputs = {"what": what, "chain": chain_id, "deployer": Web3.to_checksum_address(deployer), "code": code}
    return Journal(directory / ".journal", f"{chain_id}-{what}-{key_of(inputs)[:16]}", inputs)


def _create_address(sender: str, nonce: int) -> str:
    return "0x" + Web3.keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:].hex()
