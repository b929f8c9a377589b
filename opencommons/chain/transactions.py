"""Sending transactions and turning reverts into typed errors.

Two kinds of sender: a development account the node holds unlocked (Ganache, Anvil), and an
eth-account key (from an encrypted keystore) that signs locally.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi.abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.types import TxParams, TxReceipt

from ..errors import ChainError, ContractRevertError
from .artifacts import _canonical_type, error_table
from .revert_hints import hint

RECEIPT_TIMEOUT_S = 120


class Sender(Protocol):
    """Who pays for and signs a transaction."""

    @property
    def address(self) -> str: ...

    def send(self, w3: Web3, tx: TxParams) -> HexBytes: ...


@dataclass
class NodeAccount:
    """An account the node keeps unlocked (local development chains only)."""

    address: str

    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        tx = dict(tx)  # type: ignore[assignment]
        tx.pop("nonce", None)  # the node assigns it atomically: concurrent sends cannot collide
        return HexBytes(w3.eth.send_transaction(tx))


@dataclass
class KeyAccount:
    """An eth-account key that signs locally."""

    account: LocalAccount

    @property
    def address(self) -> str:
        return str(self.account.address)

    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        tx = dict(tx)  # type: ignore[assignment]
        tx.setdefault("nonce", w3.eth.get_transaction_count(self.account.address, "pending"))
        tx.setdefault("chainId", w3.eth.chain_id)
        if "gasPrice" not in tx and "maxFeePerGas" not in tx:
            tx["gasPrice"] = w3.eth.gas_price
        signed = self.account.sign_transaction(tx)  # type: ignore[arg-type]
        return HexBytes(w3.eth.send_raw_transaction(signed.raw_transaction))


def decode_revert(data: Any) -> ContractRevertError | None:
    """A custom error from revert data (hex string or bytes), or None if unknown."""
    if isinstance(data, dict):
        inner = data.get("data") or data.get("result")
        if inner is None:
            # Ganache's older shape, seen through brownie's web3: {"0x<tx>": {"return"|"reason": "0x..."}}
            for value in data.values():
                if isinstance(value, dict):
                    found = decode_revert(value.get("return") or value.get("reason"))
                    if found is not None:
                        return found
            return None
        return decode_revert(inner)
    if isinstance(data, str):
        if not data.startswith("0x"):
            return None
        raw = bytes.fromhex(data[2:])
    elif isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    else:
        return None
    if len(raw) < 4:
        return None
    entry = error_table().get(raw[:4])
    if entry is None:
        if raw[:4] == bytes.fromhex("08c379a0"):
            (reason,) = abi_decode(["string"], raw[4:])
            return ContractRevertError("Error", (reason,))
        return None
    name, inputs = entry
    values = tuple(_render(v) for v in abi_decode([_canonical_type(i) for i in inputs], raw[4:]))
    advice = hint(name, values)
    rendered = ", ".join(str(v) for v in values)
    return ContractRevertError(name, values, f"contract reverted: {name}({rendered})" + (f": {advice}" if advice else ""))


def _render(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def as_revert(exc: Exception) -> ContractRevertError | None:
    """The decoded custom error inside a web3.py exception, if any."""
    candidates: list[Any] = []
    if isinstance(exc, (ContractCustomError, ContractLogicError)):
        candidates += [getattr(exc, "data", None), getattr(exc, "message", None)]
    if isinstance(exc, Web3RPCError):
        candidates.append(getattr(exc, "rpc_response", {}).get("error", {}).get("data"))
    candidates += list(exc.args)
    for candidate in candidates:
        decoded = decode_revert(candidate)
        if decoded is not None:
            return decoded
    return None


def transact(w3: Web3, sender: Sender, fn: ContractFunction, value: int = 0,
             gas: int | None = None, access_list: list[dict[str, Any]] | None = None) -> TxReceipt:
    """Estimates, sends and waits; a revert becomes a ContractRevertError with the error decoded."""
    return wait(w3, send(w3, sender, fn, value, gas, access_list))


class FeeQuote:
    """The fee fields for transactions sent one after another (a batch): read once and again
    after `ttl_s`, as web3.py would fill them for each (EIP-1559: twice the latest base fee plus
    the node's priority fee, room for six full blocks of rise; a legacy chain's gas price)."""

    def __init__(self, w3: Web3, ttl_s: float = 3.0) -> None:
        self.w3, self.ttl_s = w3, ttl_s
        self._fees: dict[str, int] = {}
        self._read_at = float("-inf")

    def __call__(self) -> dict[str, int]:
        if time.monotonic() - self._read_at > self.ttl_s:
            base = self.w3.eth.get_block("latest").get("baseFeePerGas")
            if base is None:
                self._fees = {"gasPrice": int(self.w3.eth.gas_price)}
            else:
                tip = int(self.w3.eth.max_priority_fee)
                self._fees = {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}
            self._read_at = time.monotonic()
        return dict(self._fees)


def with_margin(estimate: int) -> int:
    """The gas limit sent for an estimate: room for the state to move between estimate and block."""
    return int(estimate * 1.2) + 10_000


def send(w3: Web3, sender: Sender, fn: ContractFunction, value: int = 0, gas: int | None = None,
         access_list: list[dict[str, Any]] | None = None, fees: FeeQuote | None = None) -> HexBytes:
    """Estimates and sends; returns the transaction hash without waiting. `access_list` (EIP-2930)
    pre-warms addresses: a factory-made commons names its clones' implementations there. `fees`
    (many transactions in a row) saves reading the fees for each."""
    params: TxParams = {"from": sender.address, "value": value}  # type: ignore[typeddict-item]
    if fees is not None:
        params.update(fees())  # type: ignore[typeddict-item]
    if access_list:
        params["accessList"] = access_list  # type: ignore[typeddict-item]
    try:
        params["gas"] = gas or with_margin(fn.estimate_gas(params))
        return sender.send(w3, fn.build_transaction(params))
    except (ContractCustomError, ContractLogicError, Web3RPCError, ValueError) as exc:
        raise _translate(exc, w3, sender.address, value) from exc


def send_raw(w3: Web3, sender: Sender, tx: TxParams) -> TxReceipt:
    """Sends a prepared transaction (deployments, plain transfers) and waits."""
    tx = dict(tx)  # type: ignore[assignment]
    tx["from"] = sender.address
    try:
        if "gas" not in tx:
            tx["gas"] = with_margin(w3.eth.estimate_gas(tx))
        return wait(w3, sender.send(w3, tx))
    except (ContractCustomError, ContractLogicError, Web3RPCError, ValueError) as exc:
        raise _translate(exc, w3, sender.address, int(tx.get("value", 0))) from exc


def wait(w3: Web3, tx_hash: HexBytes, check: bool = True) -> TxReceipt:
    """The transaction's receipt once mined; a reverted one fails (`check`)."""
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S, poll_latency=0.01)
    if check and receipt["status"] != 1:
        raise ChainError(f"transaction {tx_hash.to_0x_hex()} reverted (gas used {receipt['gasUsed']})")
    return receipt


def _translate(exc: Exception, w3: Web3 | None = None, sender: str | None = None, value: int = 0) -> Exception:
    decoded = as_revert(exc)
    if decoded is not None:
        return decoded
    text = str(exc)
    if "insufficient funds" in text.lower():
        if w3 is None or sender is None:
            return ChainError("insufficient funds for this transaction's value and gas; nothing was sent")
        from ..present import amount_text

        held = amount_text(w3.eth.get_balance(sender), 18, "ETH")  # type: ignore[arg-type]
        needs = f"{amount_text(value, 18, 'ETH')} plus gas" if value else "its gas"
        return ChainError(f"insufficient funds: {sender} holds {held}, not enough for {needs}; nothing was sent "
                          "(fund the account, or register and claim gaslessly through a relayer)")
    return ChainError(f"transaction failed: {text.splitlines()[0] if text else type(exc).__name__}")
