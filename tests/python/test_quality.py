"""Proof of contribution on real data nobody here wrote (palmerpenguins, scikit-learn's wine): a
clean dataset scores high; 5% corrupted rows lower validity, a shuffled copy of another dataset
lowers uniqueness, a file altered after publish lowers integrity, each explained in the results;
a re-run gives the same bytes; a validator attests the results on-chain."""
import json
import re
import shutil
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from conftest import in_process, ok, pass_proposal, start_chain_env

PENGUINS = Path(str(files("palmerpenguins") / "data" / "penguins.csv"))
WINE = Path(str(files("sklearn.datasets") / "data" / "wine_data.csv"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}", "--validator", "{4}")


@pytest.fixture(scope="module")
def commons_data(env, tmp_path_factory):
    run = in_process(env)
    acc = env["accounts"]
    ok(run("contributor", "register", "--name", "Allison", "--community", "AQ/ecology", "--account", "1"))
    root = tmp_path_factory.mktemp("quality")

    def publish(name, frames, account="1"):
        folder = root / name
        folder.mkdir()
        for file, frame in frames.items():
            frame.to_csv(folder / file, index=False) if isinstance(frame, pd.DataFrame) else shutil.copy(frame, folder / file)
        out = json.loads(ok(run("dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology",
                                "--name", name, "--contributor", f"{acc[int(account)]}=10000", "--account", account,
                                "--json")).stdout)
        return out["dataset"]

    penguins = pd.read_csv(PENGUINS)
    corrupted = penguins.astype({"body_mass_g": "object", "year": "object"}).copy()
    bad = corrupted.sample(frac=0.05, random_state=7).index  # 17 of 344 rows
    corrupted.loc[bad, "body_mass_g"] = "heavy"
    wine = pd.read_csv(WINE, skiprows=1, header=None)  # its first line is a summary, not a header
    ids = {"clean": publish("penguins", {"penguins.csv": PENGUINS, "wine.csv": wine})}
    ids["corrupted"] = publish("penguins-corrupted", {"penguins.csv": corrupted})
    ids["shuffled"] = publish("penguins-shuffled", {"rows.csv": penguins.sample(frac=1, random_state=3)})
    # its own bytes (a block shared with another dataset would damage that one too)
    cancer = pd.read_csv(Path(str(files("sklearn.datasets") / "data" / "breast_cancer.csv")), skiprows=1, header=None)
    ids["altered"] = publish("cancer-altered", {"wine.csv": cancer,
                                              "README.md": Path(__file__)})
    return {"run": run, "ids": ids, "bad_rows": len(bad), "root": root}


def score(run, dataset, *extra):
    proc = ok(run("dataset", "score", dataset, "--json", *extra))
    return json.loads(proc.stdout)


def test_score_rates_a_clean_dataset_high_on_every_metric(commons_data):
    results = score(commons_data["run"], commons_data["ids"]["clean"])
    assert results["metrics"] == {"integrity": 1.0, "validity": 1.0, "uniqueness": 1.0, "ownership": 1.0}
    assert results["score"] == 10_000 and results["explanations"] == []
    tables = {t["path"]: t for t in results["details"]["tables"]}
    assert tables["penguins.csv"]["rows"] == 344 and tables["penguins.csv"]["missing"]["sex"] == 11
    assert tables["penguins.csv"]["columns"]["body_mass_g"] == "sc:Integer"  # from the Croissant metadata
    assert results["inputs"]["dataset"] == commons_data["ids"]["clean"]


def test_score_lowers_validity_for_corrupted_rows_and_explains_it(commons_data):
    results = score(commons_data["run"], commons_data["ids"]["corrupted"])
    bad = commons_data["bad_rows"]
    assert results["metrics"]["validity"] == round((344 - bad) / 344, 6)
    assert results["metrics"]["integrity"] == 1.0 and results["metrics"]["ownership"] == 1.0
    assert f"validity: penguins.csv: {bad} of 344 rows violate the schema" in results["explanations"]
    assert results["score"] < 10_000


def test_score_lowers_uniqueness_for_a_shuffled_copy_of_an_earlier_dataset(commons_data):
    ids = commons_data["ids"]
    results = score(commons_data["run"], ids["shuffled"])
    overlaps = results["details"]["overlaps"]
    assert overlaps[ids["clean"]] > 0.5  # the clean dataset's rows are the penguins and wine: ~66% shared
    assert overlaps[ids["corrupted"]] > 0.8  # 95% of its rows are these very rows
    assert results["metrics"]["uniqueness"] < 0.2 and results["metrics"]["validity"] == 1.0
    assert any(line.startswith(f"uniqueness: rows overlap ") and line.endswith(f"with dataset {ids['corrupted']}")
               for line in results["explanations"])
    assert set(results["details"]["comparedWith"]) == {ids["clean"], ids["corrupted"]}


def test_score_lowers_integrity_for_a_file_altered_after_publish(env, commons_data, tmp_path):
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore

    run = commons_data["run"]
    dataset = commons_data["ids"]["altered"]
    shown = json.loads(ok(run("dataset", "show", dataset, "--json")).stdout)
    store = EmbeddedStore(env["root"] / "ipfs")
    manifest = json.loads(b"".join(__import__("opencommons.ipfs.store", fromlist=["cat"]).cat(store, Cid.parse(shown["manifest"]))))
    wine = next(f for f in manifest["files"] if f["path"] == "wine.csv")
    block = store._path(Cid.parse(wine["cid"]))
    data = bytearray(block.read_bytes())
    data[10] ^= 0x20
    block.write_bytes(bytes(data))
    results = score(run, dataset)
    readme = next(f for f in manifest["files"] if f["path"] == "README.md")
    assert results["metrics"]["integrity"] == round(readme["size"] / (readme["size"] + wine["size"]), 6)
    assert any(line.startswith("integrity: wine.csv does not verify (block ") for line in results["explanations"])
    assert results["details"]["tables"] == []  # unverified bytes are never measured


def test_score_is_reproducible_byte_for_byte(env, commons_data, tmp_path):
    """Another validator, with its own cache and index, gets the identical results file."""
    dataset = commons_data["ids"]["shuffled"]
    first = tmp_path / "first.json"
    ok(commons_data["run"]("dataset", "score", dataset, "--out", str(first)))
    other = in_process(env, {"OPENCOMMONS_HOME": str(tmp_path / "another-home")})
    second = tmp_path / "second.json"
    ok(other("dataset", "score", dataset, "--out", str(second)))
    assert second.read_bytes() == first.read_bytes()


def test_attest_from_score_writes_one_attestation_per_metric_with_the_results_as_evidence(env, commons_data, tmp_path):
    from opencommons.connection import connect, load_deployment
    from opencommons.ipfs.cid import Cid

    run = commons_data["run"]
    dataset = commons_data["ids"]["corrupted"]
    results_file = tmp_path / "r.json"
    ok(run("dataset", "score", dataset, "--out", str(results_file)))
    results = json.loads(results_file.read_text())
    proc = ok(run("dataset", "attest", dataset, "--from-score", str(results_file), "--account", "4"))
    evidence = Cid.parse(proc.stdout.strip().splitlines()[-1].removeprefix("evidence: "))
    commons = load_deployment(connect(env["url"]), env["root"] / "deployments")
    logs = commons.attestations.events.DatasetAttested().get_logs(from_block=0, argument_filters={"datasetId": int(dataset)})
    from web3 import Web3

    got = {bytes(log["args"]["kind"]): log["args"]["score"] for log in logs}
    for name, value in [("quality", results["score"]), ("validity", results["scores"]["validity"]),
                        ("integrity", 10_000), ("uniqueness", results["scores"]["uniqueness"]), ("ownership", 10_000)]:
        assert got[bytes(Web3.keccak(text=name))] == value
    assert all(bytes(log["args"]["evidenceDigest"]) == evidence.digest for log in logs)
    # results for another dataset, and a file that is not results, are refused before sending
    wrong = run("dataset", "attest", commons_data["ids"]["clean"], "--from-score", str(results_file), "--account", "4")
    assert wrong.returncode == 1 and wrong.output.strip() == (
        f"error: {results_file} scores dataset {dataset}, not {commons_data['ids']['clean']}")
    both = run("dataset", "attest", dataset, "--from-score", str(results_file), "--kind", "quality", "--account", "4")
    assert both.returncode == 1 and "drop --kind, --score and --evidence" in both.output


def test_score_a_folder_before_publishing_and_refuse_bad_weights(commons_data, tmp_path):
    run = commons_data["run"]
    folder = tmp_path / "draft"
    folder.mkdir()
    shutil.copy(PENGUINS, folder / "penguins.csv")
    results = score(run, str(folder))
    assert results["metrics"] == {"integrity": None, "validity": 1.0, "uniqueness": 1.0, "ownership": None}
    assert results["score"] == 10_000
    # scikit-learn's wine_data.csv as shipped: a summary line where the header should be
    shutil.copy(WINE, folder / "wine_data.csv")
    raw = score(run, str(folder))
    assert raw["metrics"]["validity"] == 0.5
    assert raw["explanations"] == ["validity: wine_data.csv does not parse (wine_data.csv: cannot read its columns "
                                   "(CSV parse error: Expected 5 columns, got 14: 14.23,1.71,2.43,15.6,127,2.8,3.06,"
                                   "0.28,2.29,5.64,1.04,3.92,1065,0))"]
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"integrity": 5000, "validity": 5000, "uniqueness": 1, "ownership": 0}))
    bad = run("dataset", "score", str(folder), "--weights", str(weights))
    assert bad.returncode == 1
    assert bad.output.strip() == (f"error: weights {weights} must give each of integrity, validity, uniqueness, "
                                  "ownership a whole number of basis points, summing to 10000")


