"""The deploy path on Ganache 7.9.2 (the users' named chain): the wired suite and a publish."""
import os

from brownie import CommonsTimelock, ContributorRegistry, DatasetNFT, RoyaltyVault, accounts, chain, web3

from opencommons.chain.deploy import deploy_suite
from opencommons.chain.transactions import NodeAccount


def test_deploy_suite_wires_roles_to_timelock_on_ganache(tmp_path):
    deployment = deploy_suite(web3, NodeAccount(accounts[0].address), tmp_path)
    assert (tmp_path / f"{deployment.chain_id}.json").is_file()
    a = deployment.addresses
    nft, vault = DatasetNFT.at(a["DatasetNFT"]), RoyaltyVault.at(a["RoyaltyVault"])
    timelock = a["CommonsTimelock"]
    assert nft.hasRole(nft.CURATOR_ROLE(), timelock) and not nft.hasRole(nft.DEFAULT_ADMIN_ROLE(), accounts[0])
    assert vault.hasRole(vault.FEE_ROLE(), timelock) and not vault.hasRole(vault.FEE_ROLE(), accounts[0])
    tl = CommonsTimelock.at(timelock)
    assert not tl.hasRole(tl.DEFAULT_ADMIN_ROLE(), accounts[0])
    registry = ContributorRegistry.at(a["ContributorRegistry"])
    registry.register(os.urandom(32), 0x55, web3.keccak(text="KE/education"), {"from": accounts[1]})
    content = os.urandom(32)
    params = (content, 0x70, os.urandom(32), 0x55, "CC0-1.0", web3.keccak(text="KE/education"), 0, [],
              [(accounts[1].address, 10000)])
    salt = os.urandom(32)
    nft.commit(nft.commitmentOf(0, params, accounts[1], salt), {"from": accounts[1]})
    chain.mine(nft.minCommitAge())
    tx = nft.publish(params, salt, {"from": accounts[1]})
    assert tx.events["DatasetPublished"]["datasetId"] == int.from_bytes(content, "big")


def test_deploy_script_factory_launches_a_commons_on_ganache(tmp_path, monkeypatch):
    """`brownie run scripts/deploy.py factory`: the brownie way to the factory; a commons launched
    through it publishes on Ganache like a directly deployed suite."""
    import importlib.util
    from pathlib import Path

    from opencommons.chain.commons_config import default_spec
    from opencommons.chain.factory import create_commons

    path = Path(__file__).resolve().parents[2] / "scripts" / "deploy.py"
    spec = importlib.util.spec_from_file_location("deploy_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "DEPLOYMENTS", tmp_path)
    record = script.factory()
    assert web3.eth.get_code(record["address"])
    me = NodeAccount(accounts[0].address)
    commons = create_commons(web3, me, tmp_path, default_spec("KE/education", None, chain.id, me.address))
    a = commons["addresses"]
    nft, registry = DatasetNFT.at(a["DatasetNFT"]), ContributorRegistry.at(a["ContributorRegistry"])
    assert nft.hasRole(nft.DEFAULT_ADMIN_ROLE(), a["CommonsTimelock"])
    assert not nft.hasRole(nft.DEFAULT_ADMIN_ROLE(), record["address"])
    registry.register(os.urandom(32), 0x55, web3.keccak(text="KE/education"), {"from": accounts[2]})
    content = os.urandom(32)
    params = (content, 0x70, os.urandom(32), 0x55, "CC0-1.0", web3.keccak(text="KE/education"), 0, [],
              [(accounts[2].address, 10000)])
    salt = os.urandom(32)
    nft.commit(nft.commitmentOf(0, params, accounts[2], salt), {"from": accounts[2]})
    chain.mine(nft.minCommitAge())
    tx = nft.publish(params, salt, {"from": accounts[2]})
    assert tx.events["DatasetPublished"]["datasetId"] == int.from_bytes(content, "big")
