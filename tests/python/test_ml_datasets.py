"""AI-ready datasets on real data nobody here wrote (palmerpenguins' and scikit-learn's bundled
CSVs): Croissant generated at publish and validated by mlcroissant, a verified one-command
download (second store, gateway, resume, tampering), loading into `datasets` and pandas, Parquet
export, `oc://` read in place by pyarrow, duckdb and `datasets` streaming, and a model that
credits its training data."""
import hashlib
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from conftest import in_process, ok, start_chain_env

PENGUINS = Path(str(files("palmerpenguins") / "data" / "penguins.csv"))
SKLEARN = Path(str(files("sklearn.datasets") / "data"))
NATIVE = "0x0000000000000000000000000000000000000000"


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}")


@pytest.fixture(scope="module")
def published(env, tmp_path_factory):
    """Penguins (CSV), scikit-learn's wine as Parquet and breast cancer as JSON Lines, in one
    dataset; iris alone in a second."""
    run = in_process(env)
    acc = env["accounts"]
    ok(run("contributor", "register", "--name", "Allison", "--community", "AQ/ecology", "--account", "1"))
    ok(run("contributor", "register", "--name", "Kristen", "--community", "AQ/ecology", "--account", "2"))
    folder = tmp_path_factory.mktemp("real") / "penguins"
    (folder / "tables").mkdir(parents=True)
    shutil.copy(PENGUINS, folder / "penguins.csv")
    pd.read_csv(SKLEARN / "wine_data.csv", skiprows=1, header=None).rename(columns=str).to_parquet(
        folder / "tables" / "wine.parquet", index=False)
    pd.read_csv(SKLEARN / "breast_cancer.csv", skiprows=1, header=None).rename(columns=str).to_json(
        folder / "tables" / "breast_cancer.jsonl", orient="records", lines=True)
    (folder / "README.md").write_text("Palmer penguins with two scikit-learn tables\n")
    out = json.loads(ok(run("dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology",
                            "--name", "Penguins and friends", "--contributor", f"{acc[1]}=7000",
                            "--contributor", f"{acc[2]}=3000", "--account", "1", "--json")).stdout)
    iris = folder.parent / "iris"
    iris.mkdir()
    shutil.copy(SKLEARN / "iris.csv", iris / "iris.csv")
    derived = json.loads(ok(run("dataset", "publish", str(iris), "--license", "BSD-3-Clause", "--commons", "AQ/ecology",
                                "--contributor", f"{acc[2]}=10000", "--parent", out["dataset"], "--ancestor-bps", "500",
                                "--account", "2", "--json")).stdout)
    return {"run": run, "folder": folder, "iris": iris, **out, "derived": derived}


def store_a(env):
    from opencommons.ipfs.content import open_store

    return open_store("embedded", env["root"] / "ipfs")


def manifest_of(env, cid):
    from opencommons.ipfs.cid import Cid

    return json.loads(b"".join(store_a(env).cat(Cid.parse(cid))))


def test_publish_generates_croissant_that_mlcroissant_validates_without_warnings(env, published):
    import mlcroissant as mlc

    manifest = manifest_of(env, published["manifest"])
    described = manifest_of(env, manifest["croissant"])
    dataset = mlc.Dataset(jsonld=described)
    assert dataset.metadata.ctx.issues.errors == set() and dataset.metadata.ctx.issues.warnings == set()
    assert described["license"] == "https://spdx.org/licenses/CC0-1.0.html"
    assert [c["name"] for c in described["creator"]] == [env["accounts"][1], env["accounts"][2]]
    by_id = {d["@id"]: d for d in described["distribution"]}
    for f in manifest["files"]:  # every file: its own CID as the content URL, and its sha256
        assert by_id[f["path"]]["contentUrl"] == "ipfs://" + f["cid"]
        assert by_id[f["path"]]["sha256"] == f["sha256"] == sha256(published["folder"] / f["path"])
    sets = {r["name"]: {f["name"]: f["dataType"] for f in r["field"]} for r in described["recordSet"]}
    assert set(sets) == {"penguins", "tables/wine", "tables/breast_cancer"}
    assert sets["penguins"] == {"species": "sc:Text", "island": "sc:Text", "bill_length_mm": "sc:Float",
                                "bill_depth_mm": "sc:Float", "flipper_length_mm": "sc:Integer",
                                "body_mass_g": "sc:Integer", "sex": "sc:Text", "year": "sc:Integer"}
    assert sets["tables/wine"]["13"] == "sc:Integer" and sets["tables/wine"]["0"] == "sc:Float"
    derived = manifest_of(env, manifest_of(env, published["derived"]["manifest"])["croissant"])
    assert derived["isBasedOn"] == [f"opencommons:dataset:{published['dataset']}"]


