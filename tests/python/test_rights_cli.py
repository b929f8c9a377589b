"""Consent, withdrawal and takedown with due process from the command line and the library (issue
36), on Anvil with the suite deployed by `commons deploy --arbiter`: every path, its refusals in
one line, and a taken-down dataset refused by `get`, `load_dataset`, payments and this machine's pins."""
import json
import shutil
import warnings
from pathlib import Path

import pytest
import sklearn
from conftest import in_process, start_chain_env

IRIS = Path(sklearn.__file__).parent / "datasets" / "data" / "iris.csv"
WINE = Path(sklearn.__file__).parent / "datasets" / "data" / "wine_data.csv"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}", "--arbiter", "{7}")


def ok(proc):
    assert proc.returncode == 0, proc.output if hasattr(proc, "output") else proc.stderr
    return proc.stdout


def one_line_error(proc, text):
    lines = proc.output.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and text in lines[0], proc.output


@pytest.fixture(scope="module")
def run(env):
    return in_process(env)


@pytest.fixture(scope="module")
def publish(env, run, tmp_path_factory):
    """publish(files) -> dataset id: accounts 1 (60%) and 2 (40%), published by 1, accepted."""
    accounts = env["accounts"]
    for index in ("1", "2"):
        ok(run("contributor", "register", "--name", f"c{index}", "--community", "KE/health", "--account", index))

    def _publish(*files):
        d = tmp_path_factory.mktemp("data")
        for f in files:
            shutil.copy(f, d / f.name)
        (d / "README.md").write_text(f"# {d.name}\nscikit-learn's {', '.join(f.name for f in files)}\n")  # its own id
        out = ok(run("dataset", "publish", str(d), "--license", "CC-BY-4.0", "--commons", "KE/health",
                     "--contributor", f"{accounts[1]}=6000", "--contributor", f"{accounts[2]}=4000",
                     "--account", "1", "--json"))
        dataset = json.loads(out)["dataset"]
        ok(run("dataset", "curate", dataset, "accept", "--account", "0"))
        return dataset

    return _publish


def _sleep(env, seconds):
    env["w3"].provider.make_request("evm_increaseTime", [seconds])
    env["w3"].provider.make_request("evm_mine", [])


def test_consent_give_show_and_refusals(env, run, publish, tmp_path):
    accounts = env["accounts"]
    dataset = publish(IRIS)
    shown = json.loads(ok(run("consent", "show", dataset, "--json")))
    assert shown["consented"] == [] and set(shown["notConsented"]) == {accounts[1], accounts[2]}
    purposes = tmp_path / "purposes.txt"
    purposes.write_text("Research on public health only; no re-identification.\n")
    out = ok(run("consent", "give", dataset, "--purposes", str(purposes), "--account", "2"))
    assert "consents to being named in dataset" in out and "for the purposes in b" in out
    shown = json.loads(ok(run("consent", "show", dataset, "--json")))
    assert shown["consented"] == [accounts[2]] and shown["notConsented"] == [accounts[1]]
    assert "1 of 2 contributors consented; not yet: " in ok(run("consent", "show", dataset))
    one_line_error(run("consent", "give", dataset, "--purposes", str(purposes), "--account", "2"),
                   "consented to dataset")
    one_line_error(run("consent", "give", dataset, "--account", "5"), "is not a contributor of dataset")
    one_line_error(run("consent", "give", "12345", "--account", "5"), "there is no dataset 12345")
    one_line_error(run("consent", "give", dataset, "--purposes", str(tmp_path / "missing.txt"), "--account", "1"),
                   "cannot read the purposes document")


