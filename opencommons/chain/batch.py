"""Many reads in one JSON-RPC request: view calls and receipts.

web3.py spends ~2-3 ms of Python on each `fn.call()` (middleware, validators, formatters) on top
of its round trip; a batch publish makes a dozen reads per dataset. Here a list of view calls goes
out as one JSON-RPC batch and each answer is decoded with the function's own output types, as
web3.py decodes it. The node's answers are not trusted further than web3.py trusts them: an
answer that is missing, malformed or an error is asked again through `fn.call()`, which raises the
decoded revert (or the node's error) as every other read does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils.abi import get_abi_output_types
from hexbytes import HexBytes
from web3 import Web3
from web3._utils.abi import map_abi_data
from web3._utils.normalizers import BASE_RETURN_NORMALIZERS
from web3.contract.contract import ContractFunction

from ..errors import ChainError
from .transactions import wait, with_margin

#: requests per JSON-RPC batch (nodes cap a batch: Geth 1,000, many providers 100-1,000)
CHUNK = 200


def _batch(w3: Web3, requests: list[tuple[str, list[Any]]]) -> list[dict[str, Any]] | None:
    """The node's answers to `requests`, in their order, or None when it answered no batch."""
    make = getattr(w3.provider, "make_batch_request", None)
    if make is None:
        return None
    try:
        answers = make(requests)
    except Exception:  # noqa: BLE001 - a node or proxy without batches: one request at a time instead
        return None
    if not isinstance(answers, list) or len(answers) != len(requests):
        return None
    return [a if isinstance(a, dict) else {} for a in answers]


def call_all(w3: Web3, fns: Sequence[ContractFunction]) -> list[Any]:
    """`[fn.call() for fn in fns]` at the latest block, in one round trip per :data:`CHUNK`."""
    results: list[Any] = []
    for at in range(0, len(fns), CHUNK):
        part = fns[at:at + CHUNK]
        answers = _batch(w3, [("eth_call", [{"to": fn.address, "data": fn._encode_transaction_data()}, "latest"])
                              for fn in part]) if len(part) > 1 else None
        for i, fn in enumerate(part):
            decoded = _decoded(w3, fn, answers[i]) if answers is not None else _NOTHING
            results.append(fn.call() if decoded is _NOTHING else decoded)
    return results


_NOTHING = object()


def _decoded(w3: Web3, fn: ContractFunction, answer: dict[str, Any]) -> Any:
    """The call's return value as web3.py gives it, or _NOTHING when the answer is not one."""
    data = answer.get("result")
    if "error" in answer or not isinstance(data, str) or not data.startswith("0x"):
        return _NOTHING
    types = get_abi_output_types(fn.abi)
    try:
        values = w3.codec.decode(types, HexBytes(data))
    except Exception:  # noqa: BLE001 - not what the function returns (no contract there, a proxy's answer)
        return _NOTHING
    if any("address" in t for t in types):  # checksummed, as web3.py returns them
        values = map_abi_data(BASE_RETURN_NORMALIZERS, types, values)
    return values[0] if len(values) == 1 else list(values)


def estimate_all(w3: Web3, sender: str, fns: Sequence[ContractFunction],
                 access_list: list[dict[str, Any]] | None = None) -> list[int | None]:
    """The gas limit (estimate with :func:`transactions.with_margin`) of each call sent from
    `sender` at the latest state, in batches; None where the node gave no estimate (the call
    would revert): :func:`transactions.send` estimates that one again and raises the decoded error."""
    found: list[int | None] = []
    for at in range(0, len(fns), CHUNK):
        part = fns[at:at + CHUNK]
        answers = _batch(w3, [("eth_estimateGas", [{"from": sender, "to": fn.address,
                                                    "data": fn._encode_transaction_data(),
                                                    **({"accessList": access_list} if access_list else {})}])
                              for fn in part]) or [{} for _ in part]
        for answer in answers:
            try:
                found.append(with_margin(int(str(answer["result"]), 16)) if "error" not in answer else None)
            except (KeyError, ValueError):
                found.append(None)
    return found


def receipts(w3: Web3, tx_hashes: Sequence[str], check: bool = True) -> list[dict[str, int]]:
    """`{"blockNumber", "gasUsed", "status"}` of each mined transaction, read in batches; one not
    mined yet is waited for as :func:`transactions.wait` waits. A reverted one fails as there
    (`check`), else its status says so and :func:`refuse_reverted` fails once the caller has
    recorded the others."""
    found: list[dict[str, int]] = []
    for at in range(0, len(tx_hashes), CHUNK):
        part = list(tx_hashes[at:at + CHUNK])
        answers = _batch(w3, [("eth_getTransactionReceipt", [h]) for h in part]) or [{} for _ in part]
        for tx_hash, answer in zip(part, answers):
            got: Any = answer.get("result")
            try:
                landed = {key: int(str(got[key]), 16) for key in ("blockNumber", "gasUsed", "status")}
                if str(got["transactionHash"]).lower() != tx_hash.lower():
                    raise ValueError("another transaction's receipt")
            except (TypeError, KeyError, ValueError):
                receipt = wait(w3, HexBytes(tx_hash), check=False)  # not mined yet, or not a receipt
                landed = {"blockNumber": int(receipt["blockNumber"]), "gasUsed": int(receipt["gasUsed"]),
                          "status": int(receipt["status"])}
            found.append(landed)
    if check:
        refuse_reverted(tx_hashes, found)
    return found


def refuse_reverted(tx_hashes: Sequence[str], landed: Sequence[dict[str, int]]) -> None:
    """Fails, as :func:`transactions.wait` does, on the first of `landed` that reverted."""
    for tx_hash, receipt in zip(tx_hashes, landed):
        if receipt["status"] != 1:
            raise ChainError(f"transaction {tx_hash} reverted (gas used {receipt['gasUsed']})")
