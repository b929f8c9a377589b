"""Commit-reveal publishing on DatasetNFT, for callers that hold the raw parameters.

The CLI's publish (:mod:`opencommons.publish`) journals each step; benchmarks and tools that
publish raw parameters use :func:`commit_and_reveal` directly.
"""

from __future__ import annotations

import os
import time
from typing import Any

from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from .profiles import LOCAL_CHAIN_IDS
from .transactions import FeeQuote, Sender, send, transact, wait


def await_reveal(w3: Web3, nft: Contract, committed_at: int, poll_s: float = 1.0) -> None:
    """Waits until the latest block is `minCommitAge` blocks past the commit (gas is estimated
    against the latest block, so the reveal must already be valid there). A local chain that
    mines only on transactions (Ganache, Anvil) is asked for the blocks."""
    revealable = committed_at + nft.functions.minCommitAge().call()
    local = w3.eth.chain_id in LOCAL_CHAIN_IDS
    while w3.eth.block_number < revealable:
        if local:
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        else:
            time.sleep(poll_s)


def commit(w3: Web3, nft: Contract, sender: Sender, params: tuple[Any, ...], previous: int = 0,
           salt: bytes | None = None, training: tuple[bytes, int] | None = None) -> tuple[bytes, TxReceipt]:
    """Commits to revealing `params` (as a version of `previous` when non-zero; as a model with
    its `training` record, (root, total weight), when given): (salt, receipt)."""
    salt, tx = send_commit(w3, nft, sender, params, previous, salt, training)
    return salt, wait(w3, tx)


def send_commit(w3: Web3, nft: Contract, sender: Sender, params: tuple[Any, ...], previous: int = 0,
                salt: bytes | None = None, training: tuple[bytes, int] | None = None,
                fees: FeeQuote | None = None, gas: int | None = None) -> tuple[bytes, HexBytes]:
    """As :func:`commit`, without waiting: (salt, transaction hash). `gas`: a limit already
    estimated (every fresh commitment costs the same)."""
    salt = salt or os.urandom(32)
    commitment = commitment_of(sender.address, reveal_fn(nft, params, salt, previous, training))
    return salt, send(w3, sender, nft.functions.commit(commitment), fees=fees, gas=gas)


def commitment_of(publisher: str, reveal: Any) -> bytes:
    """The commitment a reveal opens: the hash of its sender and its calldata, as the contract
    hashes its own calldata (`DatasetNFT.commitmentOf` computes the same for a dataset)."""
    calldata = bytes.fromhex(reveal._encode_transaction_data()[2:])
    return bytes(Web3.keccak(bytes.fromhex(Web3.to_checksum_address(publisher)[2:]) + calldata))


def reveal_fn(nft: Contract, params: tuple[Any, ...], salt: bytes, previous: int = 0,
              training: tuple[bytes, int] | None = None) -> Any:
    """The reveal call for a commitment made by :func:`commit`: a model's (`training` given)
    records its training data in the same transaction."""
    if training is not None:
        root, total = training
        return nft.functions.publishModel(previous, params, root, total, salt)
    if previous:
        return nft.functions.publishVersion(previous, params, salt)
    return nft.functions.publish(params, salt)


def commit_and_reveal(w3: Web3, nft: Contract, sender: Sender, params: tuple[Any, ...],
                      previous: int = 0, access_list: list[dict[str, Any]] | None = None,
                      training: tuple[bytes, int] | None = None) -> tuple[TxReceipt, TxReceipt]:
    """Publishes `params` (a model's with its `training` record): commit, wait out the minimum
    age, reveal (with `access_list`, see :meth:`opencommons.suite.Commons.access_list`). (commit,
    reveal) receipts."""
    salt, committed = commit(w3, nft, sender, params, previous, training=training)
    await_reveal(w3, nft, int(committed["blockNumber"]))
    return committed, transact(w3, sender, reveal_fn(nft, params, salt, previous, training), access_list=access_list)
