"""Seeds a deployed suite with many datasets and payments, fast (batched transactions from the
node's unlocked accounts): `python benchmarks/seed_chain.py --rpc URL --deployment FILE
--datasets 1000 --payments 2000`. Prints the dataset ids as JSON. Used by benchmarks/dapp_pages.mjs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))

from web3 import Web3  # noqa: E402

from chain_seed import seed_bulk  # noqa: E402
from opencommons.chain.deploy import Deployment  # noqa: E402
from opencommons.chain.provider import web3_for  # noqa: E402
from opencommons.suite import Commons  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--deployment", required=True)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--people", type=int, default=6)
    args = parser.parse_args()
    w3 = web3_for(args.rpc)
    commons = Commons(w3, Deployment.from_file(Path(args.deployment)))
    accounts = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
    ids = seed_bulk(commons, accounts, args.datasets, args.payments, people=args.people,
                    progress=lambda line: print(line, file=sys.stderr))
    print(json.dumps({"ids": [str(i) for i in ids], "people": accounts[1:1 + args.people]}))


if __name__ == "__main__":
    main()
