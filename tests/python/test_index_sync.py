"""Sync on real networks' terms: a reorg on Anvil, a kill mid-sync, a provider refusing wide ranges."""

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import select
from web3 import HTTPProvider, Web3

from chain_seed import NATIVE, params, publish, seed_variety, tx
from conftest import start_chain_env
from opencommons.chain.deploy import Deployment
from opencommons.chainreads import ChainReader
from opencommons.index import schema
from opencommons.index.database import open_engine
from opencommons.index.reads import IndexReader
from opencommons.index.sync import Indexer
from opencommons.suite import Commons
from rpc_proxy import RpcProxy


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    for env in start_chain_env(tmp_path_factory, "--curator", "{0}", "--verifier", "{3}", "--validator", "{4}"):
        deployment = Deployment.from_file(next((env["root"] / "deployments").glob("*.json")))
        commons = Commons(env["w3"], deployment)
        acc = [Web3.to_checksum_address(a) for a in env["accounts"]]
        env.update(commons=commons, acc=acc, deployment=deployment, ids=seed_variety(commons, acc))
        yield env


def dump(engine, commons_id):
    """Every event row of one commons, comparable across databases."""
    rows = {}
    with engine.connect() as conn:
        for table in schema.EVENT_TABLES:
            rows[table.name] = sorted(tuple(r[1:]) for r in conn.execute(
                select(table).where(table.c.commons == commons_id)).all())
    return rows


def fresh(chain, tmp_path, name="fresh.sqlite"):
    engine = open_engine(f"sqlite:///{tmp_path / name}")
    indexer = Indexer(engine, chain["w3"], chain["deployment"])
    indexer.sync()
    return engine, indexer


def test_sync_rolls_back_a_reorg_and_reads_the_new_branch(chain, tmp_path):
    c, acc, w3 = chain["commons"], chain["acc"], chain["w3"]
    engine, indexer = fresh(chain, tmp_path, "reorg.sqlite")
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    lost = publish(c, acc[1], params([(acc[1], 10_000)]))
    tx(c, acc[5], c.vault.functions.pay(chain["ids"]["a"], NATIVE, 777_000), value=777_000)
    indexer.sync()
    reader = IndexReader(engine, indexer.commons_id)
    assert reader.exists(lost)
    assert w3.provider.make_request("evm_revert", [snapshot])["result"] is True
    kept = publish(c, acc[2], params([(acc[2], 10_000)]))
    tx(c, acc[6], c.vault.functions.pay(chain["ids"]["a"], NATIVE, 123_000), value=123_000)
    for _ in range(3):
        w3.provider.make_request("evm_mine", [])
    rolled = []
    indexer.progress = lambda p: rolled.append(p.rolled_back_to) if p.rolled_back_to is not None else None
    indexer.sync()
    assert rolled and rolled[0] < w3.eth.block_number
    assert not reader.exists(lost) and reader.exists(kept)
    chain_reader = ChainReader(c)
    assert reader.list_datasets() == chain_reader.list_datasets()
    for who in acc[1:4]:
        assert reader.claimable(chain["ids"]["a"], NATIVE, who) == chain_reader.claimable(chain["ids"]["a"], NATIVE, who)
    other, other_indexer = fresh(chain, tmp_path)
    assert dump(engine, indexer.commons_id) == dump(other, other_indexer.commons_id)


