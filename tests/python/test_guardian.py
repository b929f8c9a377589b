"""The proposal guardian from the command line (issue 37): a real Safe (the Safe 1.4.1 contracts
from their npm package, deployed on Anvil; driven with safe-eth-py) is named guardian by a
governance proposal, and its owners, signing off-chain, cancel a proposal during its vote and
another during its timelock delay, each with a reason on the record; too few signatures, a
stranger's key and a missing reason are refused in one line; a launch names an account guardian
directly (`deploy --guardian`), which cancels alone."""
import json

import pytest
from eth_account import Account

from conftest import in_process as cli, ok, pass_proposal, start_chain_env

PASSWORD = "guardian of the commons"


def in_process(env):
    """The CLI in this process, with the owners' keystore password in its environment."""
    return cli(env, {"OPENCOMMONS_KEYSTORE_PASSWORD": PASSWORD})


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    for chain in start_chain_env(tmp_path_factory, "--curator", "{0}"):
        yield {**chain, "run": in_process(chain)}


def one_line_error(proc, text):
    lines = proc.output.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and text in lines[0], proc.output


def _keystores(tmp_path, n):
    """n owners' keystores (they sign off-chain only: no ether)."""
    paths = []
    for _ in range(n):
        key = Account.create()
        path = tmp_path / f"{key.address}.json"
        path.write_text(json.dumps(Account.encrypt(key.key, PASSWORD)))
        paths.append((key.address, str(path)))
    return paths


def _propose(env, *args):
    out = ok(env["run"]("gov", "propose", *args, "--account", "0")).stdout
    return out.strip().splitlines()[-1].split()[-1]


def _state(env, proposal):
    return json.loads(ok(env["run"]("gov", "status", proposal, "--json", "--no-index")).stdout)["state"]


