"""Two houses and a charter from the command line (issue 37): the dev profile and a factory launch
both have a contributors' house and a charter; `gov charter` shows them; a vote in a house where
the account has no vote is refused with the reason; a proposal both houses must pass is proposed
in both, voted in each, queued through the charter and executed; `deploy verify` checks the houses."""
import json

import pytest

from conftest import in_process, ok, start_chain_env
from opencommons.chain.deploy import DEFAULT_CHARTER
from opencommons.ipfs.importer import Importer

TRUST_TOML = """
[governance]
voting_delay_blocks = 1
voting_period_blocks = 20
timelock_delay_s = 60
[allocations]
"{0}" = 1000000
[roles]
verifiers = ["{0}"]
[houses]
claim = "membership"
fees = "both"
curation = "contributors"
[charter]
document = "charter.md"
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    for chain in start_chain_env(tmp_path_factory, "--curator", "{0}", "--verifier", "{0}"):
        yield {**chain, "run": in_process(chain)}


def one_line_error(proc, text):
    lines = proc.output.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and text in lines[0], proc.output


def test_the_dev_profile_launches_both_houses_and_a_charter(env):
    run = env["run"]
    charter = json.loads(ok(run("gov", "charter", "--json")).stdout)
    assert charter["cid"] == str(Importer(cid_version=1).add_bytes(DEFAULT_CHARTER.read_bytes()).cid)
    assert charter["rules"]["fees"] == "either" and charter["rules"]["charter"] == "super"  # dev: either house
    assert charter["house"]["members"] == 0 and charter["caps"]["maxFeeBps"] == 1_000
    empty = run("gov", "propose", "--fee", "50", "--treasury", env["accounts"][0], "--house", "both", "--account", "0")
    assert empty.returncode == 1 and empty.output.strip().splitlines()[-1].startswith(
        "error: the contributors' house has no members yet"), empty.output  # after the actions, nothing sent
    out = ok(run("deploy", "verify")).stdout
    assert "two houses, both queuing through the charter" in out and "FAIL" not in out


def test_a_two_house_proposal_from_propose_to_execute(env):
    run, w3, accounts = env["run"], env["w3"], env["accounts"]
    ok(run("contributor", "register", "--account", "2", "--name", "Wanjiru", "--community", "KE/education"))
    ok(run("contributor", "register", "--account", "3", "--name", "Otieno", "--community", "KE/education"))
    ok(run("gov", "sync", accounts[3], "--account", "0"))  # registered, unverified: still no vote
    # verified in the block just before its proposal: the governor counts that block, and so does the check
    ok(run("contributor", "verify", accounts[2], "--claim", "identity", "--account", "0"))
    assert json.loads(ok(run("gov", "charter", "--json")).stdout)["house"]["members"] == 1
    one_line_error(run("gov", "propose", "--fee", "50", "--treasury", accounts[0], "--house", "senate",
                       "--account", "0"), "unknown house 'senate'")
    unverified = run("gov", "propose", "--fee", "50", "--treasury", accounts[0], "--house", "both", "--account", "3")
    assert unverified.returncode == 1 and unverified.output.strip().splitlines()[-1].startswith(
        f"error: {accounts[3]} has 0 votes in the contributors' house"), unverified.output
    assert "proposed in" not in unverified.output  # neither house was sent it
    out = ok(run("gov", "propose", "--fee", "50", "--treasury", accounts[0], "--house", "both",
                 "--account", "2")).stdout  # the contributor proposes in both; it holds no tokens...
    assert "proposed in the contributors' house" in out
    proposal = out.strip().splitlines()[-1].split()[-1]
    w3.provider.make_request("anvil_mine", [hex(2)])
    one_line_error(run("gov", "vote", proposal, "for", "--house", "contributors", "--account", "3"),
                   "has no vote in the contributors' house")
    one_line_error(run("gov", "vote", proposal, "for", "--account", "4"), "has no vote")
    ok(run("gov", "delegate", accounts[2], "--house", "contributors", "--account", "2"))  # to itself: unchanged
    assert "in the contributors' house" in ok(run("gov", "vote", proposal, "for", "--account", "2")).stdout
    assert "in the token house" in ok(run("gov", "vote", proposal, "for", "--account", "0")).stdout
    w3.provider.make_request("anvil_mine", [hex(25)])
    status = json.loads(ok(run("gov", "status", proposal, "--json", "--no-index")).stdout)
    assert [(h["house"], h["state"], h["for"]) for h in status["houses"]] == [
        ("token", "Succeeded", str(10**24)), ("contributors", "Succeeded", "1")]
    assert "passed in the token house" in ok(run("gov", "queue", proposal)).stdout
    w3.provider.make_request("evm_increaseTime", [61])
    w3.provider.make_request("evm_mine", [])
    ok(run("gov", "execute", proposal))
    assert json.loads(ok(run("gov", "status", proposal, "--json", "--no-index")).stdout)["state"] == "Executed"


def test_a_factory_launch_takes_the_houses_and_charter_from_its_toml(env, tmp_path):
    run, accounts = env["run"], env["accounts"]
    (tmp_path / "charter.md").write_text("# Our charter\nContributors decide curation; both houses decide fees.\n")
    (tmp_path / "trust.toml").write_text(TRUST_TOML.format(accounts[0]))
    ok(run("deploy", "--factory"))
    ok(run("commons", "create", "KE/trust", "--config", str(tmp_path / "trust.toml")))
    trust = in_process(env, {"OPENCOMMONS_COMMONS": "KE/trust"})
    charter = json.loads(ok(trust("gov", "charter", "--json")).stdout)
    assert charter["cid"] == str(Importer(cid_version=1).add_bytes((tmp_path / "charter.md").read_bytes()).cid)
    assert (charter["rules"]["fees"], charter["rules"]["curation"], charter["rules"]["treasury"]) == (
        "both", "contributors", "either")
    alone = trust("gov", "propose", "--fee", "50", "--treasury", accounts[0], "--house", "token", "--account", "0")
    assert alone.returncode == 1 and alone.output.strip().splitlines()[-1] == (
        "error: these calls need both houses (the charter's rule): propose them with --house both"), alone.output
    (tmp_path / "bad.toml").write_text(TRUST_TOML.format(accounts[0]).replace('fees = "both"', 'fees = "senate"'))
    bad = run("commons", "create", "KE/bad", "--config", str(tmp_path / "bad.toml"))
    assert bad.returncode != 0 and "houses.fees is 'senate'" in bad.output
    out = ok(run("deploy", "verify")).stdout
    assert "KE/trust: the charter's document, rules, super-quorum and caps as recorded" in out
    assert "FAIL" not in out


def test_the_index_keeps_the_houses_apart_and_answers_as_the_governors(env):
    """A proposal made in the contributors' house only, and the two-house one above: `gov list` and
    `gov status` from the index equal the governors' own answers; the explorer lists the
    contributors' tally beside the token house's."""
    from opencommons.index.database import open_engine
    from opencommons.index.explorer import Explorer

    run, w3, accounts = env["run"], env["w3"], env["accounts"]
    out = ok(run("gov", "propose", "--fee", "60", "--treasury", accounts[0], "--house", "contributors",
                 "--account", "2")).stdout
    only = out.strip().splitlines()[-1].split()[-1]
    w3.provider.make_request("anvil_mine", [hex(2)])
    one_line_error(run("gov", "vote", only, "for", "--house", "token", "--account", "0"),
                   "was not proposed in the token house")
    ok(run("gov", "vote", only, "for", "--account", "2"))
    ok(run("index", "sync", "--quiet"))
    listed = json.loads(ok(run("gov", "list", "--json")).stdout)
    assert {row["id"]: row.get("houses") for row in listed}[only] == "contributors"
    assert "token+contributors" in {row.get("houses") for row in listed}
    for command in (["gov", "list"], ["gov", "status", only]):
        for form in ([], ["--json"]):
            from_chain, from_index = ok(run(*command, *form, "--no-index")), ok(run(*command, *form))
            assert "answering from the chain" not in from_index.stderr
            assert from_index.stdout == from_chain.stdout, command
    status = json.loads(ok(run("gov", "status", only, "--json")).stdout)
    assert status["forTokens"] == "1 vote" and status["houses"][0]["house"] == "contributors"
    engine = open_engine(f"sqlite:///{env['root'] / 'home' / 'index.sqlite'}", create=False)
    chain_id = w3.eth.chain_id
    from opencommons.chain.deploy import Deployment, deployment_path

    deployment = Deployment.from_file(deployment_path(env["root"] / "deployments", chain_id))
    page = Explorer.find(engine, chain_id, deployment.addresses["DatasetNFT"]).proposals(w3.eth.block_number)
    both = [p for p in page["items"] if "contributors" in p]
    # the token house queued and executed it: in the contributors' house it stays Succeeded, as its governor says
    assert len(both) == 1 and both[0]["state"] == "Executed" and both[0]["contributors"]["for"] == "1"
    council = w3.eth.contract(address=deployment.addresses["ContributorsGovernor"],
                              abi=[{"name": "state", "type": "function", "stateMutability": "view",
                                    "inputs": [{"name": "p", "type": "uint256"}],
                                    "outputs": [{"name": "", "type": "uint8"}]}])
    assert both[0]["contributors"]["state"] == "Succeeded" == \
        ["Pending", "Active", "Canceled", "Defeated", "Succeeded"][council.functions.state(int(both[0]["id"])).call()]
    assert only not in {p["id"] for p in page["items"]}  # the page lists the token house's proposals