def test_publish_accepts_a_hand_written_croissant_and_refuses_an_invalid_one(env, published, tmp_path):
    run = published["run"]
    acc = env["accounts"]
    folder = tmp_path / "linnerud"
    folder.mkdir()
    shutil.copy(SKLEARN / "linnerud_exercise.csv", folder / "exercise.csv")
    described = manifest_of(env, manifest_of(env, published["manifest"])["croissant"])
    described["name"] = "Hand-written"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(described))
    bad = tmp_path / "bad.json"
    broken = json.loads(json.dumps(described))
    broken["recordSet"][0]["field"][0]["source"]["fileObject"]["@id"] = "missing.csv"  # a file it does not list
    bad.write_text(json.dumps(broken))
    args = ["dataset", "publish", str(folder), "--license", "MIT", "--commons", "AQ/ecology",
            "--contributor", f"{acc[1]}=10000", "--account", "1", "--json"]
    refused = run(*args, "--croissant", str(bad))
    assert refused.returncode == 1
    assert refused.output.strip().startswith(f"error: {bad} is not valid Croissant:") and len(refused.output.strip().splitlines()) == 1
    out = json.loads(ok(run(*args, "--croissant", str(good))).stdout)
    assert manifest_of(env, manifest_of(env, out["manifest"])["croissant"])["name"] == "Hand-written"


def test_dataset_get_from_a_second_store_verifies_every_file_and_says_the_licence(env, published, tmp_path):
    run = published["run"]
    car = tmp_path / "d.car"
    ok(run("dataset", "car", published["dataset"], str(car)))
    second = tmp_path / "second-store"
    ok(env["run"]("ipfs", "car", "import", str(car), "--home", str(second)))
    target = tmp_path / "copy"
    got = ok(run("dataset", "get", published["dataset"], str(target), "--home", str(second), "--of", env["accounts"][5]))
    lines = got.stdout.strip().splitlines()
    assert lines[0].startswith(f"ok: dataset {published['dataset']} in {target}: 4 files fetched")
    assert lines[1] == "licence: CC0-1.0 (https://spdx.org/licenses/CC0-1.0.html)"
    assert lines[2] == "no licence is sold on-chain for this dataset: its SPDX licence alone applies"
    for f in ("penguins.csv", "tables/wine.parquet", "tables/breast_cancer.jsonl", "README.md"):
        assert sha256(target / f) == sha256(published["folder"] / f)
    # the local copy verifies against the chain as a whole
    assert ok(run("dataset", "verify", published["dataset"], "--path", str(target))).stdout.startswith("ok:")
    # the licence once one is sold, for a holder and for someone else
    ok(run("license", "offer", published["derived"]["dataset"], "--price", "0.01", "--days", "30", "--account", "2"))
    ok(run("dataset", "curate", published["derived"]["dataset"], "accept", "--account", "0"))
    ok(run("license", "buy", published["derived"]["dataset"], "--account", "5"))
    holder = ok(run("dataset", "get", published["derived"]["dataset"], str(tmp_path / "iris"), "--of", env["accounts"][5]))
    assert "on-chain licence: 0.01 ETH for 30 days" in holder.stdout
    assert f"{env['accounts'][5]} holds a valid licence (valid until " in holder.stdout
    other = ok(run("dataset", "get", published["derived"]["dataset"], str(tmp_path / "iris"), "--of", env["accounts"][6]))
    assert f"{env['accounts'][6]} holds no valid licence: buy one with `commons license buy" in other.stdout
    assert "0 files fetched (0 bytes), 1 already there" in other.stdout


def test_dataset_get_resumes_and_never_leaves_unverified_bytes_under_a_final_name(env, published, tmp_path):
    from opencommons.errors import CorruptBlockError
    from opencommons.ml import download as dl

    source = store_a(env)
    resolved = dl.resolve_reference(int(published["dataset"]), _commons(env), source)
    target = tmp_path / "copy"

    class Interrupting:
        """The store, failing at the 3rd block of penguins.csv (a connection lost mid-file)."""
        def __init__(self):
            self.seen = 0

        def get_block(self, cid):
            block = source.get_block(cid)
            if cid.codec == 0x55 and b"Adelie" in block:
                self.seen += 1
                if self.seen == 1:
                    raise CorruptBlockError(f"block {cid} interrupted")
            return block

    work = dl.plan(Interrupting(), resolved, target)
    with pytest.raises(CorruptBlockError):
        dl.fetch(work)
    assert not (target / "penguins.csv").exists()
    assert not [p for p in target.rglob("*") if ".partial" in p.name]
    done_before = {p.name for p in target.rglob("*") if p.is_file() and not p.name.startswith(".")}
    result = dl.download(source, resolved, target)
    assert "penguins.csv" in result.fetched and set(result.kept) >= {p for p in result.kept}
    assert len(result.kept) == len(done_before)
    # a local file changed afterwards is fetched again; the others are kept
    (target / "README.md").write_text("changed\n")
    again = dl.download(source, resolved, target)
    assert again.fetched == ["README.md"] and len(again.kept) == 3
    assert sha256(target / "README.md") == sha256(published["folder"] / "README.md")


