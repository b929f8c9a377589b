"""Every role completes from the CLI (issue 20): bootstrap verifiers and validators, governance
grants and revokes, token allow-lists, fees and arbitrary calls, relayed claims, keystores."""
import json
import re

import pytest
from conftest import pass_proposal, start_chain_env
from web3 import Web3



@pytest.fixture(scope="module")
def roles_env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}", "--verifier", "{3}", "--validator", "{4}")


def ok(proc):
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def one_line_error(proc, text):
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and text in lines[0], proc.stderr


@pytest.fixture(scope="module")
def published(roles_env, tmp_path_factory):
    run, accounts = roles_env["run"], roles_env["accounts"]
    for index in ("1", "2"):
        ok(run("contributor", "register", "--name", f"c{index}", "--community", "KE/education", "--account", index))
    d = tmp_path_factory.mktemp("data")
    (d / "table.csv").write_text("a,b\n1,2\n")
    out = ok(run("dataset", "publish", str(d), "--license", "CC-BY-4.0", "--commons", "KE/education",
                 "--contributor", f"{accounts[1]}=6000", "--contributor", f"{accounts[2]}=4000",
                 "--account", "1", "--json"))
    return json.loads(out)["dataset"]


def _lifecycle(roles_env, *propose_args):
    """propose -> vote -> queue -> execute on Anvil, as a voter does it; returns the propose output."""
    ok(roles_env["run"]("gov", "delegate", roles_env["accounts"][0], "--account", "0"))
    return pass_proposal(roles_env["w3"], roles_env["run"], *propose_args)


def test_deploy_verifier_and_validator_can_verify_and_attest(roles_env, published):
    run, accounts = roles_env["run"], roles_env["accounts"]
    assert "claim attested" in ok(run("contributor", "verify", accounts[1], "--claim", "teacher", "--account", "3"))
    shown = json.loads(ok(run("contributor", "show", accounts[1], "--claim", "teacher", "--json")))
    assert shown["registered"] is True
    assert "attested" in ok(run("dataset", "attest", published, "--kind", "quality", "--score", "8000",
                                "--account", "4"))
    refused = run("dataset", "attest", published, "--kind", "quality", "--score", "8000", "--account", "5")
    one_line_error(refused, "validator")
    assert "--grant" in refused.stderr  # the hint says how the role is obtained
    # a kind nobody reads (a typo would be attested under a key no tool knows): refused, the kinds listed
    one_line_error(run("dataset", "attest", published, "--kind", "qualty", "--score", "8000", "--account", "4"),
                   "unknown attestation kind 'qualty' (did you mean quality?): use one of quality, integrity,")


def test_gov_propose_grant_and_revoke_roles_through_governance(roles_env):
    from opencommons.connection import load_deployment

    commons = load_deployment(roles_env["w3"], roles_env["root"] / "deployments")
    target = roles_env["accounts"][6]
    role = commons.nft.functions.CURATOR_ROLE().call()
    out = _lifecycle(roles_env, "--grant", "curator", target)
    assert f"action: grant curator (CURATOR_ROLE) to {target}" in out
    assert commons.nft.functions.hasRole(role, target).call()
    one_line_error(roles_env["run"]("gov", "propose", "--grant", "curator", target, "--account", "0"),
                   f"{target} already holds the curator role: the proposal would change nothing")
    _lifecycle(roles_env, "--revoke", "curator", target)
    assert not commons.nft.functions.hasRole(role, target).call()


def test_gov_propose_allow_token_fee_and_call(roles_env):
    from opencommons.chain.deploy import deploy_contract
    from opencommons.chain.transactions import NodeAccount
    from opencommons.connection import load_deployment

    w3 = roles_env["w3"]
    commons = load_deployment(w3, roles_env["root"] / "deployments")
    token = deploy_contract(w3, NodeAccount(Web3.to_checksum_address(roles_env["accounts"][0])), "MockERC20",
                            "Shilling", "KES").address
    treasury = roles_env["accounts"][7]
    one_line_error(roles_env["run"]("royalties", "pay", "1", "1", "--token", token, "--account", "6"),
                   f"token {token} is not allow-listed by this commons: nothing approved or paid")
    out = _lifecycle(roles_env, "--allow-token", token, "--fee", "100", "--treasury", treasury)
    assert f"action: allow-list token {token}" in out
    assert f"action: set the protocol fee to 100 bps (1%), treasury {treasury}" in out
    assert commons.vault.functions.isTokenAllowed(token).call()
    assert list(commons.vault.functions.protocolFee().call()) == [100, treasury]
    out = _lifecycle(roles_env, "--call", commons.vault.address, "--signature", "setTokenAllowed(address,bool)",
                     "--arg", token, "--arg", "false")
    assert f"action: call {commons.vault.address}.setTokenAllowed(address {token}, bool false)" in out
    assert not commons.vault.functions.isTokenAllowed(token).call()