def test_consent_signed_by_keystore_and_relayed(env, run, publish, tmp_path):  # publish: 1 and 2 registered
    accounts, w3 = env["accounts"], env["w3"]
    secret = {"OPENCOMMONS_KEYSTORE_PASSWORD": "correct horse battery"}
    address = env["run"]("account", "new", "--dir", str(tmp_path), extra_env=secret).stdout.split()[1]
    keystore = str(tmp_path / f"{address}.json")
    w3.eth.send_transaction({"from": accounts[0], "to": address, "value": 10**17})  # enough to register only
    assert env["run"]("contributor", "register", "--name", "K", "--community", "KE/health", "--account", keystore,
                      extra_env=secret).returncode == 0
    d = tmp_path / "wine"
    d.mkdir()
    shutil.copy(WINE, d / WINE.name)
    published = env["run"]("dataset", "publish", str(d), "--license", "CC-BY-4.0", "--commons", "KE/health",
                           "--contributor", f"{accounts[1]}=5000", "--contributor", f"{address}=5000",
                           "--account", "1", "--json")
    dataset = json.loads(ok(published))["dataset"]
    signed = tmp_path / "consent.json"
    signing = env["run"]("consent", "sign", dataset, "--out", str(signed), "--account", keystore, extra_env=secret)
    assert signing.returncode == 0, signing.stderr
    assert json.loads(signed.read_text())["contributor"] == address
    one_line_error(run("consent", "sign", dataset, "--out", str(signed), "--account", "1"), "exists")
    out = ok(run("consent", "relay", str(signed), "--account", "5"))
    assert f"consent of {address} to dataset {dataset} recorded (gas paid by {accounts[5]})" in out
    assert address in json.loads(ok(run("consent", "show", dataset, "--json")))["consented"]
    one_line_error(run("consent", "relay", str(signed), "--account", "5"), "reverted")  # its nonce is spent
    (tmp_path / "bad.json").write_text("[1, 2]")
    one_line_error(run("consent", "relay", str(tmp_path / "bad.json"), "--account", "5"), "is not a signed consent")


def test_withdraw_is_recorded_and_said_by_show_get_and_load_dataset(env, run, publish, tmp_path):
    import opencommons

    accounts = env["accounts"]
    dataset = publish(IRIS, WINE)
    out = ok(run("consent", "withdraw", dataset, "--files", "wine_data.csv", "--account", "2"))
    assert "withdrew 1 file(s) (listed in b" in out
    one_line_error(run("consent", "withdraw", dataset, "--account", "2"), "withdrew from dataset")
    one_line_error(run("consent", "withdraw", dataset, "--account", "6"), "is not a contributor")
    shown = ok(run("dataset", "show", dataset))
    assert "withdrawn" in shown and "withdrew the files listed in b" in shown
    facts = json.loads(ok(run("dataset", "show", dataset, "--json")))["rights"]
    assert facts["withdrawn"][0]["account"] == accounts[2] and facts["withdrawn"][0]["files"].startswith("b")
    got = ok(run("dataset", "get", dataset, str(tmp_path / "copy")))
    assert f"warning: withdrawn: {accounts[2]} withdrew the files listed in" in got
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs",
             "cache": tmp_path / "cache"}
    with pytest.warns(UserWarning, match="withdrawn: .* a new version without them supersedes this one"):
        opencommons.load_dataset(dataset, record_set="iris", **where)