def _commons(env):
    from opencommons.connection import connect, load_deployment

    return load_deployment(connect(env["url"]), env["root"] / "deployments")


class _Gateway(ThreadingHTTPServer):
    """A gateway serving store A's raw blocks; `lie` flips a byte of blocks that contain it."""
    def __init__(self, source, lie=None):
        from opencommons.ipfs.cid import Cid

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                cid = Cid.parse(self.path.split("/ipfs/")[1].split("?")[0])
                block = source.get_block(cid)
                if lie and lie in block:
                    block = block.replace(lie, lie[::-1])
                self.send_response(200)
                self.send_header("Content-Length", str(len(block)))
                self.end_headers()
                self.wfile.write(block)

            def log_message(self, *args):
                pass
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


def test_dataset_get_through_a_gateway_checks_every_block_and_refuses_a_lying_one(env, published, tmp_path):
    run = published["run"]
    honest, liar = _Gateway(store_a(env)), _Gateway(store_a(env), lie=b"Torgersen")
    try:
        ok(run("dataset", "get", published["dataset"], str(tmp_path / "a"), "--gateway", honest.url))
        assert sha256(tmp_path / "a" / "penguins.csv") == sha256(PENGUINS)
        refused = run("dataset", "get", published["dataset"], str(tmp_path / "b"), "--gateway", liar.url)
        assert refused.returncode == 1
        assert refused.output.strip().startswith(f"error: the gateway {liar.url} returned a block for ")
        assert not (tmp_path / "b" / "penguins.csv").exists()
    finally:
        honest.shutdown()
        liar.shutdown()


def test_dataset_get_refuses_what_names_no_dataset_in_one_line(env, published, tmp_path):
    run = published["run"]
    for ref, message in [("not-a-cid", "error: 'not-a-cid' is neither a dataset id nor a CID"),
                         ("12345", "error: dataset 12345 does not exist")]:
        proc = run("dataset", "get", ref, str(tmp_path / "x"))
        assert proc.returncode == 1 and proc.output.strip() == message
    assert not (tmp_path / "x").exists()


def test_load_dataset_and_to_pandas_equal_the_original_files(env, published, tmp_path, monkeypatch):
    import opencommons

    monkeypatch.setenv("OPENCOMMONS_HOME", str(tmp_path / "home"))
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}
    frame = opencommons.to_pandas(published["dataset"], record_set="penguins", **where)
    original = pd.read_csv(PENGUINS)
    pd.testing.assert_frame_equal(frame, original)
    train = opencommons.load_dataset(published["dataset"], split="train", record_set="penguins", **where)
    assert train.num_rows == len(original) == 344
    assert train.column_names == list(original.columns)
    assert train[0]["species"] == "Adelie" and train[343]["island"] == original["island"].iloc[-1]
    half = opencommons.load_dataset(published["dataset"], split="train[:50%]", record_set="penguins", **where)
    assert half.num_rows == 172
    wine = opencommons.to_pandas(published["dataset"], record_set="tables/wine", **where)
    assert wine.shape == (178, 14)
    pd.testing.assert_frame_equal(wine, pd.read_csv(SKLEARN / "wine_data.csv", skiprows=1, header=None).rename(columns=str))
    cancer = opencommons.load_dataset(published["dataset"], record_set="tables/breast_cancer", **where)
    assert cancer.num_rows == 569
    iris = opencommons.to_pandas(published["derived"]["dataset"], **where)  # one record set: no name needed
    assert len(iris) == 150
    from opencommons.ml.tables import RecordSetError

    with pytest.raises(RecordSetError, match=r"several record sets \(penguins, tables/breast_cancer, tables/wine\)"):
        opencommons.to_pandas(published["dataset"], **where)
    with pytest.raises(RecordSetError, match="no record set 'whales'"):
        opencommons.to_pandas(published["dataset"], record_set="whales", **where)

    # the chain down: the copy verified against it before loads (warned), every file checked again
    from opencommons.errors import ChainError, OpenCommonsError

    down = {**where, "rpc": "http://127.0.0.1:9"}
    with pytest.warns(UserWarning, match=f"chain unreachable at http://127.0.0.1:9: ConnectionError: loading the copy "
                                         f"of dataset {published['dataset']} verified against the chain before"):
        offline = opencommons.to_pandas(published["dataset"], record_set="penguins", **down)
    pd.testing.assert_frame_equal(offline, original)
    with pytest.raises(ChainError, match="no copy of this dataset was verified here before"):
        opencommons.to_pandas("12345", **down)
    kept = next((tmp_path / "home" / "datasets").glob("*/penguins.csv"))
    kept.write_bytes(kept.read_bytes().replace(b"Adelie", b"Adelia", 1))
    with pytest.raises(OpenCommonsError, match="penguins.csv changed since it was verified"):
        opencommons.to_pandas(published["dataset"], record_set="penguins", **down)