@pytest.mark.parametrize("args, message", [
    (["--grant", "janitor", "0x" + "11" * 20], "unknown role 'janitor': use one of curator, verifier, validator"),
    (["--grant", "curator", "0x1234"], "malformed account address '0x1234'"),
    (["--fee", "100"], "--fee and --treasury go together"),
    (["--fee", "5000", "--treasury", "0x" + "11" * 20], "protocol fee 5000 bps out of range"),
    (["--call", "0x" + "11" * 20, "--signature", "f(uint256)"], "f(uint256) takes 1 argument(s), 0 given"),
    (["--call", "0x" + "11" * 20, "--signature", "f(uint256)", "--arg", "x"], "uint256 argument must be an integer"),
    ([], "nothing to propose"),
    (["--call", "0x" + "11" * 20, "--signature", "f(uint256)", "--arg", "1"],
     f"--call {Web3.to_checksum_address('0x' + '11' * 20)}: no contract there on this chain, so the call could never "
     "execute; nothing proposed"),
])
def test_gov_propose_bad_input_one_line_error(roles_env, args, message):
    proc = roles_env["run"]("gov", "propose", *args, "--account", "0")
    one_line_error(proc, message)


def test_royalties_claim_for_gasless_contributor_is_relayed(roles_env, published):
    run, w3, accounts = roles_env["run"], roles_env["w3"], roles_env["accounts"]
    ok(run("royalties", "pay", published, "1", "--account", "6"))
    before = w3.eth.get_balance(accounts[2])
    out = ok(run("royalties", "claim", "--dataset", published, "--for", accounts[2], "--account", "5"))
    gained = w3.eth.get_balance(accounts[2]) - before
    assert gained > 0 and f"claimed {Web3.from_wei(gained, 'ether').normalize()} ETH ({gained} units) for " \
                          f"{accounts[2]}" in out
    one_line_error(run("royalties", "claim", "--dataset", published, "--for", accounts[2], "--account", "5"),
                   f"{accounts[2]} has nothing to claim")


def test_account_new_list_and_use(roles_env, tmp_path):
    run = roles_env["run"]
    env = {"OPENCOMMONS_KEYSTORE_PASSWORD": "correct horse battery"}
    out = ok(run("account", "new", "--dir", str(tmp_path), extra_env=env))
    address = out.split()[1]
    path = tmp_path / f"{address}.json"
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    (tmp_path / "junk.json").write_text("{}")
    listing = ok(run("account", "list", "--dir", str(tmp_path)))
    assert address in listing and "not a keystore" in listing
    one_line_error(run("account", "new", "--dir", str(tmp_path), extra_env={"OPENCOMMONS_KEYSTORE_PASSWORD": "short"}),
                   "password too short")
    one_line_error(run("gov", "delegate", address, "--account", str(tmp_path / "junk.json"), extra_env=env),
                   "is not an Ethereum keystore")
    # no password in the environment and no terminal to ask on (a script): one line saying what to set
    one_line_error(run("gov", "delegate", address, "--account", str(path)),
                   "needs its password and there is no terminal to ask on: set OPENCOMMONS_KEYSTORE_PASSWORD")
    roles_env["w3"].eth.send_transaction({"from": roles_env["accounts"][0], "to": address, "value": 10**18})
    ok(run("contributor", "register", "--name", "K", "--community", "KE/x", "--account", str(path), extra_env=env))