def test_upheld_dispute_takes_the_dataset_down_everywhere_until_an_appeal_reinstates_it(env, run, publish, tmp_path):
    import opencommons

    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore

    accounts, w3 = env["accounts"], env["w3"]
    dataset = publish(IRIS)
    ok(run("royalties", "pay", dataset, "0.5", "--account", "6"))  # owed to accounts 1 and 2, then frozen
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("Row 17 names a patient: see the attached hospital record.\n")
    one_line_error(run("dispute", "raise", dataset, "--reason", "privacy", "--evidence", str(evidence),
                       "--account", "5"), "unknown reason 'privacy': use one of personal-data, copyright,")
    before = w3.eth.get_balance(accounts[5])
    out = ok(run("dispute", "raise", dataset, "--reason", "personal-data", "--evidence", str(evidence),
                 "--account", "5"))
    dispute = out.strip().splitlines()[-1].split()[1]
    assert w3.eth.get_balance(accounts[5]) < before - 10**16 + 1  # the bond (0.01 ETH) and gas
    one_line_error(run("dispute", "raise", dataset, "--reason", "copyright", "--evidence", str(evidence),
                       "--account", "6"), f"has dispute {dispute} already (raised)")
    answer = tmp_path / "answer.txt"
    answer.write_text("The row is synthetic; see the generation script.\n")
    one_line_error(run("dispute", "answer", dispute, "--document", str(answer), "--account", "5"),
                   "only the publisher")
    assert "answered" in ok(run("dispute", "answer", dispute, "--document", str(answer), "--account", "1"))
    one_line_error(run("dispute", "decide", dispute, "--uphold", "--account", "5"), "is not an arbiter")
    assert f"dataset {dataset} is taken down" in ok(run("dispute", "decide", dispute, "--uphold", "--account", "7"))

    # taken down: get, load_dataset and payments refuse with the reason; the explorer's show says it
    one_line_error(run("dataset", "get", dataset, str(tmp_path / "copy")),
                   f"dataset {dataset} is taken down: dispute {dispute} (personal-data, evidence b")
    assert not (tmp_path / "copy").exists()
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs",
             "cache": tmp_path / "cache"}
    with pytest.raises(opencommons.errors.OpenCommonsError, match="is taken down"):
        opencommons.load_dataset(dataset, **where)
    one_line_error(run("royalties", "pay", dataset, "0.01", "--account", "6"),
                   f"dataset {dataset} is taken down (a dispute against it was upheld")
    one_line_error(run("royalties", "claim", "--dataset", dataset, "--account", "2"),
                   "is taken down by an upheld dispute: its royalties")
    shown = ok(run("dataset", "show", dataset))
    assert "Suspended" in shown and "TAKEN DOWN" in shown
    # this machine's pins of it go
    view = json.loads(ok(run("dataset", "show", dataset, "--json")))
    store = EmbeddedStore(env["root"] / "ipfs")
    assert Cid.parse(view["content"]).to_v1() in [c.to_v1() for c in store.pins()]
    out = ok(run("dispute", "enforce"))
    assert f"unpinned {view['content']}" in out or "unpinned b" in out
    assert Cid.parse(view["content"]).to_v1() not in [c.to_v1() for c in store.pins()]
    assert "no pin of a taken-down dataset here" in ok(run("dispute", "enforce"))

    # the appeal window: the raiser won and cannot appeal; the publisher appeals and is reinstated
    one_line_error(run("dispute", "appeal", dispute, "--account", "5"), "only ")
    assert "appealed" in ok(run("dispute", "appeal", dispute, "--account", "1"))
    assert "stands" in ok(run("dispute", "decide", dispute, "--reject", "--account", "7"))
    shown = json.loads(ok(run("dispute", "show", dispute, "--json")))
    assert shown["stage"] == "rejected (final)" and shown["answer"].startswith("b")
    assert "Accepted" in ok(run("dataset", "show", dataset))
    # the publisher won both bonds
    assert "0.02 ETH" in ok(run("dispute", "bonds", "--account", "1"))
    assert "sent 0.02 ETH" in ok(run("dispute", "bonds", "--withdraw", "--account", "1"))
    one_line_error(run("dispute", "bonds", "--withdraw", "--account", "1"), "has no bond to withdraw")


def test_undecided_dispute_lapses_and_its_bond_returns(env, run, publish, tmp_path):
    dataset = publish(WINE)
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("Copied from a paid archive without permission.\n")
    dispute = ok(run("dispute", "raise", dataset, "--reason", "copyright", "--evidence", str(evidence),
                     "--account", "6")).strip().splitlines()[-1].split()[1]
    one_line_error(run("dispute", "close", dispute, "--account", "3"), "its window is open until")
    _sleep(env, 7 * 86_400 + 60)
    one_line_error(run("dispute", "decide", dispute, "--uphold", "--account", "7"), "decision window")
    assert f"dispute {dispute} is lapsed" in ok(run("dispute", "close", dispute, "--account", "3"))
    assert "0.01 ETH" in ok(run("dispute", "bonds", "--account", "6"))
    one_line_error(run("dispute", "close", dispute, "--account", "3"), "nothing to close")


