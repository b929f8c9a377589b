"""A commons strangers join by a reference alone: an operator in one folder and home launches a
commons, publishes and serves its content; a stranger with another home, in another folder, joins
by the reference and an RPC URL, lists and fetches the dataset (content from the commons'
gateway, every block verified), registers, publishes and loads the dataset from Python. A
reference that does not match the chain is refused in one line."""
import json
import os
import shutil
import subprocess
import sys
import threading
from importlib.resources import files
from pathlib import Path

import pytest
from web3 import Web3

from conftest import ok, start_chain_env

PENGUINS = Path(str(files("palmerpenguins") / "data" / "penguins.csv"))


@pytest.fixture(scope="module")
def operator(tmp_path_factory):
    """The operator's commons, a published dataset of palmerpenguins' CSV, and the operator's
    `commons dapp` serving the content at /ipfs/ (a trustless gateway)."""
    from opencommons.chain.transactions import NodeAccount
    from opencommons.connection import load_deployment
    from opencommons.dapp_server import DappServer
    from opencommons.ipfs.content import open_store

    for env in start_chain_env(tmp_path_factory, "--curator", "{0}"):
        run, acc = env["run"], env["accounts"]
        commons = load_deployment(env["w3"], env["root"] / "deployments")
        server = DappServer(commons, env["url"], open_store("embedded", env["root"] / "ipfs"),
                            NodeAccount(Web3.to_checksum_address(acc[0])), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        gateway = f"http://127.0.0.1:{server.port}"
        ok(run("contributor", "register", "--name", "Amina", "--community", "KE/education", "--account", "1"))
        data = env["root"] / "penguins"
        data.mkdir()
        shutil.copy(PENGUINS, data / "penguins.csv")
        published = json.loads(ok(run("dataset", "publish", str(data), "--license", "CC0-1.0", "--commons",
                                      "KE/education", "--contributor", f"{acc[1]}=10000", "--account", "1",
                                      "--content-gateway", gateway, "--json")).stdout)
        env.update(dataset=published["dataset"], manifest=published["manifest"], data=data, gateway=gateway,
                   commons=commons)
        yield env
        server.shutdown()


@pytest.fixture
def stranger(tmp_path):
    """`commons` as a stranger runs it: another home, another folder, no setting but what `join` records."""
    home, folder = tmp_path / "stranger-home", tmp_path / "elsewhere"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCOMMONS_")}
    env["OPENCOMMONS_HOME"] = str(home)

    def run(*args, python=None):
        command = [sys.executable, "-c", python] if python else [sys.executable, "-m", "opencommons.cli", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=folder)
    run.home, run.folder = home, folder
    return run


def test_a_stranger_joins_by_reference_fetches_registers_and_publishes(operator, stranger, tmp_path):
    run, acc, dataset = operator["run"], operator["accounts"], operator["dataset"]
    reference = ok(run("commons", "share", "--gateway", operator["gateway"])).stdout.strip()
    assert reference.startswith("opencommons:31337@") and "/suite/" in reference and "gateway=" in reference

    joined = ok(stranger("commons", "join", reference, "--rpc", operator["url"]))
    assert "every contract's code matches the build" in joined.stdout
    assert (stranger.home / "commons").is_dir() and not (stranger.folder / "deployments").exists()
    listed = json.loads(ok(stranger("commons", "list", "--json")).stdout)
    assert [j["name"] for j in listed["joined"]] == ["commons-31337-" + listed["joined"][0]["datasets"][2:10].lower()]
    assert listed["joined"][0]["default"] is True and listed["joined"][0]["rpc"] == operator["url"]

    assert dataset in ok(stranger("dataset", "list", "--json")).stdout
    from opencommons.present import short_id

    assert f"  {short_id(int(dataset))}  " in ok(stranger("dataset", "list")).stdout
    got = ok(stranger("dataset", "get", dataset, "copy"))
    assert (stranger.folder / "copy" / "penguins.csv").read_bytes() == PENGUINS.read_bytes(), got.stderr
    frame = ok(stranger(python=f"import opencommons; print(opencommons.to_pandas('{dataset}').shape)"))
    assert frame.stdout.strip() == "(344, 8)"

    ok(stranger("contributor", "register", "--name", "Zawadi", "--community", "KE/education", "--account", "5"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "rivers.csv").write_text("river,length_km\nTana,1000\nAthi,390\n")
    published = json.loads(ok(stranger("dataset", "publish", str(mine), "--license", "CC-BY-4.0", "--commons",
                                       "KE/education", "--contributor", f"{acc[5]}=10000", "--account", "5",
                                       "--json")).stdout)
    assert published["dataset"] in ok(run("dataset", "list", "--json")).stdout  # the operator sees it
    again = ok(stranger("commons", "join", reference, "--rpc", operator["url"]))  # joining twice changes nothing
    assert again.returncode == 0 and len(list((stranger.home / "commons").glob("*.json"))) == 1
    assert ok(stranger("commons", "share")).stdout.strip() == reference  # passed on as joined


def test_references_that_the_chain_does_not_bear_out_are_refused_in_one_line(operator, stranger):
    a = operator["commons"].deployment.addresses
    reference = ok(operator["run"]("commons", "share")).stdout.strip()
    wrong_code = reference.replace(a["RoyaltyVault"], a["LicenseManager"])
    other_chain = reference.replace("opencommons:31337@", "opencommons:1@", 1)
    for bad, message in (
            (wrong_code, f"error: refused: suite: code at every address: RoyaltyVault at {a['LicenseManager']} "
                         "holds other code than the compiled RoyaltyVault"),
            (other_chain, "error: the reference is to a commons on chain 1, but the RPC URL reaches chain 31337"),
            ("opencommons:31337@1/suite/0x12", "error: a suite reference names 10 contracts, this one 1"),
            ("https://example.org/commons", "error: not a commons reference (it starts with 'opencommons:')"),
            (reference + "&evil=1" if "?" in reference else reference + "?evil=1",
             "error: unknown part 'evil' in the commons reference")):
        proc = stranger("commons", "join", bad, "--rpc", operator["url"])
        assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [proc.stderr.strip()], bad
        assert proc.stderr.startswith(message), proc.stderr
    assert not (stranger.home / "commons").exists() or not list((stranger.home / "commons").glob("*.json"))
    nothing = stranger("dataset", "list")
    assert nothing.returncode == 1 and "join one with `commons commons join REFERENCE --rpc URL`" in nothing.stderr


def test_a_croissant_reader_that_is_not_ours_loads_the_dataset_from_its_croissant_alone(operator, tmp_path,
                                                                                        monkeypatch):
    """mlcroissant's own loader: every contentUrl is the gateway's /ipfs/CID (the CID kept in
    sameAs), which it downloads and checks against the sha256 beside it."""
    import mlcroissant as mlc

    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.gateway import GatewaySource
    from opencommons.ipfs.store import read_document

    monkeypatch.setenv("HOME", str(tmp_path))  # mlcroissant's download cache
    source = GatewaySource(operator["gateway"])
    manifest = read_document(source, Cid.parse(operator["manifest"]), "manifest")
    croissant = read_document(source, Cid.parse(manifest["croissant"]), "Croissant document")
    (described,) = croissant["distribution"]
    assert described["contentUrl"] == f"{operator['gateway']}/ipfs/{manifest['files'][0]['cid']}"
    assert f"ipfs://{manifest['files'][0]['cid']}" in described["sameAs"]
    rows = list(mlc.Dataset(jsonld=croissant).records(record_set="records/penguins"))
    assert len(rows) == 344 and {bytes(r["records/penguins/species"]).decode() for r in rows} == {"Adelie", "Chinstrap",
                                                                                          "Gentoo"}


def test_a_dataset_link_is_enough_on_another_machine(operator, stranger):
    """`commons dataset link` prints one string; a stranger who joined nothing gets the dataset with
    it and an RPC URL (content from the link's gateway), and loads it from Python."""
    link = ok(operator["run"]("dataset", "link", operator["dataset"], "--gateway", operator["gateway"])).stdout.strip()
    assert link.startswith("opencommons:31337@") and link.endswith(f"#dataset={operator['dataset']}")
    got = ok(stranger("dataset", "get", link, "copy", "--rpc", operator["url"], "--json"))
    assert json.loads(got.stdout)["dataset"] == operator["dataset"]
    assert (stranger.folder / "copy" / "penguins.csv").read_bytes() == PENGUINS.read_bytes()
    shape = ok(stranger(python=f"import opencommons; print(opencommons.to_pandas({link!r}, rpc={operator['url']!r}).shape)"))
    assert shape.stdout.strip() == "(344, 8)"
    assert not (stranger.home / "commons").exists()  # a link is used, not joined
    for bad, message in ((link.replace("#dataset=", "#dataset=x"), "error: malformed dataset link"),
                         (link.replace("opencommons:31337@", "opencommons:5@"),
                          "error: the link is to a dataset of a commons on chain 5")):
        proc = stranger("dataset", "get", bad, "nothing", "--rpc", operator["url"])
        assert proc.returncode == 1 and proc.stderr.startswith(message), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    missing = operator["run"]("dataset", "link", "12345")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: dataset 12345 does not exist in this commons"


def test_a_stranger_publishes_a_dataframe_buys_a_private_licence_loads_it_and_claims(operator, stranger, tmp_path):
    """What the stranger does from Python alone, on the joined commons: register, publish a pandas
    DataFrame, buy a licence to the operator's private dataset and load it with `load_dataset`
    through its gateway, then claim what a buyer paid for the DataFrame."""
    from test_private import make_gateway

    from opencommons.private.gateway import new_key_file

    run, acc = operator["run"], operator["accounts"]
    new_key_file(tmp_path / "gateway.key")
    gateway = make_gateway(operator, tmp_path / "gateway.key", str(tmp_path / "keys.sqlite"))
    try:
        folder = tmp_path / "restricted"
        folder.mkdir()
        shutil.copy(PENGUINS, folder / "penguins.csv")
        private = json.loads(ok(run("dataset", "publish", str(folder), "--private", "--gateway", gateway.url,
                                    "--license", "CC-BY-NC-4.0", "--commons", "KE/education", "--contributor",
                                    f"{acc[1]}=10000", "--account", "1", "--json")).stdout)["dataset"]
        ok(run("dataset", "curate", private, "accept", "--account", "0"))
        ok(run("license", "offer", private, "--price", "0.01", "--days", "30", "--account", "1"))
        reference = ok(run("commons", "share", "--gateway", operator["gateway"])).stdout.strip()
        ok(stranger("commons", "join", reference, "--rpc", operator["url"]))
        script = f"""
import json, pandas
from opencommons import Client
me = Client(account="7")
me.register("Zawadi", "KE/education")
rivers = me.publish(pandas.DataFrame({{"river": ["Tana", "Athi"], "length_km": [1000, 390]}}), name="rivers",
                    license="CC-BY-4.0", commons="KE/education")
me.buy_licence({private})
loaded = me.load_dataset({private}, split="train")
print(json.dumps({{"rivers": str(rivers.dataset_id), "rows": loaded.num_rows, "columns": loaded.column_names}}))
"""
        out = json.loads(ok(stranger(python=script)).stdout.strip().splitlines()[-1])
        assert out["rows"] == 344 and out["columns"][:2] == ["species", "island"]
        ok(run("royalties", "pay", out["rivers"], "0.5", "--account", "6"))
        native = "0x" + "00" * 20
        owed = operator["commons"].vault.functions.claimable(int(out["rivers"]), native, acc[7]).call()
        claimed = ok(stranger(python=f"from opencommons import Client; print(Client(account='7').claim([{out['rivers']}]))"))
        assert owed > 0 and claimed.stdout.strip() == repr({native: owed})
    finally:
        gateway.stop()
