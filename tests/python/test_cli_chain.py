"""`commons` against a real Anvil: every role end to end, bad input, and resumable publishing."""
import json
import shutil
from pathlib import Path

import pytest

from conftest import pass_proposal
from opencommons.journal import FAULT_EXIT


def last(proc):
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def nft_of(chain_env):
    from opencommons.connection import load_deployment

    return load_deployment(chain_env["w3"], chain_env["root"] / "deployments").nft


def killed_then_run_again(run, args, fault):
    """Runs the command `args`, killed at `fault`, then again: what the second run printed (JSON)."""
    assert run(*args, extra_env={"OPENCOMMONS_FAULT_AT": fault}).returncode == FAULT_EXIT
    return json.loads(last_json(run(*args)))


def last_json(proc):
    """The JSON a command printed (its progress and notes go to standard error)."""
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def data_dir(tmp_path, text):
    d = tmp_path / "data"
    d.mkdir()
    (d / "table.csv").write_text(text)
    return d


@pytest.fixture(scope="module")
def registered(chain_env):
    run = chain_env["run"]
    for index, name in (("1", "Amina"), ("2", "Baraka")):
        proc = run("contributor", "register", "--name", name, "--community", "KE/education", "--account", index)
        assert proc.returncode == 0, proc.stderr
    return chain_env["accounts"][1], chain_env["accounts"][2]


def publish_args(directory, a, b, *extra):
    return ["dataset", "publish", str(directory), "--license", "CC-BY-4.0", "--commons", "KE/education",
            "--contributor", f"{a}=6000", "--contributor", f"{b}=4000", "--account", "1", "--json", *extra]


def test_deploy_again_changes_nothing(chain_env):
    proc = chain_env["run"]("deploy")
    assert proc.returncode == 0 and "nothing changed" in proc.stdout


def test_contributor_show_json(chain_env, registered):
    proc = chain_env["run"]("contributor", "show", registered[0], "--json")
    data = json.loads(proc.stdout)
    assert data["registered"] is True and data["profile"].startswith("bafkrei")


def test_publish_show_list_verify_license_royalties(chain_env, registered, tmp_path):
    run, (a, b) = chain_env["run"], registered
    d = data_dir(tmp_path, "x,y\n1,2\n")
    out = json.loads(run(*publish_args(d, a, b)).stdout)
    dataset = out["dataset"]
    shown = json.loads(run("dataset", "show", out["content"], "--json").stdout)
    assert shown["id"] == dataset and shown["manifest"] == out["manifest"] and shown["status"] == "Proposed"
    # read back from the chain, which keeps contributors in ascending order of account
    assert [(c["account"].lower(), c["shareBps"]) for c in shown["contributors"]] == sorted(
        [(a.lower(), 6000), (b.lower(), 4000)], key=lambda c: int(c[0], 16))
    listed = json.loads(run("dataset", "list", "--contributor", b, "--json").stdout)
    assert dataset in [row["id"] for row in listed]
    assert json.loads(run("dataset", "list", "--license", "MIT", "--json").stdout) == []
    assert last(run("dataset", "verify", dataset, "--path", str(d))).startswith("ok:")
    assert last(run("dataset", "verify", dataset)).startswith("ok:")
    (d / "table.csv").write_text("tampered\n")
    bad = run("dataset", "verify", dataset, "--path", str(d))
    assert bad.returncode == 1 and "hashes to" in bad.stderr
    # curate (bootstrap curator), offer and buy a licence, pay, claim
    assert run("dataset", "attest", dataset, "--kind", "integrity", "--score", "9000", "--account", "0").returncode == 1
    from opencommons.connection import load_deployment
    commons = load_deployment(chain_env["w3"], chain_env["root"] / "deployments")
    commons.nft.functions.curate(int(dataset), 2).transact({"from": chain_env["accounts"][0]})
    assert run("license", "offer", dataset, "--price", "0.01", "--days", "30", "--account", "1").returncode == 0
    cheap = run("license", "buy", dataset, "--max-price", "0.001", "--account", "5")
    assert cheap.returncode == 1 and len(cheap.stderr.strip().splitlines()) == 1
    assert "LicenseManagerTermsChanged" in cheap.stderr and "not the ones you agreed to" in cheap.stderr
    assert "30 days" in cheap.stderr and "nothing was paid" in cheap.stderr
    bought = run("license", "buy", dataset, "--account", "5")
    assert bought.returncode == 0 and bought.stdout.startswith("price: 0.01 ETH, 30 days\nno terms document: the "
                                                               "dataset's licence CC-BY-4.0 describes what you may do")
    shown = json.loads(run("license", "show", dataset, "--account", "5", "--json").stdout)
    assert shown["valid"] is True and shown["priceText"] == "0.01 ETH" and shown["duration"] == "30 days"
    assert shown["expires"].startswith("valid until 20") and shown["expires"].endswith(" UTC")
    other = json.loads(run("license", "show", dataset, "--account", "7", "--json").stdout)
    assert other["valid"] is False and other["expires"] == "no licence held"
    holder = chain_env["accounts"][5]
    words = run("license", "show", dataset, "--of", holder).stdout.splitlines()  # --of: whose, as everywhere
    assert words[1] == "licence   0.01 ETH, 30 days"
    assert words[2] == "terms     no terms document: the dataset's licence alone says what may be done"
    assert words[3].startswith(f"licensee  {holder}: valid until 20") and "0x" + "0" * 64 not in "".join(words)
    assert run("royalties", "pay", dataset, "1", "--account", "6").returncode == 0
    balance = json.loads(run("royalties", "balance", "--dataset", dataset, "--of", a, "--json").stdout)
    assert balance[0]["claimable"] == str(int(1.01e18 * 0.6))
    claimed = run("royalties", "claim", "--dataset", dataset, "--account", "1")
    assert claimed.returncode == 0 and f"claimed 0.606 ETH ({int(1.01e18 * 0.6)} units) for {a}" in claimed.stdout
    again = run("royalties", "claim", "--dataset", dataset, "--account", "1")
    assert again.returncode == 1 and again.stderr.strip() == (
        f"error: {a} has nothing to claim from these datasets in these tokens: nothing sent")