def test_dapp_and_explorer_show_the_takedown_refuse_its_content_and_keep_its_citation(env, run, publish, tmp_path):
    import threading
    import time
    import urllib.error
    import urllib.request

    from web3 import Web3

    from opencommons.chain.deploy import Deployment
    from opencommons.chain.transactions import NodeAccount
    from opencommons.dapp_server import DappServer
    from opencommons.index.api import ExplorerApi
    from opencommons.index.database import open_engine
    from opencommons.ipfs.content import open_store
    from opencommons.suite import Commons

    accounts = env["accounts"]
    dataset = publish(IRIS)
    ok(run("consent", "give", dataset, "--account", "1"))
    ok(run("consent", "withdraw", dataset, "--account", "2"))
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("Sacred site coordinates shared without the elders' agreement.\n")
    dispute = ok(run("dispute", "raise", dataset, "--reason", "cultural-protocol", "--evidence", str(evidence),
                     "--account", "5")).strip().splitlines()[-1].split()[1]
    commons = Commons(env["w3"], Deployment.from_file(next((env["root"] / "deployments").glob("*.json"))))
    store = open_store("embedded", env["root"] / "ipfs", None)
    api = ExplorerApi(open_engine(f"sqlite:///{tmp_path / 'explorer.sqlite'}"), env["w3"], commons.deployment,
                      store, poll=0.1).start()
    server = DappServer(commons, env["url"], store, NodeAccount(Web3.to_checksum_address(accounts[9])), 0,
                        explorer=api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.port}"

    def get(path):
        try:
            with urllib.request.urlopen(base + path, timeout=30) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def explorer_page():
        for _ in range(200):  # the follower thread polls every 0.1 s
            state = json.loads(get("/api/explorer/status")[1])  # first: the page read after it is as new
            status, body = get(f"/api/explorer/datasets/{dataset}")
            if status == 200 and state["behind"] == 0 and state["synced"] >= env["w3"].eth.block_number:
                return json.loads(body)
            time.sleep(0.1)
        raise AssertionError("the index did not catch up")

    try:
        content = json.loads(ok(run("dataset", "show", dataset, "--json")))["content"]
        assert get(f"/ipfs/{content}/iris.csv")[0] == 200
        page = explorer_page()
        assert page["rights"]["consented"] == [accounts[1]]
        assert [w["account"] for w in page["rights"]["withdrawn"]] == [accounts[2]]
        assert page["rights"]["disputes"][0]["stage"] == "raised"
        ok(run("dispute", "decide", dispute, "--uphold", "--account", "7"))
        status, body = get(f"/ipfs/{content}/iris.csv")
        assert status == 451 and f"dataset {dataset} is taken down: dispute {dispute} (cultural-protocol" in \
            json.loads(body)["error"]
        status, html = get(f"/datasets/{dataset}")
        assert status == 200 and b'class="takedown" role="alert"' in html and b"Taken down" in html
        page = explorer_page()
        assert page["status"] == "Suspended"
        cited = page["rights"]["disputes"][0]
        assert (cited["id"], cited["reason"], cited["stage"]) == (int(dispute), "cultural-protocol", "upheld")
        assert cited["evidence"].startswith("b") and cited["decisions"][0]["stage"] == "upheld"
        # reinstated on appeal: served again
        ok(run("dispute", "appeal", dispute, "--account", "1"))
        ok(run("dispute", "decide", dispute, "--reject", "--account", "7"))
        assert get(f"/ipfs/{content}/iris.csv")[0] == 200
        assert explorer_page()["rights"]["disputes"][0]["stage"] == "rejected (final)"
    finally:
        server.shutdown()
        api.stop()


def test_reissue_publishes_a_version_without_what_was_withdrawn_and_resplits_shares(env, run, publish, tmp_path):
    from opencommons.rights import resplit

    accounts = env["accounts"]
    assert resplit([("a", 6000), ("b", 3000), ("c", 1000)], {"b"}) == [("a", 8571), ("c", 1429)]
    assert resplit([("a", 3333), ("b", 3333), ("c", 3334)], {"c"}) == [("a", 5000), ("b", 5000)]
    dataset = publish(IRIS, WINE)
    one_line_error(run("dataset", "reissue", dataset, "--account", "1"), f"nobody withdrew from dataset {dataset}")
    ok(run("consent", "withdraw", dataset, "--files", "wine_data.csv", "--account", "2"))
    one_line_error(run("dataset", "reissue", dataset, "--account", "2"), "neither owns dataset")
    out = json.loads(ok(run("dataset", "reissue", dataset, "--account", "1", "--json")))
    newer = out["dataset"]
    shown = json.loads(ok(run("dataset", "show", newer, "--json")))
    assert shown["previousVersion"] == dataset
    assert {c["account"]: c["shareBps"] for c in shown["contributors"]} == {accounts[1]: 6000, accounts[2]: 4000}
    got = ok(run("dataset", "get", newer, str(tmp_path / "new")))
    assert (tmp_path / "new" / "iris.csv").read_bytes() == IRIS.read_bytes()
    assert not (tmp_path / "new" / "wine_data.csv").exists() and "withdrawn" not in got
    old = ok(run("dataset", "get", dataset, str(tmp_path / "old")))
    assert f"warning: superseded for withdrawal by dataset {newer}: use it" in old
    # a whole contribution withdrawn: its contributor leaves, the others' shares fill the 100%
    ok(run("consent", "withdraw", newer, "--account", "2"))
    third = json.loads(ok(run("dataset", "reissue", newer, "--account", "1", "--json")))["dataset"]
    shown = json.loads(ok(run("dataset", "show", third, "--json")))
    assert [(c["account"], c["shareBps"]) for c in shown["contributors"]] == [(accounts[1], 10_000)]


