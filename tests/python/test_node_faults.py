"""Node faults: the IPFS node or the chain goes away in the middle of publish, licence purchase
and claim; a retry completes and nothing is lost or done twice."""
import json
import tempfile
from pathlib import Path

import pytest

from jsipfs_node import JsIpfsNode
from opencommons.connection import load_deployment
from opencommons.journal import FAULT_EXIT
from tcp_proxy import TcpProxy


@pytest.fixture(scope="module")
def faulty(chain_env):
    run, accounts = chain_env["run"], chain_env["accounts"]
    for index in ("1", "2"):
        run("contributor", "register", "--name", f"c{index}", "--community", "KE/f", "--account", index)
    proxy = TcpProxy(int(chain_env["url"].rsplit(":", 1)[1])).up()
    commons = load_deployment(chain_env["w3"], chain_env["root"] / "deployments")
    yield {**chain_env, "proxy": proxy, "commons": commons, "a": accounts[1], "b": accounts[2]}
    proxy.down()


def publish_args(directory, env, *extra):
    return ["dataset", "publish", str(directory), "--license", "CC0-1.0", "--commons", "KE/f",
            "--contributor", f"{env['a']}=5000", "--contributor", f"{env['b']}=5000", "--account", "1", "--json",
            *extra]


def test_publish_survives_ipfs_node_stopping(faulty, tmp_path):
    run, nft = faulty["run"], faulty["commons"].nft
    node = JsIpfsNode(Path(tempfile.mkdtemp()) / "repo").start()
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.csv").write_text("ipfs fault\n")
    store = ["--store", "kubo", "--api", node.api]
    before = nft.functions.balanceOf(faulty["a"]).call()
    assert run(*publish_args(d, faulty, *store), extra_env={"OPENCOMMONS_FAULT_AT": "after-scan"}).returncode == FAULT_EXIT
    node.stop()
    down = run(*publish_args(d, faulty, *store))
    assert down.returncode == 1 and down.stderr.strip() == f"error: IPFS node unreachable at {node.api}"
    assert nft.functions.balanceOf(faulty["a"]).call() == before
    node.start()
    try:
        # a node announces what it holds: the content reaches it only once the id is taken on-chain
        pins_before = run("ipfs", "pin", "ls", *store).stdout
        crashed = run(*publish_args(d, faulty, *store), extra_env={"OPENCOMMONS_FAULT_AT": "after-commit"})
        assert crashed.returncode == FAULT_EXIT
        assert run("ipfs", "pin", "ls", *store).stdout == pins_before
        proc = run(*publish_args(d, faulty, *store))
        assert proc.returncode == 0, proc.stderr
        done = json.loads(proc.stdout)
        assert nft.functions.balanceOf(faulty["a"]).call() == before + 1
        assert done["content"] in run("ipfs", "pin", "ls", *store).stdout
        assert run("dataset", "verify", done["dataset"], *store).returncode == 0
    finally:
        node.stop()


def test_publish_survives_chain_going_away_after_send(faulty, tmp_path):
    run, nft, proxy = faulty["run"], faulty["commons"].nft, faulty["proxy"]
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.csv").write_text("chain fault\n")
    via_proxy = ["--rpc", proxy.url]
    before = nft.functions.balanceOf(faulty["a"]).call()
    crashed = run(*publish_args(d, faulty, *via_proxy), extra_env={"OPENCOMMONS_FAULT_AT": "after-send"})
    assert crashed.returncode == FAULT_EXIT
    proxy.down()
    down = run(*publish_args(d, faulty, *via_proxy))
    assert down.returncode == 1 and down.stderr.startswith(f"error: chain unreachable at {proxy.url}")
    proxy.up()
    done = json.loads(run(*publish_args(d, faulty, *via_proxy)).stdout)
    assert done["resumed"] is True
    assert nft.functions.balanceOf(faulty["a"]).call() == before + 1


def test_license_purchase_and_claim_retry_after_chain_outage(faulty, tmp_path):
    run, commons, proxy, w3 = faulty["run"], faulty["commons"], faulty["proxy"], faulty["w3"]
    d = tmp_path / "d"
    d.mkdir()
    (d / "x.csv").write_text("licence fault\n")
    dataset = json.loads(run(*publish_args(d, faulty)).stdout)["dataset"]
    commons.nft.functions.curate(int(dataset), 2).transact({"from": faulty["accounts"][0]})
    assert run("license", "offer", dataset, "--price", "0.5", "--account", "1").returncode == 0
    via_proxy = ["--rpc", proxy.url]
    count = commons.licenses.functions.licenseCount().call()
    proxy.down()
    down = run("license", "buy", dataset, "--account", "6", *via_proxy)
    assert down.returncode == 1 and down.stderr.startswith("error: chain unreachable")
    assert commons.licenses.functions.licenseCount().call() == count
    proxy.up()
    assert run("license", "buy", dataset, "--account", "6", *via_proxy).returncode == 0
    assert commons.licenses.functions.licenseCount().call() == count + 1
    owed = commons.vault.functions.claimable(int(dataset), "0x" + "00" * 20, faulty["a"]).call()
    assert owed == 25 * 10**16
    proxy.down()
    assert run("royalties", "claim", "--dataset", dataset, "--account", "1", *via_proxy).returncode == 1
    proxy.up()
    before = w3.eth.get_balance(faulty["a"])
    assert run("royalties", "claim", "--dataset", dataset, "--account", "1", *via_proxy).returncode == 0
    again = run("royalties", "claim", "--dataset", dataset, "--account", "1", *via_proxy)
    assert again.returncode == 1 and "has nothing to claim" in again.stderr
    assert 0 < w3.eth.get_balance(faulty["a"]) - before <= owed  # paid once (less the gas)
    assert commons.vault.functions.claimable(int(dataset), "0x" + "00" * 20, faulty["a"]).call() == 0