def test_dataset_export_writes_parquet_per_record_set(env, published, tmp_path):
    import pyarrow.parquet as pq

    run = published["run"]
    proc = ok(run("dataset", "export", published["dataset"], "--out", str(tmp_path / "pq")))
    assert "penguins: 344 rows ->" in proc.stdout
    assert pq.read_table(tmp_path / "pq" / "penguins.parquet").num_rows == 344
    assert pq.read_table(tmp_path / "pq" / "tables__breast_cancer.parquet").num_columns == 31
    bad = run("dataset", "export", published["dataset"], "--out", str(tmp_path / "x"), "--format", "feather")
    assert bad.returncode == 1 and bad.output.strip() == "error: unknown export format 'feather': use parquet"


def test_oc_filesystem_reads_in_place_with_pyarrow_duckdb_and_streaming_datasets(env, published, monkeypatch):
    import datasets
    import duckdb
    import fsspec
    import pyarrow.parquet as pq

    monkeypatch.setenv("OPENCOMMONS_IPFS_HOME", str(env["root"] / "ipfs"))
    fs = fsspec.filesystem("oc", skip_instance_cache=True)  # the entry point, as any fsspec user finds it
    root = published["content"]
    assert sorted(fs.ls(f"oc://{root}", detail=False)) == [f"{root}/README.md", f"{root}/penguins.csv", f"{root}/tables"]
    assert fs.info(f"oc://{root}/penguins.csv")["size"] == PENGUINS.stat().st_size
    assert fs.cat_file(f"oc://{root}/penguins.csv", 0, 7) == b"species"
    table = pq.read_table(f"{root}/tables/wine.parquet", filesystem=fs)
    assert table.num_rows == 178
    db = duckdb.connect()
    db.register_filesystem(fs)
    assert db.execute(f"SELECT count(*) FROM read_parquet('oc://{root}/tables/wine.parquet')").fetchone() == (178,)
    assert db.execute(f"SELECT count(*) FROM read_csv_auto('oc://{root}/penguins.csv')").fetchone() == (344,)
    import opencommons

    with opencommons.training_run() as run:  # a streaming training loop is credited as it reads
        streamed = datasets.load_dataset("csv", data_files=f"oc://{root}/penguins.csv", split="train", streaming=True)
        rows = [row for batch in streamed.iter(batch_size=32) for row in batch["species"]]
    assert len(rows) == 344 and rows[0] == "Adelie"
    [used] = run.document()["datasets"]
    assert used["id"] == published["dataset"] and used["via"] == ["oc://"]
    assert used["bytes"] >= PENGUINS.stat().st_size  # every byte the stream read, counted


def test_oc_filesystem_raises_on_a_corrupted_block_never_returns_wrong_bytes(env, published, tmp_path):
    from opencommons.errors import CorruptBlockError
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore
    from opencommons.ml.fs import OpenCommonsFileSystem

    home = tmp_path / "store"
    shutil.copytree(env["root"] / "ipfs", home)
    fs = OpenCommonsFileSystem(home=str(home), skip_instance_cache=True)
    manifest = manifest_of(env, published["manifest"])
    penguins = next(f for f in manifest["files"] if f["path"] == "penguins.csv")
    store = EmbeddedStore(home)
    path = store._path(Cid.parse(penguins["cid"]))
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptBlockError):
        fs.cat_file(f"oc://{published['content']}/penguins.csv")
    with pytest.raises(CorruptBlockError):
        with fs.open(f"oc://{published['content']}/penguins.csv") as handle:
            handle.read()


