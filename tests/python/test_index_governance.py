"""`commons gov list|status` from the index equal the governor's own answers in every state:
Pending, Active, Defeated (votes against, no quorum, a quorum raised by an executed proposal),
Succeeded, Queued, Executed and Canceled."""

import pytest
from web3 import Web3

from chain_seed import tx
from conftest import in_process, ok, start_chain_env
from opencommons.chain.deploy import Deployment
from opencommons.index.database import open_engine
from opencommons.index.explorer import Explorer
from opencommons.queries import PROPOSAL_STATE
from opencommons.suite import Commons

TOKEN = 10**18
AGAINST, FOR, ABSTAIN = 0, 1, 2


def mine(w3, blocks=1, seconds=0):
    if seconds:
        w3.provider.make_request("evm_increaseTime", [seconds])
    for _ in range(blocks):
        w3.provider.make_request("evm_mine", [])


@pytest.fixture(scope="module")
def governed(tmp_path_factory):
    for env in start_chain_env(tmp_path_factory, "--curator", "{0}"):
        w3 = env["w3"]
        c = Commons(w3, Deployment.from_file(next((env["root"] / "deployments").glob("*.json"))))
        acc = [Web3.to_checksum_address(a) for a in env["accounts"]]
        token, g = c.token.functions, c.governor.functions
        tx(c, acc[0], token.transfer(acc[1], 20_000 * TOKEN))  # 2% of the supply
        tx(c, acc[0], token.transfer(acc[2], 50_000 * TOKEN))  # 5%: enough for a 4% quorum, not for 10%
        for who in acc[:3]:
            tx(c, who, token.delegate(who))
        mine(w3)
        proposals = {}

        def propose(name, target=c.nft.address, calldata=None):
            calldata = calldata or c.nft.encode_abi("setDefaultRoyalty", [400 + len(proposals)])
            args = ([target], [0], [bytes.fromhex(calldata[2:])], f"proposal {name}")
            tx(c, acc[0], g.propose(*args))
            proposals[name] = (g.hashProposal(*args[:3], Web3.keccak(text=args[3])).call(), args)
            return proposals[name][0]

        def vote(name, who, support):
            tx(c, acc[who], g.castVote(proposals[name][0], support))

        propose("raise-quorum", c.governor.address, c.governor.encode_abi("updateQuorumNumerator", [10]))
        for name in ("against", "empty", "small", "queued", "succeeded", "canceled"):
            propose(name)
        _, args = proposals["canceled"]
        tx(c, acc[0], g.cancel(*args[:3], Web3.keccak(text=args[3])))  # while Pending: the proposer may
        mine(w3, 2)
        vote("raise-quorum", 0, FOR)
        vote("against", 0, AGAINST)
        vote("small", 1, FOR)  # 2% < the 4% quorum
        vote("queued", 0, FOR)
        vote("succeeded", 0, FOR)
        vote("succeeded", 1, ABSTAIN)
        mine(w3, 21)
        for name in ("raise-quorum", "queued"):
            _, args = proposals[name]
            tx(c, acc[0], c.charter.functions.queue(c.governor.address, *args[:3], Web3.keccak(text=args[3])))
        mine(w3, 1, seconds=61)
        _, args = proposals["raise-quorum"]
        tx(c, acc[0], g.execute(*args[:3], Web3.keccak(text=args[3])))
        propose("late")  # its quorum is 10% now: acc2's 5% is not enough
        mine(w3, 2)
        vote("late", 2, FOR)
        mine(w3, 21)
        propose("active")
        mine(w3, 2)
        propose("pending")
        env.update(commons=c, proposals={k: v[0] for k, v in proposals.items()})
        yield env


def test_gov_reads_from_index_equal_the_governor(governed):
    c, ids = governed["commons"], governed["proposals"]
    states = {name: c.governor.functions.state(pid).call() for name, pid in ids.items()}
    # Pending 0, Active 1, Canceled 2, Defeated 3, Succeeded 4, Queued 5, Executed 7: all of them met
    assert states == {"raise-quorum": 7, "against": 3, "empty": 3, "small": 3, "queued": 5, "succeeded": 4,
                      "canceled": 2, "late": 3, "active": 1, "pending": 0}
    run = in_process(governed)
    ok(run("index", "sync", "--quiet"))
    commands = [["gov", "list"]] + [["gov", "status", str(pid)] for pid in ids.values()]
    for command in commands:
        for form in ([], ["--json"]):
            from_chain = ok(run(*command, *form, "--no-index"))
            from_index = ok(run(*command, *form))
            assert "answering from the chain" not in from_index.stderr, command
            assert from_index.stdout == from_chain.stdout, command
    # the explorer's proposals page, which states a page of them in a few batched queries
    engine = open_engine(f"sqlite:///{governed['root'] / 'home' / 'index.sqlite'}", create=False)
    explorer = Explorer.find(engine, c.deployment.chain_id, c.nft.address)
    page = explorer.proposals(governed["w3"].eth.block_number)
    names = {pid: name for name, pid in ids.items()}
    assert {names[int(p["id"])]: p["state"] for p in page["items"]} == {
        name: PROPOSAL_STATE[state] for name, state in states.items()}


def test_gov_status_of_an_unknown_proposal_fails_alike(governed):
    run = in_process(governed)
    ok(run("index", "sync", "--quiet"))
    from_chain, from_index = run("gov", "status", "12345", "--no-index"), run("gov", "status", "12345")
    assert from_chain.returncode == from_index.returncode == 1
    assert from_index.stderr == from_chain.stderr == (
        "error: no proposal 12345 in this commons (`commons gov list` shows them)\n")