def test_a_guardian_safe_cancels_during_the_vote_and_the_timelock_delay(env, tmp_path):
    run, w3, accounts = env["run"], env["w3"], env["accounts"]
    owners = _keystores(tmp_path, 3)
    one_line_error(run("safe", "create", "--owner", "0x12", "--threshold", "1", "--account", "0"),
                   "--owner '0x12' is not an address")
    one_line_error(run("safe", "create", "--owner", owners[0][0], "--threshold", "2", "--account", "0"),
                   "a threshold of 2 is not between 1 and the 1 owner(s)")
    out = ok(run("safe", "create", *[x for a, _ in owners for x in ("--owner", a)], "--threshold", "2",
                 "--account", "0")).stdout
    safe = out.strip().splitlines()[-1].split()[1].rstrip(":")
    shown = ok(run("safe", "show", safe)).stdout
    assert "2 of 3 owners" in shown and owners[0][0] in shown
    record = env["root"] / "deployments" / f"{w3.eth.chain_id}.safe.json"
    infrastructure = record.read_text()
    other = ok(run("safe", "create", "--owner", owners[0][0], "--threshold", "1", "--account", "0")).stdout
    assert record.read_text() == infrastructure and "1 of 1 owners" in other  # the Safe contracts deployed once
    one_line_error(run("safe", "show", accounts[3]), "is not a Safe on this chain")
    pass_proposal(w3, run, "--guardian", safe)
    assert f"guardian {safe}" in ok(run("gov", "guardian")).stdout

    # during the vote
    proposal = _propose(env, "--grant", "curator", accounts[6])
    w3.provider.make_request("anvil_mine", [hex(2)])
    assert _state(env, proposal) == "Active"
    one_line_error(run("gov", "cancel", proposal, "--reason", "captures curation", "--account", "5"),
                   f"the guardian {safe} is a Safe: give its owners' keys")
    one_line_error(run("gov", "cancel", proposal, "--reason", "captures curation", "--signer", owners[0][1],
                       "--account", "5"), "needs 2 owners' signatures; 1 given")
    stranger = _keystores(tmp_path, 1)[0]
    one_line_error(run("gov", "cancel", proposal, "--reason", "captures curation", "--signer", owners[0][1],
                       "--signer", stranger[1], "--account", "5"),
                   f"{stranger[0]} is not an owner of Safe {safe}")
    one_line_error(run("gov", "cancel", proposal, "--reason", " ", "--signer", owners[0][1], "--signer",
                       owners[2][1], "--account", "5"), "give --reason")
    out = ok(run("gov", "cancel", proposal, "--reason", "captures curation for one holder", "--signer",
                 owners[0][1], "--signer", owners[2][1], "--account", "5")).stdout
    assert f"proposal {proposal} cancelled by the guardian: captures curation for one holder" in out
    assert _state(env, proposal) == "Canceled"
    assert f"cancelled  by the guardian {safe}: captures curation for one holder" in ok(
        run("gov", "status", proposal, "--no-index")).stdout
    one_line_error(run("gov", "cancel", proposal, "--reason", "again", "--signer", owners[0][1], "--signer",
                       owners[1][1], "--account", "5"), f"proposal {proposal} is Canceled")

    # during the timelock delay
    proposal = _propose(env, "--grant", "verifier", accounts[6])
    w3.provider.make_request("anvil_mine", [hex(2)])
    ok(run("gov", "vote", proposal, "for", "--account", "0"))
    w3.provider.make_request("anvil_mine", [hex(25)])
    ok(run("gov", "queue", proposal))
    assert _state(env, proposal) == "Queued"
    ok(run("gov", "cancel", proposal, "--reason", "the vote was bought", "--signer", owners[1][1], "--signer",
           owners[2][1], "--account", "5"))
    assert _state(env, proposal) == "Canceled"
    w3.provider.make_request("evm_increaseTime", [61])
    w3.provider.make_request("evm_mine", [])
    one_line_error(run("gov", "execute", proposal), f"proposal {proposal} is Canceled")
    # every cancellation on the record, with its reason
    governor = json.loads((env["root"] / "deployments" / f"{w3.eth.chain_id}.json").read_text())["addresses"]
    from opencommons.chain.deploy import contract

    logs = contract(w3, "CommonsGovernor", governor["CommonsGovernor"]).events.ProposalCancelledWithReason() \
        .get_logs(from_block=0)
    assert [(log["args"]["by"], log["args"]["reason"]) for log in logs] == [
        (safe, "captures curation for one holder"), (safe, "the vote was bought")]

    # the explorer (the index) shows each cancellation's reason
    from opencommons.chain.deploy import Deployment
    from opencommons.index.database import open_engine
    from opencommons.index.explorer import Explorer
    from opencommons.index.sync import Indexer

    deployment = Deployment.from_file(env["root"] / "deployments" / f"{w3.eth.chain_id}.json")
    engine = open_engine(f"sqlite:///{tmp_path / 'index.sqlite'}")
    Indexer(engine, w3, deployment).sync()
    explorer = Explorer.find(engine, deployment.chain_id, deployment.addresses["DatasetNFT"])
    shown = {p["id"]: p for p in explorer.proposals(w3.eth.block_number)["items"]}
    assert shown[proposal]["cancelled"] == {"by": safe, "reason": "the vote was bought"}

    # governance removes the guardian: nobody cancels a live proposal any more
    pass_proposal(w3, run, "--guardian", "none")
    assert "no guardian" in ok(run("gov", "guardian")).stdout
    one_line_error(run("gov", "propose", "--guardian", "none", "--account", "0"), "the guardian is already unset")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A suite launched with account 4 as its guardian."""
    for chain in start_chain_env(tmp_path_factory, "--curator", "{0}", "--guardian", "{4}"):
        yield {**chain, "run": in_process(chain)}


def test_a_launch_names_an_account_guardian_which_cancels_alone(guarded):
    run, w3, accounts = guarded["run"], guarded["w3"], guarded["accounts"]
    assert f"guardian {accounts[4]}" in ok(run("gov", "guardian")).stdout
    proposal = _propose(guarded, "--grant", "curator", accounts[6])
    w3.provider.make_request("anvil_mine", [hex(2)])
    one_line_error(run("gov", "cancel", proposal, "--reason", "not the guardian", "--account", "5"),
                   f"is not the guardian ({accounts[4]})")
    out = ok(run("gov", "cancel", proposal, "--reason", "grants a role to an unknown account",
                 "--account", "4")).stdout
    assert f"proposal {proposal} cancelled by the guardian" in out
    assert _state(guarded, proposal) == "Canceled"
    assert "guardian" in ok(run("deploy", "verify")).stdout