def test_governance_through_cli(chain_env, registered, tmp_path):
    run, w3 = chain_env["run"], chain_env["w3"]
    d = data_dir(tmp_path, "gov\n")
    dataset = json.loads(run(*publish_args(d, *registered)).stdout)["dataset"]
    assert run("gov", "delegate", chain_env["accounts"][0], "--account", "0").returncode == 0
    proposal = last(run("gov", "propose", "--accept", dataset, "--reward", "100", "--account", "0")).split()[-1]
    w3.provider.make_request("anvil_mine", [hex(2)])
    assert run("gov", "vote", proposal, "for", "--account", "0").returncode == 0
    w3.provider.make_request("anvil_mine", [hex(25)])
    assert json.loads(run("gov", "status", proposal, "--json").stdout)["state"] == "Succeeded"
    assert run("gov", "queue", proposal).returncode == 0
    w3.provider.make_request("evm_increaseTime", [61])
    w3.provider.make_request("evm_mine", [])
    assert run("gov", "execute", proposal).returncode == 0
    assert json.loads(run("dataset", "show", dataset, "--json").stdout)["status"] == "Accepted"
    assert run("gov", "vote", proposal, "maybe").stderr.strip() == "error: invalid vote 'maybe': use for, against or abstain"


@pytest.mark.parametrize("fault", ["after-scan", "after-commit", "during-pin", "after-pin", "after-send",
                                   "after-receipt"])
def test_publish_resumes_exactly_once_after_crash(chain_env, registered, tmp_path, fault):
    run, nft = chain_env["run"], nft_of(chain_env)
    before = nft.functions.balanceOf(registered[0]).call()
    done = killed_then_run_again(run, publish_args(data_dir(tmp_path, f"crash at {fault}\n"), *registered), fault)
    assert nft.functions.balanceOf(registered[0]).call() == before + 1
    assert done["resumed"] is True
    pins = run("ipfs", "pin", "ls").stdout
    assert done["content"] in pins and done["manifest"] in pins
    assert last(run("dataset", "verify", done["dataset"])).startswith("ok:")


def batch_args(folders, a, b, *extra):
    """`dataset publish` of several folders at once."""
    args = publish_args(folders[0], a, b, *extra)
    return args[:3] + [str(f) for f in folders[1:]] + args[3:]


def folders(tmp_path, tag, count=3):
    made = []
    for i in range(count):
        made.append(tmp_path / f"{tag}-region-{i}")
        made[-1].mkdir()
        (made[-1] / "table.csv").write_text(f"region,count\n{tag}-{i},{i}\n")
    return made


def test_publish_of_several_folders_is_one_batch_each_dataset_exactly_once(chain_env, registered, tmp_path):
    """Three folders, one command: three datasets named after their folders, one commit and one
    reveal each; the same command again sends nothing and answers from the journals."""
    run, w3, nft = chain_env["run"], chain_env["w3"], nft_of(chain_env)
    made = folders(tmp_path, "batch")
    before, nonce = nft.functions.balanceOf(registered[0]).call(), w3.eth.get_transaction_count(registered[0])
    rows = json.loads(last_json(run(*batch_args(made, *registered))))
    assert [row["folder"] for row in rows] == [str(f) for f in made]
    assert nft.functions.balanceOf(registered[0]).call() == before + 3
    assert w3.eth.get_transaction_count(registered[0]) == nonce + 6  # a commit and a reveal each
    for folder, row in zip(made, rows):
        assert row["alreadyPublished"] is False and row["resumed"] is False
        shown = json.loads(run("dataset", "show", row["dataset"], "--json").stdout)
        assert shown["name"] == folder.name
    again = json.loads(last_json(run(*batch_args(made, *registered))))
    assert [r["dataset"] for r in again] == [r["dataset"] for r in rows] and all(r["alreadyPublished"] for r in again)
    assert w3.eth.get_transaction_count(registered[0]) == nonce + 6
    words = run(*[a for a in batch_args(made, *registered) if a != "--json"])
    assert words.returncode == 0
    assert words.stdout.strip().splitlines()[-1] == (
        f"{made[2]}: already published dataset {rows[2]['dataset']} (content {rows[2]['content']}, transaction "
        f"{rows[2]['tx']})")


@pytest.mark.parametrize("fault", ["after-commit", "after-send"])
def test_a_batch_killed_mid_way_resumes_each_dataset_exactly_once(chain_env, registered, tmp_path, fault):
    run, nft = chain_env["run"], nft_of(chain_env)
    before = nft.functions.balanceOf(registered[0]).call()
    rows = killed_then_run_again(run, batch_args(folders(tmp_path, f"killed-{fault}"), *registered), fault)
    assert nft.functions.balanceOf(registered[0]).call() == before + 3
    assert all(row["resumed"] for row in rows) and len({row["dataset"] for row in rows}) == 3
    for row in rows:
        assert last(run("dataset", "verify", row["dataset"])).startswith("ok:")