def test_rewards_follow_quality_and_a_near_copy_earns_close_to_nothing(env, commons_data, tmp_path):
    from opencommons.connection import connect, load_deployment

    run, ids = commons_data["run"], commons_data["ids"]
    commons = load_deployment(connect(env["url"]), env["root"] / "deployments")
    early = run("gov", "propose", "--accept", ids["clean"], "--by-quality", "--account", "0")
    assert early.returncode == 1 and early.output.strip() == (
        "error: governance has set no quality policy: propose one first "
        "(`commons gov propose --quality-policy BASE --min-score S`)")
    ok(run("gov", "delegate", env["accounts"][0], "--account", "0"))
    bad = run("gov", "propose", "--score-weights", "5000,5000,1", "--account", "0")
    assert bad.returncode == 1 and bad.output.strip() == (
        "error: --score-weights '5000,5000,1': give four whole numbers of basis points "
        "(integrity,validity,uniqueness,ownership) summing to 10000")
    pass_proposal(env["w3"], run, "--quality-policy", "1000", "--min-score", "5000", "--score-weights", "2500,4000,3000,500")
    assert commons.rewards.functions.qualityPolicy().call() == [1000 * 10**18, 5000]
    assert commons.rewards.functions.scoreWeights().call() == [2500, 4000, 3000, 500]
    missing = run("gov", "propose", "--accept", ids["clean"], "--by-quality", "--account", "0")
    assert missing.returncode == 1 and f"dataset {ids['clean']} has no live quality attestation" in missing.output
    for key in ("clean", "shuffled"):
        results = tmp_path / f"{key}.json"
        ok(run("dataset", "score", ids[key], "--out", str(results)))
        ok(run("dataset", "attest", ids[key], "--from-score", str(results), "--account", "4"))
    # the scorer weighs by what governance set
    assert json.loads((tmp_path / "shuffled.json").read_text())["weights"] == {
        "integrity": 2500, "validity": 4000, "uniqueness": 3000, "ownership": 500}
    clean = pass_proposal(env["w3"], run, "--accept", ids["clean"], "--by-quality")
    assert re.search(r"action: reward its contributors by quality: median quality 10000 bps of quality "
                     r"attestation\(s\) \d+(, \d+)*, uniqueness 10000 bps of uniqueness attestation\(s\) \d+(, \d+)* = "
                     r"1000 OCT", clean), clean
    assert commons.rewards.functions.rewardOf(int(ids["clean"])).call() == 1000 * 10**18
    copy = pass_proposal(env["w3"], run, "--accept", ids["shuffled"], "--by-quality")
    shuffled = json.loads((tmp_path / "shuffled.json").read_text())
    expected = 1000 * 10**18 * shuffled["score"] * shuffled["scores"]["uniqueness"] // 10**8
    assert f"median quality {shuffled['score']} bps of quality attestation(s) " in copy
    assert f", uniqueness {shuffled['scores']['uniqueness']} bps of uniqueness attestation(s) " in copy
    assert commons.rewards.functions.rewardOf(int(ids["shuffled"])).call() == expected
    assert expected * 5 < 1000 * 10**18  # a near-copy: a small fraction of what the original earned


