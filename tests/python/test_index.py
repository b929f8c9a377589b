"""The index: every read command answers the same from the index as from the chain; sync resumes
after a kill, survives reorgs and providers that refuse wide log ranges."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from web3 import Web3

from chain_seed import NATIVE, publish, params, seed_variety, tx
from conftest import in_process, ok, start_chain_env
from opencommons.chain.deploy import Deployment
from opencommons.suite import Commons


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    for env in start_chain_env(tmp_path_factory, "--curator", "{0}", "--verifier", "{3}", "--validator", "{4}"):
        w3 = env["w3"]
        deployment = Deployment.from_file(next((env["root"] / "deployments").glob("*.json")))
        commons = Commons(w3, deployment)
        acc = [Web3.to_checksum_address(a) for a in env["accounts"]]
        env.update(commons=commons, acc=acc, ids=seed_variety(commons, acc))
        yield env


def read_commands(env):
    ids, acc = env["ids"], env["acc"]
    commands = [["dataset", "list"], ["dataset", "list", "--license", "cc0-1.0"],
                ["dataset", "list", "--commons", "BR/health"], ["dataset", "list", "--contributor", acc[3].lower()],
                ["stats"]]
    for dataset in ids.values():
        commands += [["dataset", "show", str(dataset)], ["dataset", "lineage", str(dataset)],
                     ["royalties", "balance", "--dataset", str(dataset), "--of", acc[1]],
                     ["royalties", "balance", "--dataset", str(dataset), "--of", acc[3]]]
    for who in acc[1:6]:
        commands += [["contributor", "show", who, "--claim", "kyc"], ["contributor", "earnings", who]]
    return commands


def test_index_sync_reads_equal_chain_reads(seeded):
    ok(seeded["run"]("index", "sync"))
    run = in_process(seeded)
    for command in read_commands(seeded):
        for form in ([], ["--json"]):
            from_chain = ok(run(*command, *form, "--no-index"))
            from_index = ok(run(*command, *form))
            assert "answering from the chain" not in from_index.stderr, command
            assert from_index.stdout == from_chain.stdout, command
    stats = json.loads(ok(run("stats", "--json")).stdout)
    assert stats["datasets"] == 5 and stats["byStatus"] == {"Accepted": 2, "Proposed": 1, "Rejected": 1,
                                                            "Retired": 1}
    assert stats["proposals"] == 1 and stats["licences"] == 1 and stats["contributors"] == 4
    lineage = ok(run("dataset", "lineage", str(seeded["ids"]["child"]))).stdout
    assert "derives from:" in lineage and str(seeded["ids"]["a"]) in lineage and "[Rejected]" in lineage
    earned = json.loads(ok(run("contributor", "earnings", seeded["acc"][1], "--json")).stdout)
    by_dataset = {int(row["dataset"]): row for row in earned}
    assert int(by_dataset[seeded["ids"]["a"]]["claimed"]) > 0  # claimed once, then credited by the settlement
    assert int(by_dataset[seeded["ids"]["a"]]["claimable"]) > 0
    assert by_dataset[seeded["ids"]["b"]]["claimable"] == "0"  # rejected
    # the answers really come from the index: change a row and the output follows
    path = seeded["root"] / "home" / "index.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE datasets SET license = 'TAMPERED' WHERE license = 'MIT'")
    assert " TAMPERED " in ok(run("dataset", "list")).stdout
    assert "TAMPERED" not in ok(run("dataset", "list", "--no-index")).stdout
    with sqlite3.connect(path) as db:
        db.execute("UPDATE datasets SET license = 'MIT' WHERE license = 'TAMPERED'")


def test_index_read_falls_back_to_chain_when_behind(seeded):
    run, c, acc = seeded["run"], seeded["commons"], seeded["acc"]
    ok(run("index", "sync"))
    tx(c, acc[6], c.vault.functions.pay(seeded["ids"]["a"], NATIVE, 5 * 10**15), value=5 * 10**15)
    behind = ok(run("royalties", "balance", "--dataset", str(seeded["ids"]["a"]), "--of", seeded["acc"][2], "--json"))
    assert "blocks behind the chain" in behind.stderr
    ok(run("index", "sync"))
    caught_up = ok(run("royalties", "balance", "--dataset", str(seeded["ids"]["a"]), "--of", seeded["acc"][2], "--json"))
    assert caught_up.stderr == "" and caught_up.stdout == behind.stdout
    status = json.loads(ok(run("index", "status", "--json")).stdout)
    assert status["behind"] == 0 and status["syncedTo"] == status["head"]


def test_index_follows_a_publication_displaced_by_an_older_commitment(seeded):
    """A watcher copies a content id and publishes first; the older commitment's reveal displaces
    it in one transaction (burn of the copy, mint of the original): the index answers as the chain."""
    from opencommons.chain.reveal import commit, reveal_fn
    from opencommons.chain.transactions import NodeAccount
    from opencommons.publish import on_chain_contributors

    run, c, acc = in_process(seeded), seeded["commons"], seeded["acc"]
    honest = params([(acc[1], 10_000)])
    salt, _ = commit(c.w3, c.nft, NodeAccount(acc[1]), honest)
    copy = honest[:8] + (on_chain_contributors([(acc[2], 10_000)]),)
    dataset = publish(c, acc[2], copy)
    tx(c, acc[6], c.vault.functions.pay(dataset, NATIVE, 777), value=777)
    displaced = tx(c, acc[1], reveal_fn(c.nft, honest, salt))
    assert c.nft.events.PublicationDisplaced().process_receipt(displaced)[0]["args"]["displaced"] == acc[2]
    ok(seeded["run"]("index", "sync"))
    for command in (["dataset", "show", str(dataset)], ["contributor", "earnings", acc[2]],
                    ["dataset", "list", "--contributor", acc[1].lower()],
                    ["royalties", "balance", "--dataset", str(dataset), "--of", acc[2]]):
        for form in ([], ["--json"]):
            from_index = ok(run(*command, *form))
            assert "answering from the chain" not in from_index.stderr, command
            assert from_index.stdout == ok(run(*command, *form, "--no-index")).stdout, command
    shown = json.loads(ok(run("dataset", "show", str(dataset), "--json")).stdout)
    assert shown["owner"] == acc[1] and [c["account"] for c in shown["contributors"]] == [acc[1]]
    assert c.nft.functions.generationOf(dataset).call() == 1
    # the explorer's totals leave the burnt copy out (counted as the rows that match less those
    # burnt since), as its pages do
    from opencommons.index.database import open_engine
    from opencommons.index.explorer import Explorer
    from opencommons.index.sync import Indexer

    indexer = Indexer(open_engine(f"sqlite:///{seeded['root'] / 'explorer-totals.sqlite'}"), c.w3, c.deployment)
    indexer.sync()
    explorer = Explorer(indexer.engine, indexer.commons_id)
    for query in ({}, {"contributor": acc[2]}, {"contributor": acc[1]}, {"text": str(dataset)}):
        page = explorer.search(**query, limit=500)
        assert page["total"] == len(page["items"]), query
    assert [i["id"] for i in explorer.search(text=str(dataset))["items"]] == [str(dataset)]
    assert str(dataset) not in {i["id"] for i in explorer.search(contributor=acc[2], limit=500)["items"]}


def test_index_page_of_rows_equals_chain_reads(seeded):
    """The wallet page's rows read together from the index (`dataset_views`, `licence_offers`,
    `attestation_counts`) answer as the chain does: terms set twice (the latest counts), a copy's
    terms ended by its displacement (a new generation), a burnt id left out of the rows."""
    from opencommons.chain.reveal import commit, reveal_fn
    from opencommons.chain.transactions import NodeAccount
    from opencommons.chainreads import ChainReader
    from opencommons.index.database import open_engine
    from opencommons.index.explorer import Explorer
    from opencommons.index.sync import Indexer
    from opencommons.ipfs.content import open_store
    from opencommons.licensing.documents import chain_of
    from opencommons.publish import on_chain_contributors

    c, acc, ids = seeded["commons"], seeded["acc"], seeded["ids"]
    tx(c, acc[1], c.licenses.functions.setTerms(ids["a"], NATIVE, 3 * 10**16, 0, b"\x22" * 32, True))
    honest = params([(acc[3], 10_000)])
    salt, _ = commit(c.w3, c.nft, NodeAccount(acc[3]), honest)
    copy = honest[:8] + (on_chain_contributors([(acc[2], 10_000)]),)
    copied = publish(c, acc[2], copy)
    tx(c, acc[2], c.licenses.functions.setTerms(copied, NATIVE, 10**15, 3_600, b"\x33" * 32, True))
    indexer = Indexer(open_engine(f"sqlite:///{seeded['root'] / 'page-rows.sqlite'}"), c.w3, c.deployment)
    explorer = Explorer(indexer.engine, indexer.commons_id)
    chain = ChainReader(c)
    every = [*ids.values(), copied, 12345]  # 12345 was never published

    def same() -> dict[str, dict]:
        indexer.sync()
        views = explorer.dataset_views(every)
        assert views == chain.dataset_views(every)
        assert views == [explorer.dataset_view(int(v["id"])) for v in views]
        offers = explorer.licence_offers(every)
        assert offers == chain.licence_offers(every)
        attested = {str(i): len(c.attestations.events.DatasetAttested().get_logs(
            from_block=c.deployment.block, argument_filters={"datasetId": i})) for i in every}
        assert explorer.attestation_counts(every) == attested
        # the dataset page's licence chain (each ancestor's licence and terms) reads the same
        store = open_store("embedded", seeded["root"] / "page-rows-ipfs")
        for i in every:
            assert chain_of(c, store, i, reader=explorer) == chain_of(c, store, i), i
        return offers

    offers = same()
    assert offers[str(ids["a"])]["price"] == str(3 * 10**16) and offers[str(ids["a"])]["duration"] == 0
    assert offers[str(copied)]["active"] and offers["12345"]["active"] is False
    tx(c, acc[3], reveal_fn(c.nft, honest, salt))  # the copy is burnt, the original minted: generation 1
    timelock = c.timelock.address
    c.w3.provider.make_request("anvil_impersonateAccount", [timelock])
    c.w3.provider.make_request("anvil_setBalance", [timelock, hex(10**18)])
    c.nft.functions.burn(ids["b"]).transact({"from": timelock})  # Rejected, then burnt by governance
    offers = same()
    assert offers[str(copied)]["active"] is False and offers[str(copied)]["price"] == "0"
    assert str(ids["b"]) not in {v["id"] for v in explorer.dataset_views(every)}


def test_index_credits_add_up_to_the_vaults_pools(seeded):
    """Each payment's credits (one per contributor of the paid generation, its share times the rise
    the event implies) add up, per pool, to each contributor's share of the accumulator the vault
    emitted last; payments whose carry wraps (1 wei, 9,999, 10,001) included, over the generations
    and burns the tests above made. Each account's credits above zero are numbered 1, 2, ... per
    token, in order."""
    from collections import defaultdict

    from sqlalchemy import select

    from opencommons.index import schema
    from opencommons.index.database import open_engine
    from opencommons.index.sync import Indexer

    c, acc, ids = seeded["commons"], seeded["acc"], seeded["ids"]
    for amount in (1, 9_999, 10_001, 3, 123_457, 10**18 + 7):
        for dataset in (ids["a"], ids["child"]):
            tx(c, acc[5], c.vault.functions.pay(dataset, NATIVE, amount), value=amount)
    indexer = Indexer(open_engine(f"sqlite:///{seeded['root'] / 'credits.sqlite'}"), c.w3, c.deployment)
    indexer.sync()
    p, cr, dc = schema.payments, schema.credits, schema.dataset_contributors
    with indexer.engine.connect() as conn:
        latest = {}
        for row in conn.execute(select(p).order_by(p.c.block, p.c.log_index)):
            latest[(row.dataset, row.generation, row.token)] = int(row.earned_per_bps)
        shares = {(r.dataset, r.generation, r.account): r.share_bps for r in conn.execute(select(dc))}
        credited, numbers = defaultdict(int), defaultdict(list)
        for row in conn.execute(select(cr).order_by(cr.c.block, cr.c.log_index)):
            credit = sum(int(getattr(row, limb)) << (i * schema.LIMB_BITS) for i, limb in enumerate(schema.LIMBS))
            credited[(row.dataset, row.generation, row.token, row.account)] += credit
            assert (row.n is None) == (credit == 0)
            if row.n is not None:
                numbers[(row.account, row.token)].append(row.n)
    assert len(latest) >= 3 and credited  # the seeded pools at least (more after the tests above, on one worker)
    for (dataset, generation, token, account), credit in credited.items():
        assert credit == shares[(dataset, generation, account)] * latest[(dataset, generation, token)]
    for pool in latest:  # every contributor of the paid generation is credited (zero included)
        assert {key[2] for key in shares if key[:2] == pool[:2]} == {key[3] for key in credited if key[:3] == pool}
    assert all(n == list(range(1, len(n) + 1)) for n in numbers.values())