def test_model_register_credits_its_training_data(env, published, tmp_path):
    run = published["run"]
    acc = env["accounts"]
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(bytes(range(256)) * 64)
    (model / "config.json").write_text('{"layers": 2}')
    out = json.loads(ok(run("model", "register", str(model), "--trained-on", published["dataset"],
                            "--trained-on", published["derived"]["dataset"], "--license", "Apache-2.0",
                            "--commons", "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--ancestor-bps", "2000",
                            "--name", "Penguin classifier", "--account", "1", "--json")).stdout)
    manifest = manifest_of(env, out["manifest"])
    assert manifest["schema"] == "opencommons/model/v1"
    assert manifest["parents"] == [published["dataset"], published["derived"]["dataset"]]
    from opencommons.ipfs.cid import Cid

    card = b"".join(store_a(env).cat(Cid.parse(manifest["modelCard"]))).decode()
    assert f"| {published['dataset']} | Penguins and friends | CC0-1.0 | {published['content']} | {published['manifest']} |" in card
    from huggingface_hub import ModelCard

    header = ModelCard(card).data  # Hugging Face's own parser reads the card's YAML header
    assert header.license == "apache-2.0" and "opencommons" in header.tags
    assert header.datasets == [f"opencommons:AQ/ecology/{published['dataset']}",
                               f"opencommons:AQ/ecology/{published['derived']['dataset']}"]
    assert published["derived"]["content"] in card
    # a payment for the model leaves the training datasets their 20%
    commons = _commons(env)
    ok(run("royalties", "pay", out["dataset"], "1", "--account", "6"))
    assert commons.vault.functions.pendingAncestorOf(int(out["dataset"]), NATIVE).call() == 2 * 10**17
    bad = run("model", "register", str(model), "--trained-on", "999", "--license", "MIT", "--commons", "AQ/ecology",
              "--contributor", f"{acc[1]}=10000", "--account", "1")
    assert bad.returncode == 1 and bad.output.strip() == "error: dataset 999 does not exist"


def test_dataset_get_from_a_real_kubo_rpc_node(env, published, jsipfs, tmp_path):
    """The content and its documents pinned to a js-ipfs node (Kubo RPC API) the way publishing
    pins them, then fetched from it with every block re-hashed here."""
    from opencommons.ipfs.kubo import KuboStore
    from opencommons.publish import PublishRequest, pin_content, scan

    acc = env["accounts"]
    scanned = scan(PublishRequest(published["folder"], "CC0-1.0", "AQ/ecology", [(acc[1], 7000), (acc[2], 3000)],
                                  "Penguins and friends"))
    assert str(scanned.manifest_cid) == published["manifest"]  # the publish is reproducible
    pin_content(KuboStore(jsipfs.api), published["folder"], scanned)
    target = tmp_path / "from-node"
    got = ok(published["run"]("dataset", "get", published["dataset"], str(target), "--store", "kubo", "--api", jsipfs.api))
    assert "4 files fetched" in got.stdout
    for f in ("penguins.csv", "tables/wine.parquet", "tables/breast_cancer.jsonl", "README.md"):
        assert sha256(target / f) == sha256(published["folder"] / f)


def test_publish_reports_progress_in_bytes_hashed(env, published):
    """`commons dataset publish` draws its progress bar from this callback."""
    from opencommons.publish import PublishRequest, scan

    acc = env["accounts"]
    seen = []
    scanned = scan(PublishRequest(published["folder"], "CC0-1.0", "AQ/ecology", [(acc[1], 7000), (acc[2], 3000)],
                                  "Penguins and friends"), seen.append)
    assert sum(seen) == sum(p.stat().st_size for p in published["folder"].rglob("*") if p.is_file())
    assert str(scanned.manifest_cid) == published["manifest"]


def test_croissant_describes_a_csv_whose_header_is_not_utf8_without_failing(tmp_path):
    """A Latin-1 header (or a private dataset's ciphertext) is published all the same: its
    FileObject says why it has no record set."""
    from opencommons.ml import croissant

    (tmp_path / "villes.csv").write_bytes("ville,année\nNîmes,2020\n".encode("latin-1"))
    document = croissant.build(tmp_path, [croissant.FileEntry("villes.csv", 23, "00" * 32, "bafkreiabc")], name="Villes",
                               description="", license_id="MIT", content="bafybeiabc", contributors=[], parents=[],
                               commons="FR/geo")
    assert document.get("recordSet", []) == []
    assert document["distribution"][0]["description"].startswith("No record set: villes.csv: cannot read its columns")


