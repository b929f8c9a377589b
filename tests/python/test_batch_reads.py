"""Reads in one JSON-RPC batch (`chain/batch.py`) answer what web3.py's own calls answer, and an
answer that is missing, malformed or another's is asked again rather than believed; the batch
publish's shared fee quote and estimates land every dataset."""

import os
from pathlib import Path

import pytest
from web3 import Web3
from web3.exceptions import ContractCustomError

from chain_seed import params, publish
from opencommons import publish as pub
from opencommons.chain import batch
from opencommons.chain.deploy import deploy_suite
from opencommons.chain.localnode import LocalChain
from opencommons.chain.provider import web3_for
from opencommons.chain.transactions import FeeQuote, NodeAccount, send, transact
from opencommons.errors import ChainError
from opencommons.ipfs.content import EmbeddedContent
from opencommons.ipfs.store import EmbeddedStore
from opencommons.suite import Commons


@pytest.fixture(scope="module")
def chain():
    with LocalChain("anvil") as node:
        w3 = web3_for(node.url)
        acc = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
        c = Commons(w3, deploy_suite(w3, NodeAccount(acc[0])))
        for who in acc[1:4]:
            transact(w3, NodeAccount(who), c.registry.functions.register(os.urandom(32), 0x55, pub.commons_id("KE/x")))
        dataset = publish(c, acc[1], params([(acc[1], 6000), (acc[2], 4000)]))
        yield c, acc, dataset


def reads(c, acc, dataset):
    nft, registry = c.nft.functions, c.registry.functions
    return [nft.exists(dataset), nft.exists(12345), nft.dataset(dataset), nft.ownerOf(dataset),
            nft.shareOf(dataset, acc[2]), nft.shareOf(dataset, acc[5]), registry.isRegistered(acc[1]),
            registry.isRegistered(acc[6]), nft.minCommitAge(), nft.statusAndGenerationOf(dataset)]


def test_batched_reads_equal_web3s_calls(chain):
    c, acc, dataset = chain
    fns = reads(c, acc, dataset)
    expected = [fn.call() for fn in fns]
    got = batch.call_all(c.w3, fns)
    assert got == expected and [type(v) for v in got] == [type(v) for v in expected]
    assert got[3] == acc[1] and got[4] == 4000 and got[0] is True and got[1] is False  # checksummed, typed
    assert isinstance(got[2], tuple) and got[2][4] == "CC-BY-4.0"  # a struct: a tuple, as web3.py's
    assert isinstance(got[-1], list) and len(got[-1]) == 2  # two outputs: a list, as web3.py's
    assert batch.call_all(c.w3, []) == []


def test_a_reverting_read_in_a_batch_raises_as_its_own_call_does(chain):
    c, acc, dataset = chain
    with pytest.raises(ContractCustomError) as alone:
        c.nft.functions.dataset(999).call()
    with pytest.raises(ContractCustomError) as batched:
        batch.call_all(c.w3, [c.nft.functions.exists(dataset), c.nft.functions.dataset(999)])
    assert batched.value.data == alone.value.data


@pytest.mark.parametrize("answer", ["short", "garbage", "errors", "raises"])
def test_missing_or_malformed_batch_answers_are_asked_again(chain, monkeypatch, answer):
    c, acc, dataset = chain
    fns = reads(c, acc, dataset)
    expected = [fn.call() for fn in fns]
    provider = c.w3.provider
    real = provider.make_batch_request
    asked = []

    def lying(requests):
        asked.append(len(requests))
        if answer == "raises":
            raise ConnectionError("the proxy has no batches")
        answers = real(requests)
        if answer == "short":
            return answers[:-1]
        if answer == "garbage":
            return [{"jsonrpc": "2.0", "id": a.get("id"), "result": "0xzz"} for a in answers]
        return [{"jsonrpc": "2.0", "id": a.get("id"), "error": {"code": -32000, "message": "busy"}} for a in answers]

    monkeypatch.setattr(provider, "make_batch_request", lying)
    assert batch.call_all(c.w3, fns) == expected
    assert asked == [len(fns)]


def test_receipts_in_a_batch_and_a_reverted_or_foreign_one(chain, monkeypatch):
    c, acc, dataset = chain
    w3 = c.w3
    me = NodeAccount(acc[1])
    sent = [send(w3, me, c.registry.functions.updateProfile(os.urandom(32), 0x55, pub.commons_id("KE/y")))
            for _ in range(3)]
    hashes = [h.to_0x_hex() for h in sent]
    landed = batch.receipts(w3, hashes)
    for h, got in zip(hashes, landed):
        receipt = w3.eth.get_transaction_receipt(h)
        assert got == {"blockNumber": receipt["blockNumber"], "gasUsed": receipt["gasUsed"], "status": 1}
    real = w3.provider.make_batch_request
    monkeypatch.setattr(w3.provider, "make_batch_request", lambda requests: list(reversed(real(requests))))
    assert batch.receipts(w3, hashes) == landed  # each answer names another transaction: read again alone
    monkeypatch.undo()
    reverted = w3.eth.send_transaction({"from": acc[1], "to": c.registry.address, "data": "0xdeadbeef",
                                        "gas": 100_000})
    with pytest.raises(ChainError, match="reverted"):
        batch.receipts(w3, [hashes[0], reverted.to_0x_hex()])