def test_sync_resumes_exactly_after_a_kill(chain, tmp_path):
    proxy = RpcProxy(chain["url"], delay=0.02)  # slow enough to be killed mid-way
    db = tmp_path / "killed.sqlite"
    env = {**os.environ, "OPENCOMMONS_RPC": proxy.url, "OPENCOMMONS_INDEX_DB": str(db)}
    process = subprocess.Popen([sys.executable, "-m", "opencommons.cli", "index", "sync", "--window", "1"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=chain["root"], text=True)
    windows = 0
    for line in process.stderr:
        windows += line.startswith("synced to block")
        if windows == 8:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    proxy.close()
    assert process.returncode == -signal.SIGKILL
    engine = open_engine(f"sqlite:///{db}")
    killed = Indexer(engine, chain["w3"], chain["deployment"])
    stopped_at = killed.next_block()
    assert chain["deployment"].block + 8 <= stopped_at <= chain["w3"].eth.block_number  # stopped mid-sync
    with engine.connect() as conn:  # nothing of a window past the cursor was kept
        for table in schema.EVENT_TABLES:
            assert conn.execute(select(table.c.block).where(table.c.block >= stopped_at)).first() is None
    killed.sync()
    other, other_indexer = fresh(chain, tmp_path)
    assert dump(engine, killed.commons_id) == dump(other, other_indexer.commons_id)


def test_sync_narrows_its_window_when_the_provider_refuses_wide_ranges(chain, tmp_path):
    proxy = RpcProxy(chain["url"], max_log_range=7)
    try:
        engine = open_engine(f"sqlite:///{tmp_path / 'narrow.sqlite'}")
        indexer = Indexer(engine, Web3(HTTPProvider(proxy.url)), chain["deployment"], window=2_000)
        indexer.sync()
    finally:
        proxy.close()
    assert proxy.refused and max(proxy.served) <= 7
    other, other_indexer = fresh(chain, tmp_path)
    assert dump(engine, indexer.commons_id) == dump(other, other_indexer.commons_id)
    assert IndexReader(engine, indexer.commons_id).list_datasets() == ChainReader(chain["commons"]).list_datasets()


def test_sync_refuses_a_second_writer_midway(chain, tmp_path):
    engine, indexer = fresh(chain, tmp_path, "two.sqlite")
    second = Indexer(engine, chain["w3"], chain["deployment"])
    tx(chain["commons"], chain["acc"][6], chain["commons"].vault.functions.pay(chain["ids"]["a"], NATIVE, 5), value=5)
    second.sync()
    with pytest.raises(Exception, match="another process is syncing"):
        indexer._write(indexer.next_block() - 1, indexer.next_block() - 1, chain["w3"].eth.block_number, [])


@pytest.fixture(scope="module")
def postgres():
    from postgres_server import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


def test_sync_into_postgresql_equals_sqlite(chain, tmp_path, postgres):
    from opencommons.index.database import resolve_url

    engine = open_engine(resolve_url(postgres.url))
    indexer = Indexer(engine, chain["w3"], chain["deployment"], window=5)
    indexer.sync()
    other, other_indexer = fresh(chain, tmp_path)
    assert dump(engine, indexer.commons_id) == dump(other, other_indexer.commons_id)
    pg, lite = IndexReader(engine, indexer.commons_id), IndexReader(other, other_indexer.commons_id)
    ids, acc = chain["ids"], chain["acc"]
    assert pg.list_datasets() == lite.list_datasets() == ChainReader(chain["commons"]).list_datasets()
    assert pg.list_datasets(license_id="cc0-1.0") == lite.list_datasets(license_id="cc0-1.0")
    assert pg.list_datasets(contributor=acc[3].lower()) == lite.list_datasets(contributor=acc[3].lower())
    for dataset in ids.values():
        assert pg.dataset_view(dataset) == lite.dataset_view(dataset)
        assert pg.lineage(dataset) == lite.lineage(dataset)
    for who in acc[1:5]:
        assert pg.earnings(who) == lite.earnings(who)
        assert pg.contributor(who) == lite.contributor(who)
    assert pg.stats() == lite.stats()
    from_cli = chain["run"]("dataset", "list", "--json", "--db", postgres.url)
    assert from_cli.returncode == 0 and from_cli.stderr == "", from_cli.stderr
    assert from_cli.stdout == chain["run"]("dataset", "list", "--json", "--no-index").stdout


def test_a_large_sync_gathers_statistics_and_an_older_index_gains_new_indexes(chain, tmp_path, postgres,
                                                                             monkeypatch):
    """Past ANALYZE_AFTER events a sync has the database gather its planner's statistics (without
    them SQLite walked every payment of a commons for one dataset's); an index made by an older
    version, lacking an index this one declares, gains it when opened."""
    from opencommons.index import sync
    from opencommons.index.database import resolve_url

    monkeypatch.setattr(sync, "ANALYZE_AFTER", 10**9)
    engine, _ = fresh(chain, tmp_path, "unanalyzed.sqlite")
    with engine.connect() as conn:
        assert not conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").all()
    monkeypatch.setattr(sync, "ANALYZE_AFTER", 1)
    engine, _ = fresh(chain, tmp_path, "analyzed.sqlite")
    with engine.connect() as conn:
        assert "payments" in {t for (t,) in conn.exec_driver_sql("SELECT tbl FROM sqlite_stat1")}
        conn.exec_driver_sql("DROP INDEX ix_payments_dataset_generation_covering")
        conn.commit()
    with open_engine(f"sqlite:///{tmp_path / 'analyzed.sqlite'}").connect() as conn:
        assert conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND name = "
                                    "'ix_payments_dataset_generation_covering'").all()
    monkeypatch.setattr(sync, "ANALYZE_AFTER", 0)  # the server may hold this commons already: nothing new
    pg = open_engine(resolve_url(postgres.url))
    Indexer(pg, chain["w3"], chain["deployment"]).sync()
    with pg.connect() as conn:
        analyzed = conn.exec_driver_sql("SELECT last_analyze, last_vacuum FROM pg_stat_user_tables "
                                        "WHERE relname = 'payments'").one()
        assert None not in analyzed  # vacuumed too: counts can be answered from an index alone
        # the licence's index carries the licence (an index-only count); the versions' holds only
        # the datasets that have a previous version
        definitions = dict(conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                                                "'datasets'").all())
        assert "INCLUDE (license)" in definitions["ix_datasets_licence_page"]
        assert "WHERE (previous_version IS NOT NULL)" in definitions["ix_datasets_versions"]