def test_a_csv_that_is_not_utf8_is_refused_or_recorded_and_every_reader_decodes_it(env, published, tmp_path,
                                                                                    monkeypatch):
    """Penguins exported from a spreadsheet in Windows-1252 (an accented observer name): published
    without a word before, then every loader failed. Now publish refuses it with the fix, or
    records --encoding in the manifest and the Croissant, and every reader decodes it."""
    import opencommons
    from opencommons.ml import croissant

    run, acc = published["run"], env["accounts"]
    original = pd.read_csv(PENGUINS).assign(observer="Kristen Gorman, Élodie Côté")
    folder = tmp_path / "pingouins"
    folder.mkdir()
    original.to_csv(folder / "pingouins.csv", index=False, encoding="cp1252")
    args = ["dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology", "--name", "Pingouins",
            "--contributor", f"{acc[1]}=10000", "--account", "1", "--json"]
    refused = run(*args)
    first = (folder / "pingouins.csv").read_bytes().index(b"\xc9")
    assert refused.returncode == 1 and refused.output.strip() == (
        f"error: pingouins.csv is not UTF-8 (byte 0xc9 at offset {first:,}, as Latin-1 or Windows-1252 spreadsheets "
        "write it): re-save it as UTF-8, or publish with --encoding cp1252 (its encoding) to record it")
    wrong = run(*args, "--encoding", "klingon")
    assert wrong.returncode == 1 and "unknown encoding 'klingon'" in wrong.output
    out = json.loads(ok(run(*args, "--encoding", "cp1252")).stdout)
    manifest = manifest_of(env, out["manifest"])
    assert [f.get("encoding") for f in manifest["files"]] == ["cp1252"]
    described = json.loads(b"".join(store_a(env).cat(__import__("opencommons.ipfs.cid", fromlist=["Cid"]).Cid.parse(
        manifest["croissant"]))))
    assert described["distribution"][0]["encodingFormat"] == "text/csv; charset=cp1252"
    assert croissant.validate(described) == []
    monkeypatch.setenv("OPENCOMMONS_HOME", str(tmp_path / "home"))
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}
    pd.testing.assert_frame_equal(opencommons.to_pandas(out["dataset"], **where), original)
    rows = opencommons.load_dataset(out["dataset"], split="train", **where)
    assert rows.num_rows == 344 and rows[0]["observer"] == "Kristen Gorman, Élodie Côté"
    exported = ok(run("dataset", "export", out["dataset"], "--out", str(tmp_path / "pq")))
    assert exported.returncode == 0
    assert pd.read_parquet(next((tmp_path / "pq").glob("*.parquet")))["observer"].iloc[0] == "Kristen Gorman, Élodie Côté"


def test_loaders_say_a_table_is_empty(env, published, tmp_path, monkeypatch):
    import opencommons
    from opencommons.ml.tables import RecordSetError

    run, acc = published["run"], env["accounts"]
    folder = tmp_path / "nothing-yet"
    folder.mkdir()
    (folder / "counts.csv").write_bytes(b"")
    (folder / "README.md").write_text("the counts come next year\n")
    proc = run("dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology", "--name", "Later",
               "--contributor", f"{acc[1]}=10000", "--account", "1", "--json")
    assert proc.returncode == 0 and "note: 1 empty file(s), published as they are: counts.csv" in proc.output
    monkeypatch.setenv("OPENCOMMONS_HOME", str(tmp_path / "home"))
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}
    dataset = json.loads(proc.stdout[proc.stdout.index("{"):])["dataset"]
    with pytest.raises(RecordSetError, match="counts.csv is empty: this dataset has no rows to load"):
        opencommons.to_pandas(dataset, **where)