def test_a_batch_refuses_one_datasets_options_and_repeated_content(chain_env, registered, tmp_path):
    run, w3 = chain_env["run"], chain_env["w3"]
    made = folders(tmp_path, "refused", 2)
    named = run(*batch_args(made, *registered, "--name", "One name"))
    assert named.returncode == 1 and named.stderr.strip() == (
        "error: --name describes one dataset: publish 2 folders without it (each is named after its folder), "
        "or one at a time")
    twin = tmp_path / "twin"
    shutil.copytree(made[0], twin)
    nonce = w3.eth.get_transaction_count(registered[0])
    repeated = run(*batch_args([made[0], made[1], twin], *registered))
    assert repeated.returncode == 1
    assert repeated.stderr.strip().startswith(f"error: {made[0]} and {twin} hold the same content (")
    assert w3.eth.get_transaction_count(registered[0]) == nonce  # refused before anything was sent


def test_publish_twice_reports_existing_dataset_without_second_nft(chain_env, registered, tmp_path):
    run = chain_env["run"]
    d = data_dir(tmp_path, "twice\n")
    first = json.loads(run(*publish_args(d, *registered)).stdout)
    second = json.loads(run(*publish_args(d, *registered)).stdout)
    assert first["dataset"] == second["dataset"] and first["tx"] == second["tx"]
    assert first["alreadyPublished"] is False and second["alreadyPublished"] is True
    words = run(*[a for a in publish_args(d, *registered) if a != "--json"])
    assert words.returncode == 0 and words.stdout.strip() == (
        f"already published: dataset {first['dataset']} (content {first['content']}, transaction {first['tx']}); "
        "nothing was sent")


def test_sign_in_prints_no_grammar_warnings():
    """The `siwe` package's grammar library printed a page of GrammarWarnings at the first sign-in."""
    import subprocess
    import sys

    code = ("from opencommons.private.client import siwe_message; "
            "siwe_message('a.example:1', '0x' + '11' * 20, 'http://a.example:1', 1, 'abcdef123456')")
    proc = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and "GrammarWarning" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("mutate,message", [
    (lambda a: a.__setitem__(2, "/no/such/dir"), "error: no such directory: /no/such/dir"),
    (lambda a: a.__setitem__(4, "NOT-A-LICENSE"), "error: unknown SPDX licence identifier 'NOT-A-LICENSE'"),
    (lambda a: a.__setitem__(8, "0x1234=6000"), "error: malformed contributor address: 0x1234"),
    (lambda a: a.__setitem__(10, a[10].replace("4000", "3999")), "error: contributor shares sum to 9999 bps"),
    (lambda a: a.extend(["--parent", "12345"]), "error: parent dataset 12345 does not exist"),
])
def test_publish_bad_input_one_line_error(chain_env, registered, tmp_path, mutate, message):
    d = data_dir(tmp_path, "bad\n")
    args = publish_args(d, *registered)
    mutate(args)
    proc = chain_env["run"](*args)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith(message), proc.stderr