def _explorer_rights(env, tmp_path, dataset):
    """The explorer's rights section of `dataset`, from an index synced now (SQLite)."""
    from opencommons.chain.deploy import Deployment
    from opencommons.index.database import open_engine
    from opencommons.index.explorer import Explorer
    from opencommons.index.sync import Indexer

    deployment = Deployment.from_file(next((env["root"] / "deployments").glob("*.json")))
    engine = open_engine(f"sqlite:///{tmp_path / 'index.sqlite'}")
    Indexer(engine, env["w3"], deployment).sync()
    explorer = Explorer.find(engine, deployment.chain_id, deployment.addresses["DatasetNFT"])
    return explorer.dataset_page(int(dataset))["rights"], explorer


def test_manifest_says_who_supplied_which_files_and_a_whole_withdrawal_takes_them_out(env, run, publish, tmp_path):
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore, read_document

    accounts = env["accounts"]
    publish(IRIS)  # registers accounts 1 and 2
    d = tmp_path / "supplied"
    d.mkdir()
    for f in (IRIS, WINE):
        shutil.copy(f, d / f.name)
    (d / "README.md").write_text("# supplied\nscikit-learn's iris and wine, each from one contributor\n")
    base = ("dataset", "publish", str(d), "--license", "CC-BY-4.0", "--commons", "KE/health",
            "--contributor", f"{accounts[1]}=6000", "--contributor", f"{accounts[2]}=4000", "--account", "1")
    one_line_error(run(*base, "--supplied", f"{accounts[5]}=iris.csv"), "is not one of the --contributor accounts")
    one_line_error(run(*base, "--supplied", f"{accounts[2]}=*.parquet"), "matches no file of")
    out = json.loads(ok(run(*base, "--supplied", f"{accounts[1]}=iris*", "--supplied", f"{accounts[2]}=wine_data.csv",
                            "--json")))
    dataset = out["dataset"]
    store = EmbeddedStore(env["root"] / "ipfs")
    manifest = read_document(store, Cid.parse(out["manifest"]), "manifest")
    assert {c["account"]: c.get("files") for c in manifest["contributors"]} == {
        accounts[1]: ["iris.csv"], accounts[2]: ["wine_data.csv"]}
    # account 2 withdraws its whole contribution: its share and the file it supplied leave the reissue
    ok(run("consent", "withdraw", dataset, "--account", "2"))
    newer = json.loads(ok(run("dataset", "reissue", dataset, "--account", "1", "--json")))["dataset"]
    got = tmp_path / "new"
    ok(run("dataset", "get", newer, str(got)))
    assert (got / "iris.csv").exists() and not (got / "wine_data.csv").exists()
    shown = json.loads(ok(run("dataset", "show", newer, "--json")))
    assert [(c["account"], c["shareBps"]) for c in shown["contributors"]] == [(accounts[1], 10_000)]
    again = read_document(store, Cid.parse(shown["manifest"]), "manifest")
    assert again["contributors"] == [{"account": accounts[1], "shareBps": 10_000, "files": ["iris.csv"]}]


def test_governance_reissues_after_the_deadline_and_licences_must_move(env, run, publish, tmp_path):
    accounts = env["accounts"]
    dataset = publish(IRIS, WINE)
    ok(run("license", "offer", dataset, "--price", "0.01", "--account", "1"))
    ok(run("license", "buy", dataset, "--account", "6"))
    ok(run("consent", "withdraw", dataset, "--files", "wine_data.csv", "--account", "2"))
    assert "to be reissued: its owner publishes a version without what was withdrawn by" in ok(
        run("dataset", "get", dataset, str(tmp_path / "before")))
    one_line_error(run("dataset", "reissue", dataset, "--account", "7"), "has until")
    one_line_error(run("dataset", "reissue", dataset, "--account", "5"), "neither owns dataset")
    one_line_error(run("license", "move", dataset, "--account", "6"), "nothing was withdrawn from dataset")
    _sleep(env, 30 * 86_400 + 1)  # the owner's deadline (the dev profile's 30 days) passes
    out = json.loads(ok(run("dataset", "reissue", dataset, "--account", "7", "--json")))
    newer = out["dataset"]
    assert out["owner"] == accounts[1] and out["leftOut"] == ["wine_data.csv"]
    shown = json.loads(ok(run("dataset", "show", newer, "--json")))
    assert shown["owner"] == accounts[1] and shown["previousVersion"] == dataset
    one_line_error(run("dataset", "reissue", dataset, "--account", "7"), "has a newer version already")
    # licensees are told, and have the window to move
    old = ok(run("dataset", "get", dataset, str(tmp_path / "old")))
    assert f"superseded for withdrawal by dataset {newer}: use it; licensees must move to it by" in old
    assert json.loads(ok(run("license", "show", dataset, "--of", accounts[6], "--json")))["valid"]
    _sleep(env, 30 * 86_400 + 1)
    assert not json.loads(ok(run("license", "show", dataset, "--of", accounts[6], "--json")))["valid"]
    out = ok(run("license", "move", dataset, "--account", "6"))
    assert f"licence moved from dataset {dataset} to {newer}: never expires (perpetual)" in out
    assert json.loads(ok(run("license", "show", newer, "--of", accounts[6], "--json")))["valid"]
    one_line_error(run("license", "move", dataset, "--account", "6"), "holds no unexpired licence")
    shown, _ = _explorer_rights(env, tmp_path, dataset)
    assert shown["reissuedByGovernance"]["dataset"] == newer and shown["reissuedByGovernance"]["owner"] == accounts[1]