def test_dataset_get_into_a_file_is_one_line(env, published, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    proc = published["run"]("dataset", "get", published["dataset"], str(target))
    assert proc.returncode == 1 and proc.output.strip() == (
        f"error: {target} is a file: give a folder to download the dataset into (new or one an earlier download left)")
    assert target.read_text() == "mine\n"


def test_a_training_run_logs_what_was_read_and_a_model_registers_from_the_log(env, published, tmp_path, monkeypatch):
    """Issue 35, recording what was used: every load inside `training_run` is logged (dataset,
    generation, content, rows, bytes), the log's Merkle root is OpenZeppelin's standard tree of
    (id, weight), and `model register --run LOG` pins the log and lists every dataset in the card."""
    import fsspec

    import opencommons
    from opencommons.ipfs.cid import Cid
    from opencommons.merkle import StandardTree, leaf_hash, verify

    monkeypatch.setenv("OPENCOMMONS_HOME", str(tmp_path / "home"))
    run, acc = published["run"], env["accounts"]
    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}
    before = opencommons.to_pandas(published["derived"]["dataset"], **where)  # outside the run: not counted
    with opencommons.training_run(trainer=acc[3]) as training:
        penguins = opencommons.load_dataset(published["dataset"], record_set="penguins", **where)
        iris = opencommons.to_pandas(published["derived"]["dataset"], **where)
        fs = fsspec.filesystem("oc", skip_instance_cache=True, home=str(env["root"] / "ipfs"))
        assert fs.cat_file(f"oc://{published['content']}/README.md") == b"Palmer penguins with two scikit-learn tables\n"
    assert len(before) == len(iris) == 150
    log_path = tmp_path / "run.json"
    log = training.save(log_path)
    by_id = {d["id"]: d for d in log["datasets"]}
    readme = len(b"Palmer penguins with two scikit-learn tables\n")
    assert by_id[published["dataset"]]["rows"] == len(penguins) == 344
    assert by_id[published["dataset"]]["bytes"] == PENGUINS.stat().st_size + readme
    assert by_id[published["dataset"]]["via"] == ["load_dataset", "oc://"]
    assert by_id[published["dataset"]]["generation"] == 0 and by_id[published["dataset"]]["content"] == published["content"]
    assert by_id[published["derived"]["dataset"]]["bytes"] == (SKLEARN / "iris.csv").stat().st_size
    assert log["trainer"] == acc[3] and int(log["totalWeight"]) == sum(d["weight"] for d in log["datasets"])
    tree = StandardTree.of([(int(d["id"]), d["weight"]) for d in log["datasets"]], ["uint256", "uint256"])
    assert log["merkleRoot"] == "0x" + tree.root.hex()
    assert all(verify(tree.root, leaf_hash(["uint256", "uint256"], v), tree.proof(i)) for i, v in enumerate(tree.values))

    shown = ok(env["run"]("model", "run", "show", str(log_path))).stdout
    assert f"2 dataset(s), {int(log['totalWeight']):,} bytes read; Merkle root {log['merkleRoot']} (checked)" in shown
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(bytes(range(256)) * 16)
    register = ("model", "register", str(model), "--run", str(log_path), "--license", "Apache-2.0", "--commons",
                "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--name", "Run model", "--account", "1", "--json")
    # iris's terms sell a licence (offered here, or by another test of this module first): its
    # trainer must hold one before the model is registered
    commons, iris_id = _commons(env), int(published["derived"]["dataset"])
    if not commons.licenses.functions.termsOf(iris_id).call()[2]:
        ok(run("license", "offer", str(iris_id), "--price", "0.01", "--days", "30", "--account", "2"))
    if commons.nft.functions.statusOf(iris_id).call() != 2:
        ok(run("dataset", "curate", str(iris_id), "accept", "--account", "0"))
    refused = run(*register)
    assert refused.returncode == 1 and f"the trainer {acc[3]} holds no valid licence to 1 dataset(s)" in refused.output
    ok(run("license", "buy", str(iris_id), "--account", "3"))
    out = json.loads(ok(run(*register)).stdout)
    manifest = manifest_of(env, out["manifest"])
    assert json.loads(b"".join(store_a(env).cat(Cid.parse(manifest["trainingRun"])))) == log
    heaviest = sorted(log["datasets"], key=lambda d: -d["weight"])
    assert manifest["parents"] == [] and manifest["ancestorBps"] == 1000  # every dataset of the log, by weight
    card = b"".join(store_a(env).cat(Cid.parse(manifest["modelCard"]))).decode()
    share = 100 * heaviest[0]["weight"] / int(log["totalWeight"])
    assert f"| {heaviest[0]['id']} | " in card and f" | {share:.2f}% | " in card
    # the whole log on-chain as one root; a payment for the model reaches each dataset by its weight
    model_id, total = int(out["dataset"]), int(log["totalWeight"])
    root, recorded = commons.vault.functions.trainingRecordOf(model_id, 0).call()  # recorded by the reveal
    assert "0x" + bytes(root).hex() == log["merkleRoot"][:50] and recorded == total
    ok(run("royalties", "pay", out["dataset"], "1", "--account", "6"))
    settled = ok(run("royalties", "settle", out["dataset"], "--account", "6")).stdout
    assert "0.1 ETH from dataset" in settled and "to its training pool" in settled  # 10% by default
    penguins_weight = by_id[published["dataset"]]["weight"]
    expected = penguins_weight * (10**17 * 10**18 // total) // 10**18
    pool_before = commons.vault.functions.poolOf(int(published["dataset"]), NATIVE).call()
    pulled = ok(run("royalties", "pull-training", out["dataset"], "--dataset", published["dataset"], "--account", "7"))
    from decimal import Decimal

    eth = format(Decimal(expected) / 10**18, "f").rstrip("0")
    assert f"moved {eth} ETH from model {model_id}'s training pool to dataset {published['dataset']}" in pulled.stdout
    pool_after = commons.vault.functions.poolOf(int(published["dataset"]), NATIVE).call()
    assert (pool_after[1] + pool_after[2]) - (pool_before[1] + pool_before[2]) == expected
    again = run("royalties", "pull-training", out["dataset"], "--dataset", published["dataset"], "--account", "7")
    assert again.returncode == 1 and "has nothing to pull from model" in again.output
    # seen from both sides: the model's record and pool, the dataset's models
    shown = ok(run("model", "show", out["dataset"])).stdout
    assert f"root {log['merkleRoot']} over 2 dataset(s)" in shown and f"pulled  {eth} ETH" in shown
    listed = json.loads(ok(run("model", "list", "--json")).stdout)
    assert [m["model"] for m in listed] == [out["dataset"]]
    models = json.loads(ok(run("dataset", "models", published["dataset"], "--json")).stdout)
    assert models == [{"model": out["dataset"], "generation": 0, "weight": penguins_weight, "totalWeight": total,
                       "pulled": {NATIVE: str(expected)}, "pending": {NATIVE: "0"}}]
    assert "% of its training data; pulled " in ok(run("dataset", "models", published["dataset"])).stdout
    # the dApp's pages read the training records from the index that follows the commons: the chain's answer
    from opencommons.index.database import open_engine
    from opencommons.index.reads import IndexReader
    from opencommons.index.sync import Indexer
    from opencommons.ml.training import models as training_records

    indexer = Indexer(open_engine(f"sqlite:///{tmp_path / 'index.sqlite'}"), commons.w3, commons.deployment)
    indexer.sync()
    recorded = training_records(commons)
    assert IndexReader(indexer.engine, indexer.commons_id).training_records() == recorded
    assert [r["model"] for r in recorded] == [out["dataset"]] and recorded[0]["root"] == log["merkleRoot"]

    # a log whose weights do not match its root, or that names no dataset here, is refused in one line
    tampered = dict(log, datasets=[dict(d, weight=d["weight"] + 1) for d in log["datasets"]])
    (tmp_path / "bad.json").write_text(json.dumps(tampered))
    bad = run("model", "register", str(model), "--run", str(tmp_path / "bad.json"), "--license", "Apache-2.0",
              "--commons", "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--account", "1")
    assert bad.returncode == 1 and bad.output.strip().startswith(f"error: {tmp_path / 'bad.json'}: totalWeight ")
    both = run("model", "register", str(model), "--run", str(log_path), "--trained-on", published["dataset"],
               "--license", "MIT", "--commons", "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--account", "1")
    assert both.returncode == 1 and "one of them" in both.output
    with pytest.raises(Exception, match="the run read no dataset through OpenCommons"):
        with opencommons.training_run() as empty:
            pass
        empty.document()


def test_dataset_get_adds_each_dataset_once_to_a_training_log(env, published, tmp_path):
    """Issue 35 outside Python: `dataset get --run LOG` adds what it fetched (every file's bytes)
    to a training log `model register --run` reads; a resumed get does not count it twice."""
    from opencommons.ml.training import load_log

    run = published["run"]
    log_path = tmp_path / "cli-run.json"
    for i, ref in enumerate((published["dataset"], published["derived"]["dataset"], published["dataset"])):
        got = ok(run("dataset", "get", ref, str(tmp_path / "got" / str(i % 2)), "--run", str(log_path))).stdout
        assert f"added to the training log {log_path}" in got
    log = load_log(log_path.read_bytes(), "the log")  # its root recomputed and checked
    whole = {ref: sum(f["size"] for f in manifest_of(env, m)["files"])
             for ref, m in ((published["dataset"], published["manifest"]),
                            (published["derived"]["dataset"], published["derived"]["manifest"]))}
    assert {d["id"]: d["weight"] for d in log["datasets"]} == whole
    assert all(d["via"] == ["dataset get"] and d["generation"] == 0 for d in log["datasets"])
    refused = run("dataset", "get", published["dataset"], str(tmp_path / "x"), "--run", str(log_path), "--no-chain")
    assert refused.returncode == 1 and "--run credits datasets by their id on-chain: drop --no-chain" in refused.output
    (tmp_path / "broken.json").write_text("{}")
    broken = run("dataset", "get", published["dataset"], str(tmp_path / "y"), "--run", str(tmp_path / "broken.json"))
    assert broken.returncode == 1 and "is not an OpenCommons training log" in broken.output
    assert not (tmp_path / "y").exists()  # refused before anything was fetched
