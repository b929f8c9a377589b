"""Putting events on a local chain quickly, through the library: every kind the index reads.

`seed_variety` makes a small commons in which each read command has something to say (versions,
lineage with settled ancestor royalties, curation to every status, licences, claims, attestations,
a proposal with votes). `seed_bulk` makes the benchmark's large one (many datasets and payments).
"""

from __future__ import annotations

import os
from typing import Any

from web3 import Web3

from opencommons.chain.reveal import await_reveal, commit, reveal_fn
from opencommons.chain.transactions import NodeAccount, transact
from opencommons.publish import on_chain_contributors
from opencommons.suite import Commons

NATIVE = "0x0000000000000000000000000000000000000000"
COMMONS = Web3.keccak(text="KE/education")


def params(contributors: list[tuple[str, int]], parents: list[int] = (), ancestor_bps: int = 0,
           license_id: str = "CC-BY-4.0", commons: bytes = COMMONS) -> tuple[Any, ...]:
    return (os.urandom(32), 0x70, os.urandom(32), 0x70, license_id, commons, ancestor_bps, list(parents),
            on_chain_contributors(contributors))


def publish(c: Commons, who: str, p: tuple[Any, ...], previous: int = 0) -> int:
    me = NodeAccount(who)
    salt, committed = commit(c.w3, c.nft, me, p, previous)
    await_reveal(c.w3, c.nft, int(committed["blockNumber"]))
    transact(c.w3, me, reveal_fn(c.nft, p, salt, previous))
    return int.from_bytes(p[0], "big")


def tx(c: Commons, who: str, fn: Any, value: int = 0) -> Any:
    return transact(c.w3, NodeAccount(who), fn, value=value)


def seed_variety(c: Commons, acc: list[str]) -> dict[str, int]:
    """Accounts: 0 curator and token holder, 1-4 contributors (4 deactivates), 3 verifier,
    4 validator (deploy with --curator {0} --verifier {3} --validator {4}), 5-6 payers."""
    w3 = c.w3
    for i, who in enumerate(acc[1:5]):
        tx(c, who, c.registry.functions.register(os.urandom(32), 0x55, Web3.keccak(text=f"KE/c{i % 2}")))
    tx(c, acc[2], c.registry.functions.updateProfile(os.urandom(32), 0x55, Web3.keccak(text="KE/moved")))
    tx(c, acc[3], c.registry.functions.attestClaim(acc[1], Web3.keccak(text="kyc"), 2**40))
    a = publish(c, acc[1], params([(acc[1], 6000), (acc[2], 4000)]))
    b = publish(c, acc[1], params([(acc[1], 5000), (acc[3], 5000)], license_id="CC0-1.0"))
    child = publish(c, acc[2], params([(acc[2], 7000), (acc[3], 3000)], parents=[a, b], ancestor_bps=2000))
    version = publish(c, acc[1], params([(acc[1], 10_000)]), previous=a)
    other = publish(c, acc[3], params([(acc[3], 10_000)], commons=Web3.keccak(text="BR/health"), license_id="MIT"))
    nft = c.nft.functions
    tx(c, acc[0], nft.curate(a, 2))
    tx(c, acc[0], nft.curate(child, 2))
    tx(c, acc[0], nft.curate(other, 2))
    tx(c, acc[0], nft.curate(other, 4))  # retired
    for i, (dataset, amount) in enumerate([(a, 10**18 + 7), (child, 3 * 10**17 + 1), (b, 12_345), (child, 999)]):
        tx(c, acc[5 + i % 2], c.vault.functions.pay(dataset, NATIVE, amount), value=amount)
    tx(c, acc[0], nft.curate(b, 3))  # rejected after being paid: its contributors can claim nothing
    tx(c, acc[1], c.vault.functions.claim([a], [NATIVE]))
    tx(c, acc[7], c.vault.functions.settle([child], NATIVE))
    tx(c, acc[1], c.licenses.functions.setTerms(a, NATIVE, 10**16, 86_400 * 30, b"\x11" * 32, True))
    tx(c, acc[5], c.licenses.functions.buy(a, NATIVE, 10**16, 86_400 * 30, b"\x11" * 32), value=10**16)
    tx(c, acc[4], c.attestations.functions.attest(a, Web3.keccak(text="integrity"), 9000, os.urandom(32), 0x55))
    tx(c, acc[4], c.registry.functions.deactivate())
    tx(c, acc[0], c.token.functions.delegate(acc[0]))
    w3.provider.make_request("evm_mine", [])
    calldata = c.nft.encode_abi("curate", [version, 2])
    tx(c, acc[0], c.governor.functions.propose([c.nft.address], [0], [calldata], "Accept the new version"))
    return {"a": a, "b": b, "child": child, "version": version, "other": other}
