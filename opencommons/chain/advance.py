"""Moving a local development chain forward (Anvil, Ganache) instead of waiting for it, and
waiting on a real one: what `gov vote|queue|execute --wait [--mine]` need."""

from __future__ import annotations

import time
from collections.abc import Callable

from web3 import Web3

from ..errors import ChainError
from .profiles import LOCAL_CHAIN_IDS


def is_local(w3: Web3) -> bool:
    return w3.eth.chain_id in LOCAL_CHAIN_IDS


def mine(w3: Web3, blocks: int = 1, seconds: int = 0) -> None:
    """Advances a local chain's clock by `seconds`, then mines `blocks` blocks."""
    if not is_local(w3):
        raise ChainError(f"chain {w3.eth.chain_id} is not a local development chain: blocks cannot be mined "
                         "on demand (wait with --wait instead of --mine)")
    if seconds > 0:
        w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    if blocks <= 0:
        return
    reply = w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]
    if "error" in reply:  # Ganache: one evm_mine per block
        for _ in range(blocks):
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def wait_until(done: Callable[[], bool], step: Callable[[], None] | None, timeout_s: float,
               poll_s: float = 2.0, what: str = "the chain") -> None:
    """Calls `step` (mining, on a local chain) or sleeps until `done()`; gives up after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise ChainError(f"gave up waiting for {what} after {timeout_s:.0f} s")
        if step is not None:
            step()
        else:
            time.sleep(poll_s)