def test_estimates_in_a_batch_and_none_for_a_call_that_would_revert(chain):
    c, acc, dataset = chain
    nft = c.nft.functions
    fine, refused = nft.commit(os.urandom(32)), nft.curate(dataset, 2)  # acc[1] is no curator
    gas = batch.estimate_all(c.w3, acc[1], [fine, refused])
    assert gas[1] is None
    assert gas[0] == int(fine.estimate_gas({"from": acc[1]}) * 1.2) + 10_000


def test_a_fee_quote_is_read_once_and_used_by_each_transaction(chain, monkeypatch):
    c, acc, dataset = chain
    w3 = c.w3
    quote = FeeQuote(w3, ttl_s=3600)
    first = quote()
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    assert first["maxFeePerGas"] == 2 * base + first["maxPriorityFeePerGas"]
    monkeypatch.setattr(type(w3.eth), "get_block", lambda *a, **k: pytest.fail("read the fees again"))
    hashes = [send(w3, NodeAccount(acc[2]), c.nft.functions.commit(os.urandom(32)), fees=quote) for _ in range(2)]
    monkeypatch.undo()
    for h in hashes:
        tx = w3.eth.get_transaction(h)
        assert (tx["maxFeePerGas"], tx["maxPriorityFeePerGas"]) == (first["maxFeePerGas"],
                                                                    first["maxPriorityFeePerGas"])


def batch_of(tmp_path, prefix, count, contributors):
    """`count` publish requests, each a folder `<prefix><i>` of one small CSV of its own."""
    requests = []
    for i in range(count):
        folder = tmp_path / f"{prefix}{i}"
        folder.mkdir()
        (folder / "rows.csv").write_text(f"id,value\n{prefix}{i},{i * i}\n")
        requests.append(pub.PublishRequest(folder, "CC-BY-4.0", "KE/x", contributors, f"{prefix}{i}"))
    return requests


def test_a_batch_publish_reads_registrations_once_and_lands_every_dataset(chain, tmp_path, monkeypatch):
    c, acc, _ = chain
    store = EmbeddedContent(EmbeddedStore(Path(tmp_path) / "ipfs"))
    requests = batch_of(tmp_path, "d", 4, [(acc[1], 5000), (acc[2], 3000), (acc[3], 2000)])
    read = []
    real = batch.call_all

    def counting(w3, fns):
        read.extend(fn.fn_name for fn in fns)
        return real(w3, fns)

    monkeypatch.setattr(pub, "call_all", counting)
    published = pub.publish_many(c, NodeAccount(acc[1]), store, requests, journal_dir=tmp_path / "journal")
    assert read.count("isRegistered") == 1 and read.count("hasRegistered") == 2  # once for the batch
    assert read.count("shareOf") == 12 and read.count("dataset") == 4
    for p, request in zip(published, requests):
        assert c.nft.functions.ownerOf(p.dataset_id).call() == acc[1]
        pub.verify_record(c, p.dataset_id, p.manifest_cid, request)
    again = pub.publish_many(c, NodeAccount(acc[1]), store, requests, journal_dir=tmp_path / "journal")
    assert [p.already for p in again] == [True] * 4


def test_a_reverted_commit_in_a_round_keeps_the_others_and_the_batch_resumes(chain, tmp_path, monkeypatch):
    """One commitment of a round reverts: the round fails with its one line after journaling the
    commitments that landed; run again, the batch commits only the one that failed and publishes
    every dataset once."""
    c, acc, _ = chain
    store = EmbeddedContent(EmbeddedStore(Path(tmp_path) / "ipfs"))
    requests = batch_of(tmp_path, "r", 3, [(acc[1], 10_000)])
    real, sent = pub._send_commit, []

    def one_reverts(commons, sender, request, *args, **kwargs):
        sent.append(request.name)
        if request.name == "r1":  # a transaction that reverts where the commit would have gone
            from hexbytes import HexBytes

            args[1].begin("commit")  # (params, journal, fees, gas)
            return os.urandom(32), HexBytes(c.w3.eth.send_transaction(
                {"from": acc[1], "to": c.registry.address, "data": "0xdeadbeef", "gas": 100_000}))
        return real(commons, sender, request, *args, **kwargs)

    monkeypatch.setattr(pub, "_send_commit", one_reverts)
    with pytest.raises(ChainError, match="reverted"):
        pub.publish_many(c, NodeAccount(acc[1]), store, requests, journal_dir=tmp_path / "journal")
    assert sorted(sent) == ["r0", "r1", "r2"]
    monkeypatch.setattr(pub, "_send_commit", real)
    committing, real_send = [], pub.send_commit

    def counted(w3, nft, sender, params, *args, **kwargs):
        committing.append(params[4])
        return real_send(w3, nft, sender, params, *args, **kwargs)

    monkeypatch.setattr(pub, "send_commit", counted)
    published = pub.publish_many(c, NodeAccount(acc[1]), store, requests, journal_dir=tmp_path / "journal")
    assert len(committing) == 1  # r0's and r2's commitments were journaled: only r1 commits again
    assert all(c.nft.functions.ownerOf(p.dataset_id).call() == acc[1] for p in published)
    assert len({p.dataset_id for p in published}) == 3