def _follower(chain, db):
    """`commons index sync --follow` into the SQLite file `db`, running."""
    env = {**os.environ, "OPENCOMMONS_RPC": chain["url"], "OPENCOMMONS_INDEX_DB": str(db)}
    return subprocess.Popen([sys.executable, "-m", "opencommons.cli", "index", "sync", "--follow", "--poll", "0.1",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=chain["root"],
                            text=True)


def test_index_sync_follow_keeps_up_and_stops_on_ctrl_c(chain, tmp_path):
    import time

    db = tmp_path / "follow.sqlite"
    follower = _follower(chain, db)
    try:
        assert follower.stdout.readline().startswith("indexed ")
        c, acc = chain["commons"], chain["acc"]
        engine = open_engine(f"sqlite:///{db}", create=False)
        reader = IndexReader.find(engine, chain["deployment"].chain_id, chain["deployment"].addresses["DatasetNFT"])
        for amount in (11, 22, 33):
            tx(c, acc[5], c.vault.functions.pay(chain["ids"]["child"], NATIVE, amount), value=amount)
            deadline = time.monotonic() + 10
            while reader.next_block() <= chain["w3"].eth.block_number and time.monotonic() < deadline:
                time.sleep(0.05)
            assert reader.next_block() == chain["w3"].eth.block_number + 1
        assert reader.pending_for_parents(chain["ids"]["child"], NATIVE) == c.vault.functions.pendingAncestorOf(
            chain["ids"]["child"], NATIVE).call()
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=20)
    assert follower.returncode == 130


def test_index_sync_follow_stops_when_its_database_is_deleted(chain, tmp_path):
    """A deleted SQLite file would go on taking writes through the open connections, unseen: the
    follower notices and says how to rebuild it."""
    db = tmp_path / "doomed.sqlite"
    follower = _follower(chain, db)
    try:
        assert follower.stdout.readline().startswith("indexed ")
        for path in tmp_path.glob("doomed.sqlite*"):
            path.unlink()
        _, stderr = follower.communicate(timeout=20)
    finally:
        follower.kill()
    assert follower.returncode == 1
    assert stderr.strip() == (f"error: the index database {db} was deleted while following: run `commons index sync` "
                              "again to rebuild it")


@pytest.mark.parametrize("db, message", [
    ("postgresql://nobody@127.0.0.1:9/none", "error: cannot open index database postgresql://nobody@127.0.0.1:9/none:"),
    ("mysql://x@127.0.0.1/none", "error: unsupported index database mysql://x@127.0.0.1/none: give a SQLite file (a "
                                 "path) or postgresql://USER@HOST/DB"),
])
def test_index_sync_bad_database_is_one_line_error(chain, db, message):
    proc = chain["run"]("index", "sync", "--db", db)
    assert proc.returncode == 1 and proc.stderr.startswith(message) and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_index_of_another_schema_version_is_refused(chain, tmp_path):
    engine, _ = fresh(chain, tmp_path, "old.sqlite")
    with engine.begin() as conn:
        conn.execute(schema.meta.update().values(value=str(schema.SCHEMA_VERSION - 1)))  # the one before
    proc = chain["run"]("dataset", "list", "--db", str(tmp_path / "old.sqlite"))
    assert proc.returncode == 1 and (f"has schema {schema.SCHEMA_VERSION - 1}, this version reads "
                                     f"{schema.SCHEMA_VERSION}: delete it") in proc.stderr
    missing = chain["run"]("dataset", "list", "--db", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 1 and "no index at" in missing.stderr