def test_score_of_a_dataset_whose_content_is_missing_fails_and_scores_its_tables_zero(env, commons_data, tmp_path):
    """A validator's script scores a dataset whose CSV is in no store it can reach: validity was
    100% and the command exited 0, which the script would have attested. Now the table counts as
    unreadable and the command fails in one line with the fix; the results file says why."""
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.store import EmbeddedStore

    run, acc = commons_data["run"], env["accounts"]
    folder = tmp_path / "gone"
    folder.mkdir()
    (folder / "penguins.csv").write_bytes(PENGUINS.read_bytes()[:5000])
    (folder / "README.md").write_text("penguins, the first rows\n")
    out = json.loads(ok(run("dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology",
                            "--name", "gone", "--contributor", f"{acc[1]}=10000", "--account", "1", "--json")).stdout)
    store = EmbeddedStore(env["root"] / "ipfs")
    manifest = json.loads(b"".join(__import__("opencommons.ipfs.store", fromlist=["cat"]).cat(
        store, Cid.parse(out["manifest"]))))
    csv = next(f for f in manifest["files"] if f["path"] == "penguins.csv")
    store._path(Cid.parse(csv["cid"])).unlink()
    results_file = tmp_path / "results.json"
    refused = run("dataset", "score", out["dataset"], "--out", str(results_file))
    assert refused.returncode == 1
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: 1 of 2 files could not be read (penguins.csv: ")
    assert "no score to attest; fetch the content from its commons' gateway (--gateway URL)" in lines[0]
    results = json.loads(results_file.read_text())
    assert results["metrics"]["validity"] == 0.0 and results["details"]["missing"] == ["penguins.csv"]
    assert any(t["path"] == "penguins.csv" and t["error"].startswith("cannot be read")
               for t in results["details"]["tables"])
