"""Load: 10,000 royalty payments and 1,000 claims across 100 datasets on a local chain, then
every pool, every claimable balance and the vault's ETH checked against a ghost ledger to the
wei. Prints the throughput. Transactions are sent back to back (the node mines each at once);
the ledger check at the end catches any that failed."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from web3 import Web3  # noqa: E402

from opencommons.chain.deploy import deploy_suite  # noqa: E402
from opencommons.chain.localnode import LocalChain  # noqa: E402
from opencommons.chain.provider import web3_for  # noqa: E402
from opencommons.chain.reveal import commit_and_reveal  # noqa: E402
from opencommons.chain.transactions import NodeAccount, transact, wait  # noqa: E402
from opencommons.publish import on_chain_contributors  # noqa: E402
from opencommons.suite import Commons  # noqa: E402

NATIVE = "0x0000000000000000000000000000000000000000"
BPS = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--claims", type=int, default=1_000)
    parser.add_argument("--chain", choices=["anvil", "ganache"], default="anvil")
    args = parser.parse_args()
    rng = random.Random(2026)
    with LocalChain(args.chain, accounts=12, balance_eth=10**9) as node:
        w3 = web3_for(node.url)
        acc = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
        c = Commons(w3, deploy_suite(w3, NodeAccount(acc[0])))
        people = acc[1:5]
        for p in people:
            transact(w3, NodeAccount(p), c.registry.functions.register(os.urandom(32), 0x55, Web3.keccak(text="KE/x")))
        shares: dict[int, dict[str, int]] = {}
        for i in range(args.datasets):
            n = 1 + i % len(people)
            split = [BPS // n] * n
            split[0] += BPS - sum(split)
            content = os.urandom(32)
            params = (content, 0x70, os.urandom(32), 0x55, "CC0-1.0", Web3.keccak(text="KE/x"), 0, [],
                      on_chain_contributors(list(zip(people[:n], split))))
            commit_and_reveal(w3, c.nft, NodeAccount(people[0]), params)
            shares[int.from_bytes(content, "big")] = dict(zip(people[:n], split))
        ids = list(shares)
        earned: dict[int, int] = defaultdict(int)
        carry: dict[int, int] = defaultdict(int)
        checkpoint: dict[tuple[int, str], int] = defaultdict(int)
        paid_in = paid_out = 0
        payers = acc[5:9]
        last = None
        start = time.perf_counter()
        claims_left = args.claims
        claim_every = max(1, args.payments // max(1, args.claims))
        for i in range(args.payments):
            dataset = rng.choice(ids)
            amount = rng.randint(1, 10**15)
            data = c.vault.encode_abi("pay", [dataset, NATIVE, amount])
            last = w3.eth.send_transaction({"from": payers[i % len(payers)], "to": c.vault.address, "data": data,
                                            "value": amount, "gas": 120_000})
            paid_in += amount
            total = amount + carry[dataset]
            earned[dataset] += total // BPS
            carry[dataset] = total % BPS
            if claims_left and i % claim_every == claim_every - 1:
                for _ in range(50):  # pick a (dataset, contributor) that is owed something
                    d = rng.choice(ids)
                    who = rng.choice(list(shares[d]))
                    owed = shares[d][who] * (earned[d] - checkpoint[(d, who)])
                    if owed:
                        break
                if owed:
                    data = c.vault.encode_abi("claim", [[d], [NATIVE]])
                    last = w3.eth.send_transaction({"from": who, "to": c.vault.address, "data": data, "gas": 150_000})
                    checkpoint[(d, who)] = earned[d]
                    paid_out += owed
                    claims_left -= 1
        if last is not None:
            wait(w3, last)
        seconds = time.perf_counter() - start
        mismatches = 0
        for d, split in shares.items():
            pool = c.vault.functions.poolOf(d, NATIVE).call()
            if (pool[0], pool[2]) != (earned[d], carry[d]) or pool[1] != sum(
                    share * (earned[d] - checkpoint[(d, who)]) for who, share in split.items()):
                mismatches += 1
            for who, share in split.items():
                if c.vault.functions.claimable(d, NATIVE, who).call() != share * (earned[d] - checkpoint[(d, who)]):
                    mismatches += 1
        vault_balance = w3.eth.get_balance(c.vault.address)
        claims = args.claims - claims_left
        out = {"chain": args.chain, "datasets": args.datasets, "payments": args.payments, "claims": claims,
               "seconds": round(seconds, 1), "tx_per_s": round((args.payments + claims) / seconds, 1),
               "ledger_mismatches": mismatches, "vault_balance_matches": vault_balance == paid_in - paid_out,
               "paid_in_wei": str(paid_in), "claimed_wei": str(paid_out)}
        print(json.dumps(out, sort_keys=True))
        if mismatches or vault_balance != paid_in - paid_out:
            sys.exit("ledger mismatch: see above")


if __name__ == "__main__":
    main()
