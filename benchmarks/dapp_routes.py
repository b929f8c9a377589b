"""How long each API route the dApp's pages call takes, served by a `DappServer` that follows a
chain of N published datasets (3 contributors each, 2N payments, 20 proposals) into its index:
the server's side of `benchmarks/dapp_pages.mjs`, without the browser. Median of 7 calls per
route, in milliseconds. `python benchmarks/dapp_routes.py [--datasets 10000] [--json]`."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))
sys.path.insert(0, os.path.dirname(__file__))

from web3 import Web3  # noqa: E402

from chain_seed import seed_bulk  # noqa: E402
from index import proposals  # noqa: E402
from opencommons.chain.deploy import deploy_suite  # noqa: E402
from opencommons.chain.localnode import LocalChain  # noqa: E402
from opencommons.chain.provider import web3_for  # noqa: E402
from opencommons.chain.transactions import NodeAccount  # noqa: E402
from opencommons.dapp_server import DappServer  # noqa: E402
from opencommons.index.api import ExplorerApi, settle_heap  # noqa: E402
from opencommons.index.database import open_engine  # noqa: E402
from opencommons.ipfs.content import open_store  # noqa: E402
from opencommons.suite import Commons  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    result: dict[str, object] = {"datasets": args.datasets}
    with LocalChain("anvil", accounts=45, balance_eth=10**9) as node, tempfile.TemporaryDirectory() as tmp:
        w3 = web3_for(node.url)
        acc = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
        c = Commons(w3, deploy_suite(w3, NodeAccount(acc[0])))
        ids = seed_bulk(c, acc, args.datasets, 2 * args.datasets, progress=lambda *a: None)
        proposals(c, acc, 20)
        store = open_store("embedded", Path(tmp) / "ipfs", None)
        api = ExplorerApi(open_engine(f"sqlite:///{tmp}/explorer.sqlite"), w3, c.deployment, store, poll=0.2).start()
        server = DappServer(c, node.url, store, NodeAccount(acc[9]), 0, explorer=api)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.port}"
        head = w3.eth.block_number
        while json.loads(urllib.request.urlopen(base + "/api/explorer/status").read())["synced"] < head:
            time.sleep(0.5)
        settle_heap()  # as `commons dapp` does before it serves
        dataset = ids[9]
        routes = {"config": "/api/config", "status": "/api/explorer/status",
                  "wallet_datasets": "/api/datasets?offset=0&limit=20", "wallet_proposals": "/api/proposals",
                  "explorer_proposals": "/api/explorer/proposals", "commons": "/api/explorer/commons",
                  "search": "/api/explorer/datasets?license=MIT", "dataset": f"/api/explorer/datasets/{dataset}",
                  "lineage": f"/api/explorer/datasets/{dataset}/lineage", "licence": f"/api/licence/{dataset}",
                  "trained": f"/api/trained/{dataset}", "training": f"/api/training/{dataset}",
                  "contributor": f"/api/explorer/contributors/{acc[1]}"}
        try:
            for name, path in routes.items():
                times = []
                for _ in range(7):
                    start = time.perf_counter()
                    urllib.request.urlopen(base + path).read()
                    times.append((time.perf_counter() - start) * 1000)
                result[f"{name}_ms"] = round(statistics.median(times), 1)
                say(f"{name:20s} {statistics.median(times):7.1f} ms  {path}")
        finally:
            server.shutdown()
    if args.json:
        print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