def test_a_final_takedown_forfeits_its_royalties_to_the_treasury(env, run, publish, tmp_path):
    dataset = publish(WINE)
    ok(run("royalties", "pay", dataset, "0.5", "--account", "6"))
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("The wine ratings were copied from a paid guide.\n")
    out = ok(run("dispute", "raise", dataset, "--reason", "copyright", "--evidence", str(evidence), "--account", "5"))
    dispute = out.strip().splitlines()[-1].split()[1]
    ok(run("dispute", "decide", dispute, "--uphold", "--account", "7"))
    one_line_error(run("dispute", "forfeit", dispute, "--account", "5"), "royalties are forfeited only once")
    _sleep(env, 7 * 86_400 + 1)  # nobody appeals
    ok(run("dispute", "close", dispute, "--account", "5"))
    out = ok(run("dispute", "forfeit", dispute, "--account", "5"))
    assert f"dataset {dataset}'s royalties forfeited to the treasury: 0.5 ETH" in out
    assert "nothing was left unclaimed" in ok(run("dispute", "forfeit", dispute, "--account", "5"))
    one_line_error(run("royalties", "claim", "--dataset", dataset, "--account", "2"),
                   "nothing of it is left to claim (its royalties were claimed before, or forfeited")
    shown, explorer = _explorer_rights(env, tmp_path, dataset)
    assert shown["disputes"][-1]["forfeited"]["by"] == env["accounts"][5]
    # the index agrees with the chain: nothing is claimable from a taken-down dataset
    assert all(row["claimable"] == "0" for row in explorer.earnings(env["accounts"][2])
               if row["dataset"] == dataset)


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    """A commons deployed with `--require-consent`: contributors claim only once they consented."""
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}", "--require-consent")


def test_with_consent_required_a_share_is_held_until_its_contributor_consents(gated, tmp_path):
    run, accounts, w3 = in_process(gated), gated["accounts"], gated["w3"]
    for index in ("1", "2"):
        ok(run("contributor", "register", "--name", f"c{index}", "--community", "KE/health", "--account", index))
    d = tmp_path / "iris"
    d.mkdir()
    shutil.copy(IRIS, d / IRIS.name)
    dataset = json.loads(ok(run("dataset", "publish", str(d), "--license", "CC-BY-4.0", "--commons", "KE/health",
                                "--contributor", f"{accounts[1]}=6000", "--contributor", f"{accounts[2]}=4000",
                                "--account", "1", "--json")))["dataset"]
    ok(run("royalties", "pay", dataset, "1", "--account", "6"))
    one_line_error(run("royalties", "claim", "--dataset", dataset, "--account", "2"),
                   f"your share of dataset {dataset} is held until you consent (`commons consent give {dataset}`)")
    assert "their shares are held until they do" in ok(run("consent", "show", dataset))
    ok(run("consent", "give", dataset, "--account", "2"))
    before = w3.eth.get_balance(accounts[2])
    ok(run("royalties", "claim", "--dataset", dataset, "--account", "2"))
    assert w3.eth.get_balance(accounts[2]) > before + 399 * 10**15  # 0.4 ETH less gas
    verified = ok(run("deploy", "verify"))
    assert "FAIL" not in verified
