"""Publishes N small datasets end to end on a local chain and prints datasets per second and where
the time goes (scan, pinning, sending and signing, waiting for receipts, read-back verification).

Each dataset (one small CSV, three contributors) goes through the library's real publish path
(journal included), one after the other, or (`--batch`) all of them through `publish_many`, the
path of `commons dataset publish` given many folders: every commit sent before any is waited for,
then every reveal. `wall_seconds` includes the
chain's start and the suite's deployment; `seconds` is the publishing alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from web3 import Web3  # noqa: E402

from opencommons import publish as pub  # noqa: E402
from opencommons.chain.deploy import deploy_suite  # noqa: E402
from opencommons.chain.localnode import LocalChain  # noqa: E402
from opencommons.chain.provider import web3_for  # noqa: E402
from opencommons.chain.transactions import NodeAccount, transact  # noqa: E402
from opencommons.ipfs.content import EmbeddedContent  # noqa: E402
from opencommons.ipfs.store import EmbeddedStore  # noqa: E402
from opencommons.suite import Commons  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)


def timed(name: str, fn):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - start
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--chain", choices=["anvil", "ganache"], default="anvil")
    parser.add_argument("--workers", type=int, default=1,
                        help="publishes in flight at once (several from one node-held account race on Anvil)")
    parser.add_argument("--batch", action="store_true", help="publish them all as one batch (publish_many)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    # measure the phases of the real code path by wrapping the functions publish() calls
    pub.scan = timed("scan", pub.scan)  # type: ignore[assignment]
    pub.check_chain = timed("chain_checks", pub.check_chain)  # type: ignore[assignment]
    pub.send = timed("sign_and_send", pub.send)  # type: ignore[assignment]
    pub.wait = timed("wait_receipt", pub.wait)  # type: ignore[assignment]
    pub.receipts = timed("wait_receipt", pub.receipts)  # type: ignore[assignment]
    pub.verify_records = timed("verify_readback", pub.verify_records)  # type: ignore[assignment]
    with LocalChain(args.chain) as node, tempfile.TemporaryDirectory() as tmp:
        w3 = web3_for(node.url)
        accounts = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
        commons = Commons(w3, deploy_suite(w3, NodeAccount(accounts[0])))
        for a in accounts[1:4]:
            transact(w3, NodeAccount(a), commons.registry.functions.register(os.urandom(32), 0x55, pub.commons_id("KE/x")))
        store = EmbeddedContent(EmbeddedStore(Path(tmp) / "ipfs"))
        store_add = store.add_path
        store.add_path = timed("pin", store_add)  # type: ignore[method-assign]
        store.add_bytes = timed("pin", store.add_bytes)  # type: ignore[method-assign]
        root = Path(tmp) / "data"
        for i in range(args.count):
            d = root / str(i)
            d.mkdir(parents=True)
            (d / "rows.csv").write_text(f"id,value\n{i},{i * i}\n")

        def request(i: int) -> pub.PublishRequest:
            return pub.PublishRequest(root / str(i), "CC-BY-4.0", "KE/x", [(accounts[1], 5000), (accounts[2], 3000), (accounts[3], 2000)],
                                      f"dataset {i}")

        def one(i: int) -> int:
            return pub.publish(commons, NodeAccount(accounts[1]), store, request(i),
                               journal_dir=Path(tmp) / "journal").dataset_id

        start = time.perf_counter()
        if args.batch:
            published = {p.dataset_id for p in pub.publish_many(
                commons, NodeAccount(accounts[1]), store, [request(i) for i in range(args.count)],
                journal_dir=Path(tmp) / "journal")}
        else:
            with ThreadPoolExecutor(args.workers) as pool:
                published = set(pool.map(one, range(args.count)))
        total = time.perf_counter() - start
        on_chain = commons.nft.functions.balanceOf(accounts[1]).call()
    out = {"datasets": args.count, "chain": args.chain, "workers": args.workers, "batch": args.batch,
           "seconds": round(total, 1), "wall_seconds": round(time.perf_counter() - began, 1),
           "datasets_per_s": round(args.count / total, 1), "distinct_ids": len(published), "nfts_on_chain": on_chain,
           "thread_seconds_share": {k: round(v / (total * args.workers), 3) for k, v in sorted(SPENT.items())}}
    print(json.dumps(out, sort_keys=True) if args.json else json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