def test_publish_rejects_empty_directory_and_unregistered(chain_env, registered, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = chain_env["run"](*publish_args(empty, *registered))
    assert proc.returncode == 1 and proc.stderr.startswith(f"error: directory is empty: {empty}")
    d = data_dir(tmp_path, "u\n")
    stranger = chain_env["accounts"][7]
    args = publish_args(d, registered[0], stranger)
    proc = chain_env["run"](*args)
    assert proc.returncode == 1 and f"{stranger} is not a registered contributor: run `commons contributor register`" in proc.stderr


def test_chain_faults_give_one_line_errors(chain_env, tmp_path):
    run = chain_env["run"]
    proc = run("dataset", "list", "--rpc", "http://127.0.0.1:9")
    assert proc.returncode == 1 and proc.stderr.startswith("error: chain unreachable at http://127.0.0.1:9")
    proc = run("dataset", "list", "--deployments", str(tmp_path))
    assert proc.returncode == 1 and proc.stderr.startswith("error: no commons found for chain 31337")
    other = chain_env["root"] / "deployments" / "31337.json"
    wrong = tmp_path / "w"
    wrong.mkdir()
    data = json.loads(other.read_text())
    data["chain_id"] = 5
    (wrong / "31337.json").write_text(json.dumps(data))
    proc = run("dataset", "list", "--deployments", str(wrong))
    assert proc.returncode == 1 and "is for chain 5 but the node is chain 31337" in proc.stderr
    proc = run("royalties", "pay", "1", "1", "--account", "0x" + "ab" * 20)
    assert proc.returncode == 1 and "is not unlocked on this node" in proc.stderr


def test_keystore_account_and_wrong_password(chain_env, tmp_path):
    from eth_account import Account
    key = Account.create()
    path = tmp_path / "key.json"
    path.write_text(json.dumps(Account.encrypt(key.key, "right")))
    run = chain_env["run"]
    proc = run("contributor", "register", "--name", "K", "--community", "KE/x", "--account", str(path),
               extra_env={"OPENCOMMONS_KEYSTORE_PASSWORD": "wrong"})
    assert proc.returncode == 1 and proc.stderr.strip() == f"error: wrong password for keystore {path}"
    proc = run("contributor", "register", "--name", "K", "--community", "KE/x", "--account", str(path),
               "--gasless", "--relayer", "0", extra_env={"OPENCOMMONS_KEYSTORE_PASSWORD": "right"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(run("contributor", "show", key.address, "--json").stdout)["registered"] is True


def test_insufficient_funds_is_one_line(chain_env, tmp_path):
    from eth_account import Account
    key = Account.create()
    path = tmp_path / "poor.json"
    path.write_text(json.dumps(Account.encrypt(key.key, "pw")))
    proc = chain_env["run"]("contributor", "register", "--name", "P", "--community", "KE/x", "--account", str(path),
                            extra_env={"OPENCOMMONS_KEYSTORE_PASSWORD": "pw"})
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.strip() == (f"error: insufficient funds: {key.address} holds 0 ETH, not enough for its gas; "
                                   "nothing was sent (fund the account, or register and claim gaslessly through a "
                                   "relayer)")


def test_network_names_and_fresh_deploy_confirmation(chain_env):
    run = chain_env["run"]
    proc = run("dataset", "list", "--network", "nowhere")
    assert proc.returncode == 1 and proc.stderr.startswith("error: unknown network 'nowhere'")
    proc = run("dataset", "list", "--network", "mine", extra_env={"OPENCOMMONS_NETWORK_MINE": chain_env["url"]})
    assert proc.returncode == 0, proc.stderr
    proc = run("deploy", "--fresh")  # no stdin: the confirmation is refused
    assert proc.returncode != 0 and "Deploy a new suite on chain 31337" in proc.stdout


def test_deploy_allow_lists_every_bootstrap_token(tmp_path):
    from web3 import Web3

    from opencommons.chain.deploy import Bootstrap, contract, deploy_contract, deploy_suite
    from opencommons.chain.localnode import LocalChain
    from opencommons.chain.provider import web3_for
    from opencommons.chain.transactions import NodeAccount

    with LocalChain("anvil") as node:
        w3 = web3_for(node.url)
        me = NodeAccount(Web3.to_checksum_address(w3.eth.accounts[0]))
        tokens = [deploy_contract(w3, me, "MockERC20", f"T{i}", f"T{i}").address for i in range(3)]
        deployment = deploy_suite(w3, me, bootstrap=Bootstrap(allowed_tokens=tokens))
        vault = contract(w3, "RoyaltyVault", deployment.addresses["RoyaltyVault"])
        assert [vault.functions.isTokenAllowed(t).call() for t in tokens] == [True, True, True]
        assert not vault.functions.hasRole(vault.functions.ALLOWLIST_ROLE().call(), me.address).call()
        # the pages read the allow-list from the index that follows the commons: the chain's answer
        from opencommons.index.database import open_engine
        from opencommons.index.reads import IndexReader
        from opencommons.index.sync import Indexer
        from opencommons.queries import NATIVE, listed_tokens
        from opencommons.suite import Commons

        indexer = Indexer(open_engine(f"sqlite:///{tmp_path / 'index.sqlite'}"), w3, deployment)
        indexer.sync()
        listed = IndexReader(indexer.engine, indexer.commons_id).listed_tokens()
        assert listed == listed_tokens(Commons(w3, deployment)) == [NATIVE, *tokens]


def test_commands_refuse_stale_deployment_and_send_nothing(tmp_path):
    """A deployments file from a chain that was restarted (same chain id, no contracts now):
    every command says the deployment is stale, in one line, and sends nothing."""
    import os

    from web3 import HTTPProvider, Web3

    from conftest import run_here
    from opencommons.chain.localnode import LocalChain

    def commons(url, *args):
        env = {**os.environ, "OPENCOMMONS_RPC": url, "OPENCOMMONS_HOME": str(tmp_path / "home"),
               "OPENCOMMONS_IPFS_HOME": str(tmp_path / "ipfs")}
        return run_here(args, env, tmp_path)

    with LocalChain("anvil") as before:
        assert commons(before.url, "deploy").returncode == 0
    recorded = (tmp_path / "deployments" / "31337.json").read_text()
    with LocalChain("anvil") as restarted:
        w3 = Web3(HTTPProvider(restarted.url))
        me = w3.eth.accounts[0]
        balance, block = w3.eth.get_balance(me), w3.eth.block_number
        for args in (["royalties", "pay", "1", "0.5"], ["royalties", "claim", "--dataset", "1"],
                     ["contributor", "register", "--name", "Amina", "--community", "KE/education"],
                     ["gov", "delegate", me], ["dataset", "list"]):
            proc = commons(restarted.url, *args)
            lines = proc.stderr.strip().splitlines()
            assert proc.returncode == 1 and len(lines) == 1, (args, proc.stderr)
            assert "is stale: CommonsCharter at" in lines[0] and "has no code on chain 31337" in lines[0], lines[0]
            assert "nothing was sent. Run `commons deploy`" in lines[0]
        assert (w3.eth.get_balance(me), w3.eth.block_number) == (balance, block)
        # the demo on that chain deploys its own suite but leaves the recorded file as it was
        demo = commons(restarted.url, "demo", "--rpc", restarted.url)
        assert demo.returncode == 0, demo.stderr
        assert "exists: left as it was" in demo.stdout
        assert "0.100000 ETH crossed from BR/health to the contributors of KE dataset" in demo.stdout
        assert "prohibits:" not in demo.stdout and "permits: commercial use, derivatives" in demo.stdout
        assert f"[next] what to try next:\n  commons dapp --rpc {restarted.url}" in demo.stdout
        assert (tmp_path / "deployments" / "31337.json").read_text() == recorded
        # `commons deploy` there deploys afresh and says which file it replaced, and why
        deployed = commons(restarted.url, "deploy")
        assert deployed.returncode == 0, deployed.stderr
        assert deployed.stdout.strip().splitlines()[-1].startswith(
            f"wrote {Path('deployments') / '31337.json'}, replacing the stale one (CommonsCharter at ")


def test_deployment_with_other_code_is_stale(chain_env):
    """Addresses that hold code, but not the compiled suite's (e.g. another project's contracts)."""
    from opencommons.chain.deploy import Deployment, stale_reason, deployment_path

    w3 = chain_env["w3"]
    deployment = Deployment.from_file(deployment_path(chain_env["root"] / "deployments", w3.eth.chain_id))
    assert stale_reason(w3, deployment) is None
    swapped = dict(deployment.addresses, RoyaltyVault=deployment.addresses["LicenseManager"])
    reason = stale_reason(w3, Deployment(**{**deployment.__dict__, "addresses": swapped}))
    assert reason == f"RoyaltyVault at {deployment.addresses['LicenseManager']} holds other code than the compiled RoyaltyVault"


def test_dataset_curate_moves_status_and_refuses_non_curators(chain_env, registered, tmp_path):
    run, (a, b) = chain_env["run"], registered
    dataset = json.loads(run(*publish_args(data_dir(tmp_path, "k,v\n7,8\n"), a, b)).stdout)["dataset"]
    denied = run("dataset", "curate", dataset, "accept", "--account", "3")
    assert denied.returncode == 1 and len(denied.stderr.strip().splitlines()) == 1
    assert "does not hold the curator role" in denied.stderr
    assert run("dataset", "curate", dataset, "accept", "--account", "0").returncode == 0  # the bootstrap curator
    assert json.loads(run("dataset", "show", dataset, "--json").stdout)["status"] == "Accepted"
    back = run("dataset", "curate", dataset, "reject", "--account", "0")
    assert back.returncode == 1 and "cannot move from Accepted to Rejected" in back.stderr
    assert "only governance can reinstate" in back.stderr
    assert run("dataset", "curate", dataset, "retire", "--account", "0").returncode == 0
    assert json.loads(run("dataset", "show", dataset, "--json").stdout)["status"] == "Retired"
    bad = run("dataset", "curate", dataset, "approve", "--account", "0")
    assert bad.returncode == 1 and "unknown curation action 'approve'" in bad.stderr


def _cli(url, tmp_path, *args):
    import os
    import subprocess
    import sys

    env = {**os.environ, "OPENCOMMONS_RPC": url, "OPENCOMMONS_HOME": str(tmp_path / "home"),
           "OPENCOMMONS_IPFS_HOME": str(tmp_path / "ipfs")}
    return subprocess.run([sys.executable, "-m", "opencommons.cli", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path)


def test_deploy_refuses_dev_profile_on_non_local_chain_unless_named(tmp_path):
    from opencommons.chain.localnode import LocalChain

    with LocalChain("anvil", chain_id=11155111) as node:
        refused = _cli(node.url, tmp_path, "deploy")
        assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
        assert "chain id 11155111 is not a local chain: pass --profile network --config FILE" in refused.stderr
        assert not (tmp_path / "deployments" / "11155111.json").exists()
        unknown = _cli(node.url, tmp_path, "deploy", "--profile", "fast")
        assert unknown.returncode == 1 and "unknown profile 'fast' (known: dev, network)" in unknown.stderr
        named = _cli(node.url, tmp_path, "deploy", "--profile", "dev")
        assert named.returncode == 0, named.stderr
        assert "profile                dev" in named.stdout and "voting period          20 blocks" in named.stdout


def test_deploy_network_profile_puts_supply_in_treasury_with_allocations(tmp_path):
    from web3 import Web3

    from opencommons.chain.deploy import Deployment, contract
    from opencommons.chain.localnode import LocalChain

    with LocalChain("anvil") as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        me, council, founder = (Web3.to_checksum_address(a) for a in w3.eth.accounts[:3])
        config = tmp_path / "commons.toml"
        config.write_text(f'[governance]\nvoting_delay_blocks = 10\n\n[allocations]\n"{council}" = 40000\n'
                          f'"{founder}" = 10000\n')
        proc = _cli(node.url, tmp_path, "deploy", "--profile", "network", "--config", str(config))
        assert proc.returncode == 0, proc.stderr
        assert "profile                network" in proc.stdout and "voting delay           10 blocks" in proc.stdout
        assert "timelock delay         172800 s" in proc.stdout and "40,000 OCT to " + council in proc.stdout
        deployment = Deployment.from_file(tmp_path / "deployments" / "31337.json")
        token = contract(w3, "CommonsToken", deployment.addresses["CommonsToken"])
        governor = contract(w3, "CommonsGovernor", deployment.addresses["CommonsGovernor"])
        timelock = deployment.addresses["CommonsTimelock"]
        assert token.functions.balanceOf(me).call() == 0  # the deployer holds nothing
        assert token.functions.balanceOf(council).call() == 40_000 * 10**18
        assert token.functions.balanceOf(timelock).call() == (1_000_000 - 50_000) * 10**18
        assert governor.functions.votingDelay().call() == 10
        assert governor.functions.votingPeriod().call() == 50_400
        assert governor.functions.proposalThreshold().call() == 1_000 * 10**18
        nft = contract(w3, "DatasetNFT", deployment.addresses["DatasetNFT"])
        assert (nft.functions.minCommitAge().call(), nft.functions.commitTtl().call()) == (2, 7_200)
        # both houses, governed as a data trust (issue 37)
        from opencommons.chain.houses import selector

        charter = contract(w3, "CommonsCharter", deployment.addresses["CommonsCharter"])
        either, both, super_ = 1, 4, 5
        assert charter.functions.rule(selector("curate(uint256,uint8)")).call() == either
        assert charter.functions.rule(selector("setProtocolFee(uint16,address)")).call() == both
        assert charter.functions.rule(selector("burn(uint256)")).call() == both
        assert charter.functions.rule(selector("updateDelay(uint256)")).call() == super_
        assert charter.functions.defaultHouse().call() == both and charter.functions.caps().call()[2] == 50_400
        house = contract(w3, "ContributorsGovernor", deployment.addresses["ContributorsGovernor"])
        assert house.functions.token().call() == deployment.addresses["ContributorVotes"]
        # the allocations (5% of the supply) cannot reach the 20% super-quorum: the deploy says so
        assert "cannot reach it" in proc.stdout


@pytest.mark.parametrize("text,message", [
    ("[governance]\nvoting_days = 3\n", "unknown governance key 'voting_days'"),
    ("[council]\n", "unknown section(s) council"),
    ("[governance]\nquorum_percent = 0\n", "quorum_percent 0 is out of range 1..100"),
    ('[allocations]\n"0x70997970C51812dc3A010C7d01b50e0d17dc79C8" = 2000000\n',
     "allocations sum to 2,000,000 OCT, more than the genesis supply of 1,000,000"),
    ('[allocations]\n"0x70997970C51812dc3A010C7d01b50e0d17dc79C8" = 500\n',
     "do not reach the proposal threshold of 1,000 OCT: nobody could ever propose; allocate at least 1,000 OCT in "
     "[allocations] (\"0xADDRESS\" = 1000) or lower governance.proposal_threshold"),
    ('[allocations]\n"0x70997970C51812dc3A010C7d01b50e0d17dc79C8" = 5000\n',
     "are below the 4% quorum: no proposal could ever pass; allocate at least 40,000 OCT in [allocations] or lower "
     "governance.quorum_percent"),
    ('[allocations]\n"0x123" = 5\n', "allocation to malformed address '0x123'"),
    ("[governance\n", "cannot read governance config"),
])
def test_deploy_config_bad_input_one_line_error(chain_env, tmp_path, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    proc = chain_env["run"]("deploy", "--fresh", "--yes", "--profile", "network", "--config", str(config))
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert message in proc.stderr, proc.stderr


def test_royalties_collect_sweep_and_rewards_claim_through_cli(chain_env, registered, tmp_path):
    from web3 import Web3

    from opencommons.connection import load_deployment

    run, w3, (a, b) = chain_env["run"], chain_env["w3"], registered
    commons = load_deployment(w3, chain_env["root"] / "deployments")
    dataset = json.loads(run(*publish_args(data_dir(tmp_path, "m,n\n3,4\n"), a, b)).stdout)["dataset"]
    receiver = commons.vault.functions.royaltyReceiverOf(int(dataset)).call()
    w3.eth.send_transaction({"from": chain_env["accounts"][6], "to": receiver, "value": 10**16})  # a marketplace
    collected = run("royalties", "collect", dataset, "--account", "5")
    assert collected.returncode == 0 and f"collected ETH from {receiver}" in collected.stdout, collected.stderr
    balance = json.loads(run("royalties", "balance", "--dataset", dataset, "--of", b, "--json").stdout)
    assert balance[0]["claimable"] == str(4 * 10**15)
    assert f"credited 0.01 ETH to the contributors of dataset {dataset}" in collected.stdout
    nothing = run("royalties", "sweep", "--account", "5")
    assert nothing.returncode == 1 and "RoyaltyVaultNothingToSweep" in nothing.stderr
    vault = commons.vault.address  # ETH forced on the vault, owed to nobody
    w3.provider.make_request("anvil_setBalance", [vault, hex(w3.eth.get_balance(vault) + 3 * 10**15)])
    swept = run("royalties", "sweep", "--account", "5")
    treasury = commons.vault.functions.protocolFee().call()[1]
    assert swept.returncode == 0 and f"swept 0.003 ETH to the treasury {treasury}" in swept.stdout, swept.stderr
    # governance records a reward; each contributor then claims its part
    timelock = commons.timelock.address
    w3.provider.make_request("anvil_impersonateAccount", [timelock])
    w3.provider.make_request("anvil_setBalance", [timelock, hex(10**18)])
    commons.nft.functions.curate(int(dataset), 2).transact({"from": chain_env["accounts"][0]})
    commons.rewards.functions.reward(int(dataset), 500 * 10**18).transact({"from": timelock})
    owed = json.loads(run("rewards", "balance", "--dataset", dataset, "--of", a, "--json").stdout)
    assert owed == [{"dataset": dataset, "claimable": str(300 * 10**18), "amount": "300 OCT"}]
    before = commons.token.functions.balanceOf(Web3.to_checksum_address(a)).call()
    assert run("rewards", "claim", "--dataset", dataset, "--account", "1").returncode == 0
    assert commons.token.functions.balanceOf(Web3.to_checksum_address(a)).call() - before == 300 * 10**18
    relayed = run("rewards", "claim", "--dataset", dataset, "--for", b, "--account", "5")
    assert relayed.returncode == 0, relayed.stderr
    again = run("rewards", "claim", "--dataset", dataset, "--account", "1")
    assert again.returncode == 1 and "ContributionRewardsNothingToClaim" in again.stderr


def test_gov_propose_burn_refuses_dataset_that_is_not_rejected(chain_env, registered, tmp_path):
    run = chain_env["run"]
    dataset = json.loads(run(*publish_args(data_dir(tmp_path, "p,q\n5,6\n"), *registered)).stdout)["dataset"]
    proc = run("gov", "propose", "--burn", dataset, "--account", "0")
    assert proc.returncode == 1 and f"dataset {dataset} is not Rejected" in proc.stderr
    both = run("gov", "propose", "--burn", dataset, "--accept", dataset, "--account", "0")
    assert both.returncode == 1 and "name exactly one of --accept ID or --burn ID" in both.stderr
    assert run("dataset", "curate", dataset, "reject", "--account", "0").returncode == 0
    assert run("gov", "delegate", chain_env["accounts"][0], "--account", "0").returncode == 0
    proposed = pass_proposal(chain_env["w3"], run, "--burn", dataset)
    assert proposed.strip().splitlines()[-1].startswith("proposal ")
    # once burnt, every command says so (not "does not exist"), from the chain and from an index alike
    burnt = f"error: dataset {dataset} was burnt (by governance, or displaced by an older commitment)"
    for command in (["dataset", "show", dataset], ["license", "buy", dataset, "--account", "5"],
                    ["license", "show", dataset]):
        proc = run(*command)
        assert proc.returncode == 1 and proc.stderr.startswith(burnt), (command, proc.stderr)


def test_show_names_contributors_by_their_profiles(chain_env, registered, tmp_path):
    run, (a, b) = chain_env["run"], registered
    shown = json.loads(run("contributor", "show", a, "--json").stdout)
    assert (shown["name"], shown["communityCode"]) == ("Amina", "KE/education")
    out = json.loads(run(*publish_args(data_dir(tmp_path, "n,m\n3,4\n"), a, b)).stdout)
    view = json.loads(run("dataset", "show", out["dataset"], "--json").stdout)
    by_account = sorted([(a, "Amina 60%"), (b, "Baraka 40%")], key=lambda c: int(c[0], 16))  # the chain's order
    assert view["contributorNames"] == ", ".join(text for _, text in by_account)
    # without the store that holds the profiles, the record alone (no invented names)
    bare = json.loads(run("contributor", "show", a, "--json", "--home", str(tmp_path / "empty")).stdout)
    assert "name" not in bare and bare["registered"] is True


def test_publish_says_what_it_left_out_and_how_links_are_stored_and_get_agrees(chain_env, registered, tmp_path):
    """A folder as people have them: a hidden file, an empty file, a link inside the folder. The
    publisher is told about each; the manifest lists the link; `dataset get` restores it exactly
    as `ipfs get` of the content does, and the copy verifies against the chain."""
    import json
    import os

    run = chain_env["run"]
    d = data_dir(tmp_path, "county,pupils\nNairobi,10\n")
    (d / ".DS_Store").write_bytes(b"\0\1")
    (d / "empty.csv").write_bytes(b"")
    os.symlink("table.csv", d / "latest.csv")
    proc = run(*publish_args(d, *registered))
    assert proc.returncode == 0, proc.stderr
    assert "note: left out 1 hidden file(s) or folder(s): .DS_Store" in proc.stderr
    assert "note: 1 empty file(s), published as they are: empty.csv" in proc.stderr
    assert "note: latest.csv is published as a symbolic link to table.csv" in proc.stderr
    out = json.loads(proc.stdout)
    copy = tmp_path / "copy"
    got = run("dataset", "get", out["dataset"], str(copy), "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["links"] == ["latest.csv"]
    assert os.readlink(copy / "latest.csv") == "table.csv" and (copy / "latest.csv").read_text().startswith("county")
    assert run("dataset", "verify", out["dataset"], "--path", str(copy)).returncode == 0


def test_publish_refuses_a_link_outside_the_folder_unless_dereferenced(chain_env, registered, tmp_path):
    import json
    import os

    run = chain_env["run"]
    d = data_dir(tmp_path, "county,pupils\nMombasa,7\n")
    private = tmp_path / "home-of-the-publisher.csv"
    private.write_text("county,pupils\nKisumu,3\n")
    os.symlink(private, d / "raw.csv")
    refused = run(*publish_args(d, *registered))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"error: raw.csv is a symbolic link to {private}, outside the folder: publishing it would make that path "
        "public and point downloads outside their folder; publish with --dereference to publish what it points "
        "to, or remove the link"]
    published = run(*publish_args(d, *registered, "--dereference"))
    assert published.returncode == 0, published.stderr
    copy = tmp_path / "copy"
    assert run("dataset", "get", json.loads(published.stdout)["dataset"], str(copy)).returncode == 0
    assert not (copy / "raw.csv").is_symlink() and (copy / "raw.csv").read_text().endswith("Kisumu,3\n")


def test_the_same_publish_started_twice_at_once_mints_once_and_both_say_so(chain_env, registered, tmp_path):
    """Two terminals, one folder: the loser used to end in an undecoded revert. Now the second waits
    for the first's journal entry and reports the same dataset."""
    import json
    import threading

    run, w3 = chain_env["run"], chain_env["w3"]
    from opencommons.connection import load_deployment

    nft = load_deployment(w3, chain_env["root"] / "deployments").nft
    d = data_dir(tmp_path, "county,pupils\nNakuru,12\n" * 50)
    before = nft.functions.balanceOf(registered[0]).call()
    results = [None, None]

    def publish(i):  # two processes: a command in this process swaps sys.stdout while it runs
        results[i] = run(*publish_args(d, *registered), process=True)

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    outs = [json.loads(r.stdout) for r in results]
    assert outs[0]["dataset"] == outs[1]["dataset"] and outs[0]["tx"] == outs[1]["tx"]
    assert sorted(o["alreadyPublished"] for o in outs) == [False, True]
    assert nft.functions.balanceOf(registered[0]).call() == before + 1


def test_publish_resumed_after_a_watcher_copied_it_takes_the_id_back(chain_env, registered, tmp_path):
    """The publisher stops after committing; a watcher who learnt the content publishes it first
    (with itself as the only contributor, from a younger commitment). The resumed publish still
    wins: its older commitment displaces the watcher's copy, whose token is burnt."""
    run, w3, nft = chain_env["run"], chain_env["w3"], nft_of(chain_env)
    d = data_dir(tmp_path, "copied while committed\n")
    honest, watcher = registered

    def publish_as(account, address, *extra, **kwargs):
        return run("dataset", "publish", str(d), "--license", "CC-BY-4.0", "--commons", "KE/education",
                   "--contributor", f"{address}=10000", "--account", account, "--json", *extra, **kwargs)

    crashed = publish_as("1", honest, extra_env={"OPENCOMMONS_FAULT_AT": "after-commit"})
    assert crashed.returncode == FAULT_EXIT
    copied = publish_as("2", watcher, "--home", str(tmp_path / "watcher"))
    assert copied.returncode == 0, copied.stderr
    stolen = json.loads(copied.stdout)
    dataset_id = int(stolen["dataset"])
    assert nft.functions.ownerOf(dataset_id).call() == watcher
    done = publish_as("1", honest)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["dataset"] == stolen["dataset"] and result["displaced"] == watcher
    assert f"note: {watcher} had published this content from a younger commitment" in done.stderr
    assert nft.functions.ownerOf(dataset_id).call() == honest
    assert nft.functions.statusAndGenerationOf(dataset_id).call() == [1, 1]
    assert nft.functions.shareOf(dataset_id, watcher).call() == 0
    again = publish_as("2", watcher, "--home", str(tmp_path / "watcher"))  # the watcher cannot take it back: its new commitment is younger still
    assert again.returncode == 1 and again.stderr.strip().startswith(
        f"error: dataset {dataset_id} (content {stolen['content']}) was already published by {honest}")


def test_money_commands_say_how_much_moved_and_to_whom(chain_env, registered, tmp_path):
    """A claim on a Rejected dataset says its royalties are frozen; forfeit says what went to the
    treasury, then that nothing is left; a live generation is refused before sending."""
    from opencommons.connection import load_deployment

    run, w3, (a, b) = chain_env["run"], chain_env["w3"], registered
    commons = load_deployment(w3, chain_env["root"] / "deployments")
    dataset = json.loads(run(*publish_args(data_dir(tmp_path, "frozen,1\n"), a, b)).stdout)["dataset"]
    assert run("royalties", "pay", dataset, "1", "--account", "6").returncode == 0
    native = "0x" + "00" * 20
    pooled = commons.vault.functions.poolOf(int(dataset), native).call()[1]
    commons.nft.functions.curate(int(dataset), 3).transact({"from": chain_env["accounts"][0]})
    frozen = run("royalties", "claim", "--dataset", dataset, "--account", "1")
    assert frozen.returncode == 1 and frozen.stderr.strip() == (
        f"error: {a} has nothing to claim from these datasets in these tokens: nothing sent (dataset {dataset} is "
        f"Rejected: its royalties ({pooled / 10**18:g} ETH) stay frozen until governance reinstates it, or burns it "
        "and they are forfeited to the treasury)")
    live = run("royalties", "forfeit", dataset, "--generation", "0", "--account", "5")
    assert live.returncode == 1 and live.stderr.strip() == (
        f"error: generation 0 of dataset {dataset} is not a burnt one (the id is at generation 0): only a burnt "
        "generation's royalties are forfeited")
    timelock = commons.timelock.address
    w3.provider.make_request("anvil_impersonateAccount", [timelock])
    w3.provider.make_request("anvil_setBalance", [timelock, hex(10**18)])
    commons.nft.functions.burn(int(dataset)).transact({"from": timelock})
    treasury = commons.vault.functions.protocolFee().call()[1]
    forfeited = run("royalties", "forfeit", dataset, "--generation", "0", "--account", "5")
    assert forfeited.returncode == 0 and (f"forfeited {pooled / 10**18:g} ETH of dataset {dataset}'s generation 0 "
                                          f"to the treasury {treasury}") in forfeited.stdout, forfeited.stderr
    again = run("royalties", "forfeit", dataset, "--generation", "0", "--account", "5")
    assert again.returncode == 0 and f"nothing was left to forfeit of dataset {dataset}'s generation 0" in again.stdout
