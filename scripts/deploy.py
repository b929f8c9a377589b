"""brownie run scripts/deploy.py --network <id>: deploys and wires the whole suite.
brownie run scripts/deploy.py factory --network <id>: deploys the CommonsFactory (templates, NFT
deployer, factory), each creation exactly once through the same journal as `commons deploy --factory`.

The work is the library's (opencommons.chain.deploy); this entry point only picks brownie's
active network and account and prints. Re-running against a chain that has the deployment
reports it and changes nothing; set OPENCOMMONS_FRESH=1 to deploy again.
"""
import os
from pathlib import Path

from brownie import accounts, network, web3

from opencommons.chain.deploy import Deployment, deploy_suite, find_existing
from opencommons.chain.factory import deploy_factory
from opencommons.chain.transactions import NodeAccount

DEPLOYMENTS = Path(__file__).resolve().parents[1] / "deployments"


def main() -> Deployment:
    existing = find_existing(web3, DEPLOYMENTS)
    if existing and os.environ.get("OPENCOMMONS_FRESH") != "1":
        print(f"Already deployed on chain {existing.chain_id} at block {existing.block}: nothing changed")
        return existing
    deployment = deploy_suite(web3, NodeAccount(accounts[0].address), DEPLOYMENTS)
    print(f"Deployed on {network.show_active()} (chain {deployment.chain_id}):")
    for name, address in deployment.addresses.items():
        print(f"  {name:<22} {address}")
    return deployment


def factory() -> dict:
    record = deploy_factory(web3, NodeAccount(accounts[0].address), DEPLOYMENTS,
                            report=lambda step, what: print(f"  {step:<32} {what}"))
    print(f"CommonsFactory on {network.show_active()} (chain {web3.eth.chain_id}): {record['address']}")
    return record