def test_gov_lifecycle_with_mine_and_status(roles_env):
    """propose, vote, queue, execute with no hand-made RPC call; status says what comes next."""
    run, accounts = roles_env["run"], roles_env["accounts"]
    ok(run("gov", "delegate", accounts[0], "--account", "0"))
    out = ok(run("gov", "propose", "--grant", "validator", accounts[8], "--account", "0"))
    proposal = out.strip().splitlines()[-1].split()[-1]
    status = json.loads(ok(run("gov", "status", proposal, "--json")))
    assert status["state"] == "Pending" and "voting opens after block" in status["next"]
    early = run("gov", "vote", proposal, "for", "--account", "0")
    one_line_error(early, f"proposal {proposal} is Pending, not Active: cannot vote (voting opens after block")
    # --wait says what it waits for (this chain mines only on transactions: it gives up)
    waited = run("gov", "vote", proposal, "for", "--account", "0", "--wait", "--timeout", "3")
    assert waited.stdout.startswith("waiting for block ") and ", when voting opens (head: block " in waited.stdout
    one_line_error(waited, f"gave up waiting for proposal {proposal} to allow vote after 3 s")
    voted = ok(run("gov", "vote", proposal, "for", "--account", "0", "--mine"))
    assert "weight " in voted and " OCT" in voted
    zero = run("gov", "vote", proposal, "for", "--account", "9")  # no votes in any house: refused, with why
    one_line_error(zero, "has no votes in the token house at proposal")
    status = json.loads(ok(run("gov", "status", proposal, "--json")))
    assert status["state"] == "Active" and status["forTokens"].endswith(" OCT") and "blocks left" in status["next"]
    text = ok(run("gov", "status", proposal))  # in the token's units; the raw figures only under --json
    assert f"proposal   {proposal}\nstate      Active\nfor        {status['forTokens']}\n" in text
    assert status["for"] not in text and "None" not in text and f"quorum     {status['quorumTokens']}" in text
    ok(run("gov", "queue", proposal, "--mine"))
    status = json.loads(ok(run("gov", "status", proposal, "--json")))
    assert status["state"] == "Queued" and "executable from" in status["next"] and status["eta"] > 0
    early = run("gov", "execute", proposal)  # the timelock's delay has not passed: refused before sending
    one_line_error(early, f"proposal {proposal} is queued in the timelock until ")
    assert "): execute it then, or pass --wait (--mine on a local chain)" in early.stderr
    ok(run("gov", "execute", proposal, "--mine"))
    assert json.loads(ok(run("gov", "status", proposal, "--json")))["state"] == "Executed"
    listed = ok(run("gov", "list"))
    assert f"id={proposal}  state=Executed  description=grant validator (VALIDATOR_ROLE) to {accounts[8]}" in listed


