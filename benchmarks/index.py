"""Index benchmark: full sync rate of a chain holding 10,000 published datasets (3 contributors
each) and 20,000 payments into SQLite and PostgreSQL, the explorer's five queries' p50/p99 latency
on each, and how far a follower lags the head while payments arrive.

Goals (issue 15): full sync <= 60 s on SQLite; every explorer query p99 <= 50 ms; a follower lags
the head by <= 2 blocks. `--json` prints one JSON object (sync_seconds_sqlite,
sync_seconds_postgresql, <query>_p99_ms_<database>...)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))

from web3 import Web3  # noqa: E402

from chain_seed import NATIVE, seed_bulk  # noqa: E402
from opencommons.chain.deploy import deploy_suite  # noqa: E402
from opencommons.chain.localnode import LocalChain  # noqa: E402
from opencommons.chain.provider import web3_for  # noqa: E402
from opencommons.chain.transactions import NodeAccount, transact  # noqa: E402
from opencommons.index.api import settle_heap  # noqa: E402
from opencommons.index.database import open_engine, resolve_url  # noqa: E402
from opencommons.index.explorer import Explorer  # noqa: E402
from opencommons.index.sync import Indexer  # noqa: E402
from opencommons.suite import Commons  # noqa: E402


def proposals(c: Commons, acc: list[str], count: int) -> None:
    transact(c.w3, NodeAccount(acc[0]), c.token.functions.delegate(acc[0]))
    c.w3.provider.make_request("evm_mine", [])
    for i in range(count):
        calldata = c.nft.encode_abi("setDefaultRoyalty", [100 + i])
        transact(c.w3, NodeAccount(acc[0]), c.governor.functions.propose([c.nft.address], [0], [calldata],
                                                                           f"Royalty to {100 + i} bps"))


def measure(explorer: Explorer, ids: list[int], people: list[str], head: int, rounds: int) -> dict[str, list[float]]:
    rng = random.Random(3)
    derived = [d for d in ids[9::10]]
    queries = {
        "search": lambda: explorer.search(license_id=rng.choice(["CC-BY-4.0", "CC0-1.0", "MIT"]),
                                          offset=rng.randrange(0, 500)),
        "dataset_page": lambda: explorer.dataset_page(rng.choice(ids)),
        "contributor_page": lambda: explorer.contributor_page(rng.choice(people)),
        "lineage": lambda: explorer.lineage_graph(rng.choice(derived)),
        "proposals": lambda: explorer.proposals(head),
    }
    times: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(rounds):
        for name, query in queries.items():
            start = time.perf_counter()
            query()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def follower_lag(c: Commons, acc: list[str], engine_url: str, ids: list[int], payments: int) -> list[int]:
    engine = open_engine(engine_url)
    indexer = Indexer(engine, c.w3, c.deployment)
    indexer.sync()
    stop = threading.Event()
    thread = threading.Thread(target=indexer.follow, kwargs={"poll": 0.2, "stop": stop.is_set}, daemon=True)
    thread.start()
    lags = []
    rng = random.Random(5)
    for i in range(payments):
        amount = rng.randint(1, 10**12)
        transact(c.w3, NodeAccount(acc[-1 - i % 5]), c.vault.functions.pay(rng.choice(ids), NATIVE, amount),
                 value=amount)
        time.sleep(0.1)
        lags.append(c.w3.eth.block_number - (indexer.next_block() - 1))
    stop.set()
    thread.join(timeout=10)
    return lags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--payments", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    result: dict[str, object] = {"datasets": args.datasets, "payments": args.payments}
    with LocalChain("anvil", accounts=45, balance_eth=10**9, prune_history=True) as node, \
            tempfile.TemporaryDirectory() as tmp:
        w3 = web3_for(node.url)
        acc = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
        c = Commons(w3, deploy_suite(w3, NodeAccount(acc[0])))
        started = time.perf_counter()
        ids = seed_bulk(c, acc, args.datasets, args.payments, progress=say)
        proposals(c, acc, 20)
        say(f"seeded {args.datasets} datasets and {args.payments} payments in {time.perf_counter() - started:.0f} s "
            f"({w3.eth.block_number} blocks)")
        databases = {"sqlite": f"sqlite:///{Path(tmp) / 'index.sqlite'}"}
        server = None
        if not args.no_postgresql:
            from postgres_server import PostgresServer

            server = PostgresServer().start()
            databases["postgresql"] = resolve_url(server.url)
        try:
            for name, url in databases.items():
                engine = open_engine(url)
                indexer = Indexer(engine, w3, c.deployment)
                start = time.perf_counter()
                events = indexer.sync()
                seconds = time.perf_counter() - start
                result[f"sync_seconds_{name}"] = round(seconds, 2)
                result[f"sync_events_per_s_{name}"] = round(events / seconds)
                say(f"{name}: synced {events} events in {seconds:.1f} s ({events / seconds:,.0f} events/s)")
                explorer = Explorer(engine, indexer.commons_id)
                settle_heap()  # as `commons dapp` does before it serves
                times = measure(explorer, ids, acc[1:31], w3.eth.block_number, args.rounds)
                for query, values in times.items():
                    result[f"{query}_p50_ms_{name}"] = round(statistics.median(values), 2)
                    result[f"{query}_p99_ms_{name}"] = round(percentile(values, 0.99), 2)
                    say(f"  {query:17s} p50 {statistics.median(values):6.2f} ms  p99 {percentile(values, 0.99):6.2f} ms")
            lags = follower_lag(c, acc, f"sqlite:///{Path(tmp) / 'follow.sqlite'}", ids, 100)
            result["follower_lag_max_blocks"] = max(lags)
            result["follower_lag_p99_blocks"] = percentile([float(x) for x in lags], 0.99)
            say(f"follower (poll 0.2 s, a payment every ~0.1 s): lag max {max(lags)} blocks")
        finally:
            if server:
                server.stop()
    if args.json:
        print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
