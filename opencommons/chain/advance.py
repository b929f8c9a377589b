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
               poll_s: float = 2.0, what: str = "the chain", head: Callable[[], int] | None = None,
               notice: Callable[[str], None] | None = None, still_s: float = 30.0) -> None:
    """Calls `step` (mining, on a local chain) or sleeps until `done()`; gives up after `timeout_s`.
    Without `step`, `notice` is told once when `head()` (the block number) has not moved for
    `still_s` seconds: a local chain that mines only on transactions never gets there alone."""
    deadline = time.monotonic() + timeout_s
    last, since, told = (head() if head else None), time.monotonic(), False
    while not done():
        if time.monotonic() > deadline:
            raise ChainError(f"gave up waiting for {what} after {timeout_s:.0f} s")
        if step is not None:
            step()
            continue
        time.sleep(poll_s)
        if head is None or notice is None or told:
            continue
        now = head()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= still_s:
            notice(f"the chain's head has stayed at block {now} for {still_s:.0f} s: a local chain that mines only "
                   "on transactions will not get there alone; stop and run again with --mine")
            told = True