def test_settle_shows_pending_and_refuses_when_nothing_is_pending(roles_env, published, tmp_path):
    run, accounts = roles_env["run"], roles_env["accounts"]
    child_dir = tmp_path / "child"
    child_dir.mkdir()
    (child_dir / "derived.csv").write_text("a,b,c\n1,2,3\n")
    child = json.loads(ok(run("dataset", "publish", str(child_dir), "--license", "CC-BY-4.0", "--commons",
                              "KE/education", "--contributor", f"{accounts[1]}=10000", "--parent", published,
                              "--ancestor-bps", "2000", "--account", "1", "--json")))["dataset"]
    from opencommons.connection import load_deployment
    from opencommons.queries import NATIVE, format_amount

    commons = load_deployment(roles_env["w3"], roles_env["root"] / "deployments")
    fee_bps = commons.vault.functions.protocolFee().call()[0]  # another test may have set one
    net = 10**18 * (10_000 - fee_bps) // 10_000
    ok(run("royalties", "pay", child, "1", "--account", "6"))
    balance = json.loads(ok(run("royalties", "balance", "--dataset", child, "--of", accounts[1], "--json")))[0]
    pending = format_amount(commons, net * 2000 // 10_000, NATIVE)
    assert balance["pendingForParents"] == pending
    assert balance["amount"] == format_amount(commons, net - net * 2000 // 10_000, NATIVE)
    settled = ok(run("royalties", "settle", child, "--account", "6"))
    assert f"passed {pending} from dataset {child} to its parents" in settled
    one_line_error(run("royalties", "settle", child, "--account", "6"),
                   "nothing pending for the ancestors of these datasets in this token: nothing sent")


def test_dataset_car_holds_content_and_manifest_and_refuses_overwrite(roles_env, published, tmp_path):
    from opencommons.ipfs.car import read_car

    run = roles_env["run"]
    view = json.loads(ok(run("dataset", "show", published, "--json")))
    car = tmp_path / "dataset.car"
    ok(run("dataset", "car", published, str(car)))
    with open(car, "rb") as handle:
        roots, blocks = read_car(handle)
        assert [str(r) for r in roots] == [view["content"], view["manifest"]]
        assert len(list(blocks)) >= 2
    one_line_error(run("dataset", "car", published, str(car)), f"{car} already exists: pass --force to overwrite it")
    ok(run("dataset", "car", published, str(car), "--force"))
    one_line_error(run("ipfs", "car", "export", view["content"], str(car)), "already exists")


def test_dataset_verify_names_the_file_that_differs(roles_env, published, tmp_path):
    run = roles_env["run"]
    view = json.loads(ok(run("dataset", "show", published, "--json")))
    copy = tmp_path / "copy"
    ok(run("ipfs", "get", view["content"], str(copy)))
    ok(run("dataset", "verify", published, "--path", str(copy)))
    (copy / "table.csv").write_text("a,b\n1,3\n")
    one_line_error(run("dataset", "verify", published, "--path", str(copy)), "table.csv differs (sha256 ")
    (copy / "table.csv").unlink()
    one_line_error(run("dataset", "verify", published, "--path", str(copy)), "table.csv is missing")


def test_ctrl_c_while_waiting_says_how_to_resume(roles_env):
    import os
    import signal
    import subprocess
    import sys
    import time

    run, accounts = roles_env["run"], roles_env["accounts"]
    ok(run("gov", "delegate", accounts[0], "--account", "0"))
    out = ok(run("gov", "propose", "--grant", "verifier", accounts[9], "--account", "0"))
    proposal = out.strip().splitlines()[-1].split()[-1]
    env = {**os.environ, "OPENCOMMONS_RPC": roles_env["url"]}
    proc = subprocess.Popen([sys.executable, "-m", "opencommons.cli", "gov", "vote", proposal, "for", "--wait",
                             "--account", "0"], cwd=roles_env["root"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(8)  # started and polling: Anvil mines only on transactions, the vote waits for the delay
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert stderr.strip().splitlines() == ["interrupted: run the same command again to resume (nothing half-written "
                                           "is kept under its final name)"]


def test_dataset_show_reads_as_people_do_and_register_names_the_address(roles_env, published):
    run, accounts = roles_env["run"], roles_env["accounts"]
    view = json.loads(ok(run("dataset", "show", published, "--json")))
    assert view["commonsCode"] == "KE/education" and view["shortId"].startswith("0x") and "..." in view["shortId"]
    assert f"{accounts[1]} 60%" in view["shares"] and f"{accounts[2]} 40%" in view["shares"]
    assert view["published"].endswith(" UTC")
    # the text is words: the dataset's name, its commons by code, dates, names and percentages; no
    # raw keys, epoch seconds, commons hash, None or Python reprs (those are in --json)
    text = ok(run("dataset", "show", published))
    lines = dict(line.split(None, 1) if " " in line else (line, "") for line in text.splitlines()
                 if not line.startswith(("derived ", "terms document")))
    assert lines["dataset"] == f"{view['name']} ({view['shortId']})" and lines["commons"] == "KE/education"
    assert lines["status"] == "Proposed" and lines["licence"] == "CC-BY-4.0 (https://spdx.org/licenses/CC-BY-4.0.html)"
    assert lines["contributors"] == "c1 60%, c2 40%" and lines["published"] == f"{view['published']} by {accounts[1]}"
    assert lines["terms"] == "no terms document: the licence alone says what may be done"
    assert lines["id"] == published and lines["manifest"] == view["manifest"]
    for raw in ("None", "publishedAt", "commonsCode", "[{", "shareBps", view["commons"], str(view["publishedAt"])):
        assert raw not in text, raw
    who = ok(run("contributor", "show", accounts[1])).splitlines()
    assert who[0] == f"contributor  c1 ({accounts[1]})" and who[1].startswith("status       registered since 20")
    assert who[2] == "commons      KE/education" and who[3].startswith("profile      bafkrei")
    listed = ok(run("dataset", "list")).splitlines()
    row = next(line for line in listed if view["shortId"] in line)
    assert row.split() == [view["shortId"], *view["name"].split(), "CC-BY-4.0", "Proposed", "by",
                           f"{accounts[1][:6]}...{accounts[1][-4:]}"]
    figures = ok(run("stats")).splitlines()
    assert re.fullmatch(r"datasets\s+\d+ \((\w+ \d+)(, \w+ \d+)*\)", figures[0]) and "Proposed" in figures[0]
    assert any(line.split()[:2] == ["paid", "in"] for line in figures) and "0x0000000000" not in "\n".join(figures)
    out = ok(run("contributor", "register", "--name", "New", "--community", "BR/health", "--account", "7"))
    assert f"{accounts[7]} registered in BR/health (profile b" in out


def test_a_proposal_that_could_never_execute_or_pass_is_refused_before_sending(roles_env, published):
    from opencommons.connection import load_deployment

    run, w3 = roles_env["run"], roles_env["w3"]
    commons = load_deployment(w3, roles_env["root"] / "deployments")
    missing = str(12345)
    refused = run("gov", "propose", "--call", commons.nft.address, "--signature", "burn(uint256)", "--arg", missing,
                  "--account", "0")
    one_line_error(refused, f"call {commons.nft.address}.burn(uint256 {missing}) would revert if executed now by the "
                            "timelock (contract reverted: DatasetNFTInvalidTransition(12345, 0, 0)")
    # every voter's tokens moved to the timelock, which cannot vote: nothing could reach the quorum
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        token = commons.token
        for holder in w3.eth.accounts:
            balance = token.functions.balanceOf(holder).call()
            if balance:
                token.functions.transfer(commons.timelock.address, balance).transact({"from": holder})
        stuck = run("gov", "propose", "--accept", published, "--account", "0")
        one_line_error(stuck, "the votes voters hold (0 OCT; the timelock's own cannot vote) could not reach the "
                              "quorum of ")
        assert "nothing proposed" in stuck.stderr
    finally:
        assert w3.provider.make_request("evm_revert", [snapshot])["result"] is True
