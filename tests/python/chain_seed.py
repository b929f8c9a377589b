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


_NONCES: dict[str, int] = {}


def _send_batch(c: Commons, txs: list[dict[str, Any]]) -> None:
    """Sends `txs` (eth_sendTransaction from unlocked accounts) in one JSON-RPC batch, then mines.
    Nonces are counted here: a node handling a batch concurrently would hand one out twice."""
    for t in txs:
        sender = t["from"]
        if sender not in _NONCES:
            _NONCES[sender] = c.w3.eth.get_transaction_count(sender, "pending")
        t["nonce"] = hex(_NONCES[sender])
        _NONCES[sender] += 1
    for i in range(0, len(txs), 250):
        responses = c.w3.provider.make_batch_request([("eth_sendTransaction", [t]) for t in txs[i:i + 250]])
        errors = [r["error"] for r in responses if "error" in r]
        if errors:
            raise RuntimeError(f"seeding failed: {errors[0]}")
    c.w3.provider.make_request("evm_mine", [])


def seed_bulk(c: Commons, acc: list[str], datasets: int, payments: int, contributors_per: int = 3,
              people: int = 30, chunk: int = 100, progress: Any = print) -> list[int]:
    """`datasets` published datasets (every `contributors_per` of `people` registered accounts),
    some deriving from earlier ones, and `payments` ETH payments spread over them. Transactions are
    batched `chunk` to a block (automine off) so seeding tens of thousands takes a minute or two."""
    from eth_utils.crypto import keccak

    w3 = c.w3
    _NONCES.clear()
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        crowd = acc[1:1 + people]
        _send_batch(c, [{"from": who, "to": c.registry.address, "gas": hex(200_000),
                         "data": c.registry.encode_abi("register", [os.urandom(32), 0x55, COMMONS])} for who in crowd])
        ids: list[int] = []
        for start in range(0, datasets, chunk):
            batch = []
            for i in range(start, min(datasets, start + chunk)):
                who = [crowd[(i + k) % people] for k in range(contributors_per)]
                split = [10_000 // contributors_per] * contributors_per
                split[0] += 10_000 - sum(split)
                parents = [ids[i // 2]] if i % 10 == 9 and ids else []
                p = params(list(zip(who, split)), parents=parents, ancestor_bps=1000 if parents else 0,
                           license_id=["CC-BY-4.0", "CC0-1.0", "MIT"][i % 3])
                salt = os.urandom(32)
                call = bytes.fromhex(c.nft.encode_abi("publish", [p, salt])[2:])
                commitment = keccak(bytes.fromhex(who[0][2:]) + call)
                batch.append((who[0], p, salt, commitment))
            _send_batch(c, [{"from": w, "to": c.nft.address, "gas": hex(80_000),
                             "data": c.nft.encode_abi("commit", [commitment])} for w, _, _, commitment in batch])
            for _ in range(2):
                w3.provider.make_request("evm_mine", [])
            _send_batch(c, [{"from": w, "to": c.nft.address, "gas": hex(900_000),
                             "data": c.nft.encode_abi("publish", [p, salt])} for w, p, salt, _ in batch])
            ids.extend(int.from_bytes(p[0], "big") for _, p, _, _ in batch)
            if progress and (start // chunk) % 20 == 0:
                progress(f"seeded {len(ids)} datasets")
        payers = acc[1 + people:]
        rng = __import__("random").Random(15)
        for start in range(0, payments, chunk * 3):
            txs = []
            for i in range(start, min(payments, start + chunk * 3)):
                amount = rng.randint(1, 10**15)
                txs.append({"from": payers[i % len(payers)], "to": c.vault.address, "gas": hex(150_000),
                            "value": hex(amount), "data": c.vault.encode_abi("pay", [rng.choice(ids), NATIVE, amount])})
            _send_batch(c, txs)
        return ids
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
