"""Licences that say what they permit: ODRL terms documents (presets, custom documents, what is
refused), SPDX expressions, the lineage rules, and on a chain: terms published beside the data
and bound on-chain, read before a buyer pays, checked where data flows into children and models.
Real data (palmerpenguins, scikit-learn's CSVs) and a real licence text (Debian's copy of CC0)."""
import hashlib
import json
import shutil
import warnings
from importlib.resources import files
from pathlib import Path

import pytest

from conftest import in_process, ok, start_chain_env
from opencommons.licensing import lineage, odrl, spdx

PENGUINS = Path(str(files("palmerpenguins") / "data" / "penguins.csv"))
SKLEARN = Path(str(files("sklearn.datasets") / "data"))
CC0_TEXT = Path("/usr/share/common-licenses/CC0-1.0")


# ---------------------------------------------------------------------- documents
@pytest.mark.parametrize("name", sorted(odrl.PRESETS))
def test_every_preset_reads_back_as_written_and_hashes_as_kubo_adds_it(name):
    from opencommons.ipfs.importer import Importer

    terms = odrl.preset(name, attribution="Palmer Station LTER", community="AQ/ecology")
    data = odrl.canonical(odrl.to_document(terms))
    document, read = odrl.load(data)
    assert read == terms
    # the on-chain digest is the CID's: the document is one raw block, as `ipfs add --cid-version 1` makes it
    assert Importer(cid_version=1).add_bytes(data).cid == odrl.cid_of_digest(hashlib.sha256(data).digest())
    lines = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in odrl.summary(read)}
    for use, word in odrl.USE_WORDS.items():
        assert word in lines["permits" if read.permits(use) else "prohibits"], (use, lines)


def test_a_policy_spelt_with_full_iris_reads_as_the_compact_one():
    """JSON-LD: what matters is what the document expands to, not how it is spelt."""
    compact = odrl.to_document(odrl.preset("no-ai-training", attribution="KE fisheries"))
    spelt = {
        "@context": ["http://www.w3.org/ns/odrl.jsonld"],
        "@type": "Set", "uid": compact["uid"],
        "http://purl.org/dc/terms/title": compact["dct:title"],
        "http://purl.org/dc/terms/description": compact["dct:description"],
        "permission": [{"action": {"@id": "http://www.w3.org/ns/odrl/2/use"}, "duty": [
            {"action": "attribute", "https://w3id.org/opencommons/odrl#attributionText": "KE fisheries"}]},
            {"action": "http://www.w3.org/ns/odrl/2/distribute"}, {"action": "derive"},
            {"action": "http://www.w3.org/ns/odrl/2/commercialize"}],
        "prohibition": [{"action": "https://w3id.org/opencommons/odrl#aiTraining"},
                        {"action": "https://w3id.org/opencommons/odrl#textAndDataMining"}],
    }
    spelt["dct:description"] = compact["dct:description"]  # the schema wants the text under its usual key
    assert odrl.load(spelt)[1] == odrl.load(compact)[1]


def _base() -> dict:
    return odrl.to_document(odrl.preset("open-attribution", attribution="x"))


def _edit(fn):
    document = _base()
    fn(document)
    return document


@pytest.mark.parametrize("document,message", [
    (_edit(lambda d: d.__setitem__("permission", [r for r in d["permission"] if r["action"] != "use"])),
     "does not permit use"),
    (_edit(lambda d: d.__setitem__("prohibition", [{"action": "derive"}])), "states odrl:derive twice (permitted and"),
    (_edit(lambda d: d["permission"].append({"action": "sell"})), "permits odrl:sell, which OpenCommons does not read"),
    (_edit(lambda d: d.__setitem__("permission", [r for r in d["permission"] if r["action"] != "oc:aiTraining"])),
     "does not say whether it permits training AI models"),
    (_edit(lambda d: d["permission"][1].__setitem__("action", {"rdf:value": {"@id": "odrl:commercialize"},
                                                               "refinement": [{"leftOperand": "purpose"}]})),
     "a refined or more than one action"),
    (_edit(lambda d: d.__setitem__("@context", ["http://www.w3.org/ns/odrl.jsonld", "https://evil.example/ctx"])),
     "may only use the ODRL context and inline ones"),
    (_edit(lambda d: d.__setitem__("@context", "https://evil.example/ctx")), "is not an ODRL terms document"),
    (_edit(lambda d: d.pop("dct:description")), "'dct:description' is a required property"),
    (_edit(lambda d: d.__setitem__("oc:localContextsLabel", ["TK Whatever"])), "unknown Local Contexts label"),
    (_edit(lambda d: d["permission"][0].__setitem__("constraint", [
        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "research"}])), "constrains use by odrl:purpose"),
    (_edit(lambda d: d["permission"][2].__setitem__("duty", [{"action": "compensate", "constraint": [
        {"leftOperand": "percentage", "operator": "eq", "rightOperand": 150}]}])),
     "without one percentage between 0 and 100"),
    (b"{not json", "is not JSON"),
    (b" " * (odrl.MAX_DOCUMENT + 1), "over the 262,144 a terms document may have"),
])
def test_an_ambiguous_or_foreign_document_is_refused_in_one_line(document, message):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(odrl.TermsError) as refused:
        odrl.load(data, "terms.json")
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_derive_reads_the_permission_it_sits_in():
    """The compensation duty is read off the derive permission (the third rule of a preset)."""
    terms = odrl.load(odrl.to_document(odrl.preset("commercial-attribution", revenue_share_bps=250)))[1]
    assert terms.revenue_share_bps == 250 and "derivatives owe 2.5% of revenue" in "\n".join(odrl.summary(terms))
    assert odrl.to_document(terms)["permission"][2]["action"] == "odrl:derive"


# ---------------------------------------------------------------------- SPDX expressions
@pytest.mark.parametrize("given,normalised", [
    ("mit or apache-2.0", "MIT OR Apache-2.0"),
    ("CC-BY-4.0 AND LicenseRef-Maori-TK-1.0", "CC-BY-4.0 AND LicenseRef-Maori-TK-1.0"),
    ("GPL-2.0", "GPL-2.0-only"),  # a deprecated id, replaced by its current one
    ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
])
def test_spdx_expressions_are_normalised(given, normalised):
    assert spdx.check_expression(given) == normalised


@pytest.mark.parametrize("given,message", [
    ("CC-BY-4", "unknown SPDX licence identifier 'CC-BY-4' in 'CC-BY-4' (did you mean CC-BY-4.0?)"),
    ("MIT OR", "is not an SPDX expression"),
    ("", "the licence is empty"),
])
def test_a_bad_expression_is_one_line(given, message):
    from opencommons.errors import PublishError

    with pytest.raises(PublishError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        spdx.check_expression(given)


def test_a_community_licence_needs_its_text_beside_the_data(tmp_path):
    from opencommons.errors import PublishError

    with pytest.raises(PublishError, match="publish its text beside the data, as LicenseRef-Maori-TK-1.0.txt"):
        spdx.check_texts(tmp_path, "CC-BY-4.0 AND LicenseRef-Maori-TK-1.0")
    (tmp_path / "LicenseRef-Maori-TK-1.0.txt").write_text("Kaitiakitanga terms\n")
    spdx.check_texts(tmp_path, "CC-BY-4.0 AND LicenseRef-Maori-TK-1.0")


# ---------------------------------------------------------------------- lineage rules
L = lineage.Licensed


@pytest.mark.parametrize("parent,child,kind,refused", [
    # non-commercial parents
    ("CC-BY-NC-4.0", "CC-BY-4.0", "derived", "CC-BY-NC-4.0 forbids commercial use"),
    ("CC-BY-NC-4.0", "CC-BY-NC-4.0", "derived", None),
    ("CC-BY-NC-SA-4.0", "CC-BY-NC-4.0", "derived", "is share-alike: a child must be licensed CC-BY-NC-SA-4.0"),
    ("CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0", "derived", None),
    ("CC-BY-NC-4.0", "MIT", "model", "CC-BY-NC-4.0 forbids commercial use"),
    # share-alike parents
    ("CC-BY-SA-4.0", "CC-BY-4.0", "derived", "is share-alike"),
    ("CC-BY-SA-4.0", "CC-BY-SA-4.0", "derived", None),
    ("CC-BY-SA-4.0", "GPL-3.0-only", "derived", None),  # Creative Commons' one-way compatibility
    ("CC-BY-SA-3.0", "CC-BY-SA-4.0", "derived", None),
    ("ODbL-1.0", "ODbL-1.0", "derived", None),
    ("ODbL-1.0", "ODC-By-1.0", "derived", "is share-alike: a child must be licensed ODbL-1.0"),
    ("CDLA-Sharing-1.0", "CDLA-Permissive-2.0", "derived", "is share-alike"),
    ("CC-BY-SA-4.0", "Apache-2.0", "model", None),  # a model is no adaptation of the table
    # no derivatives
    ("CC-BY-ND-4.0", "CC-BY-ND-4.0", "derived", "permits no derivatives, so it can have no child"),
    ("CC-BY-NC-ND-4.0", "CC-BY-NC-ND-4.0", "model", "permits no derivatives, so it can have no model"),
    ("CC-BY-ND-4.0", "CC-BY-ND-4.0", "version", None),  # its owner's next version is no derivative
    ("CC-BY-NC-4.0", "CC-BY-4.0", "version", "forbids commercial use"),  # nor a way to loosen the licence
    # permissive and public domain
    ("CC0-1.0", "CC-BY-4.0", "derived", None),
    ("PDDL-1.0", "MIT", "model", None),
    ("ODC-By-1.0", "CC-BY-4.0", "derived", None),
    ("CDLA-Permissive-2.0", "Apache-2.0", "model", None),
    ("MIT", "CC-BY-4.0", "derived", None),
    ("BSD-3-Clause", "Apache-2.0", "model", None),
    ("Apache-2.0", "MIT", "derived", None),
    # responsible-AI licences carry their use restrictions to what is made from them
    ("LicenseRef-scancode-bigscience-open-rail-m", "LicenseRef-scancode-bigscience-open-rail-m", "derived", None),
    ("LicenseRef-scancode-bigscience-open-rail-m", "MIT", "derived", "is share-alike"),
    # choices: a parent passes by one of its choices, a child must pass with every one of its own
    ("MIT OR CC-BY-NC-ND-4.0", "Apache-2.0", "model", None),
    ("CC-BY-SA-4.0", "CC-BY-SA-4.0 OR MIT", "derived", "not MIT"),
    ("CC-BY-4.0 AND CC-BY-NC-4.0", "CC-BY-4.0", "derived", "forbids commercial use"),
])
def test_lineage_rules(parent, child, kind, refused):
    findings = lineage.check(L("the child", child), [L("parent 7", parent)], kind)
    verdict = lineage.refusal(findings)
    if refused is None:
        assert verdict is None, verdict
        assert any(f.level == "ok" for f in findings)
    else:
        assert verdict is not None and "parent 7" in verdict and refused in verdict, verdict


def test_terms_restrict_a_permissive_licence_and_custom_licences_go_by_their_terms():
    no_ai = odrl.preset("no-ai-training")
    assert "forbids training AI models" in lineage.refusal(
        lineage.check(L("m", "Apache-2.0"), [L("parent 1", "CC-BY-4.0", no_ai)], "model"))
    research = odrl.preset("research-only")
    assert "forbids commercial use" in lineage.refusal(
        lineage.check(L("c", "CC-BY-4.0"), [L("parent 2", "LicenseRef-Pacific-1.0", research)], "derived"))
    # a custom licence without a terms document cannot be checked: said, not passed silently
    [unchecked] = lineage.check(L("c", "CC-BY-4.0"), [L("parent 3", "LicenseRef-Pacific-1.0")], "derived")
    assert unchecked.level == "note" and "not checked" in unchecked.text
    # share-alike terms: the child must keep them
    keeps = odrl.preset("ai-training-allowed")
    assert "keep its terms" in lineage.refusal(lineage.check(L("c", "CC-BY-4.0"), [L("p", "CC-BY-4.0", keeps)],
                                                             "derived"))
    assert lineage.refusal(lineage.check(L("c", "CC-BY-4.0", keeps), [L("p", "CC-BY-4.0", keeps)], "derived")) is None


def test_every_rule_in_the_table_names_a_licence_the_spdx_library_knows():
    for identifier, rule in lineage.rules().items():
        assert spdx.check_expression(identifier) == identifier
        for allowed in rule.get("shareAlike", []):
            assert spdx.check_expression(allowed) == allowed


# ---------------------------------------------------------------------- on a chain
@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from start_chain_env(tmp_path_factory, "--curator", "{0}")


@pytest.fixture(scope="module")
def commons(env, tmp_path_factory):
    """Penguins published with research-only terms (accepted, licences offered under them)."""
    run = in_process(env)
    acc = env["accounts"]
    for index, name in (("1", "Allison"), ("2", "Kristen"), ("3", "Leo")):
        ok(run("contributor", "register", "--name", name, "--community", "AQ/ecology", "--account", index))
    folder = tmp_path_factory.mktemp("real") / "penguins"
    folder.mkdir()
    shutil.copy(PENGUINS, folder / "penguins.csv")
    out = json.loads(ok(run("dataset", "publish", str(folder), "--license", "CC-BY-NC-4.0", "--commons", "AQ/ecology",
                            "--contributor", f"{acc[1]}=10000", "--preset", "research-only", "--attribution",
                            "Palmer Station LTER", "--account", "1", "--json")).stdout)
    ok(run("dataset", "curate", out["dataset"], "accept", "--account", "0"))
    offered = ok(run("license", "offer", out["dataset"], "--price", "0.01", "--days", "30", "--account", "1"))
    return {"run": run, "acc": acc, "penguins": out, "root": env["root"], "offered": offered.stdout}


def _store(env):
    from opencommons.ipfs.content import open_store

    return open_store("embedded", env["root"] / "ipfs")


def _document(env, cid):
    from opencommons.ipfs.cid import Cid

    return b"".join(_store(env).cat(Cid.parse(cid)))


def _w3_commons(env):
    from opencommons.connection import open_commons

    return open_commons(env["url"], env["root"] / "deployments")


def test_terms_published_beside_the_data_are_what_licences_are_sold_and_bought_under(env, commons):
    import mlcroissant as mlc

    run, penguins = commons["run"], commons["penguins"]
    manifest = json.loads(_document(env, penguins["manifest"]))
    terms_bytes = _document(env, manifest["terms"])
    croissant = json.loads(_document(env, manifest["croissant"]))
    assert croissant["usageInfo"] == "ipfs://" + manifest["terms"]
    assert croissant["license"] == "https://spdx.org/licenses/CC-BY-NC-4.0.html"  # mlcroissant writes one as a string
    issues = mlc.Dataset(jsonld=croissant).metadata.ctx.issues  # Croissant readers take usageInfo as it is
    assert issues.errors == set() and issues.warnings == set()

    assert f"terms: the document published with the dataset {manifest['terms']}, bound on-chain" in commons["offered"]
    digest = hashlib.sha256(terms_bytes).digest()
    chain = _w3_commons(env)
    assert bytes(chain.licenses.functions.termsOf(int(penguins["dataset"])).call()[4]) == digest

    shown = json.loads(ok(run("license", "show", penguins["dataset"], "--account", "3", "--json")).stdout)
    assert shown["termsDocument"] == manifest["terms"] and "prohibits: commercial use and redistribution" in \
        shown["terms"] and shown["priceText"] == "0.01 ETH" and shown["duration"] == "30 days"

    bought = ok(run("license", "buy", penguins["dataset"], "--account", "3"))
    lines = bought.stdout.splitlines()
    assert lines[0] == "price: 0.01 ETH, 30 days" and lines[1] == f"terms document: {manifest['terms']}"
    assert "requires: credit: Palmer Station LTER" in bought.stdout
    assert lines.index("prohibits: commercial use and redistribution") < \
        next(i for i, line in enumerate(lines) if line.startswith("licence bought"))
    licence = chain.licenses.events.LicensePurchased().get_logs(from_block=0, argument_filters={
        "licenseId": chain.licenses.functions.licenseCount().call()})[0]["args"]  # a licence's record is its event
    assert bytes(licence["termsDigest"]) == digest and licence["licensee"] == commons["acc"][3]

    read = ok(run("license", "terms", "show", penguins["dataset"])).stdout.splitlines()
    assert read[0] == "terms: Research only (non-commercial)" and f"document: {manifest['terms']}" in read
    assert read[-1].startswith("text: Research only (non-commercial). Permitted: using the data, derivatives")
    shown = json.loads(ok(run("dataset", "show", penguins["dataset"], "--json")).stdout)
    assert shown["croissant"] == manifest["croissant"] and shown["licenceUrls"] == \
        "https://spdx.org/licenses/CC-BY-NC-4.0.html"
    assert shown["termsPublished"] == shown["termsDocument"] == manifest["terms"]
    assert "prohibits: commercial use and redistribution" in shown["terms"]

    got = ok(run("dataset", "get", penguins["dataset"], str(commons["root"] / "got"), "--account", "3"))
    assert f"terms document: {manifest['terms']}" in got.stdout and "holds a valid licence" in got.stdout


def test_a_child_that_permits_what_its_parent_forbids_is_refused_with_the_parent_and_the_term(env, commons,
                                                                                              tmp_path):
    run, acc, parent = commons["run"], commons["acc"], commons["penguins"]["dataset"]
    iris = tmp_path / "iris"
    iris.mkdir()
    shutil.copy(SKLEARN / "iris.csv", iris / "iris.csv")
    args = ["dataset", "publish", str(iris), "--commons", "AQ/ecology", "--contributor", f"{acc[2]}=10000",
            "--parent", parent, "--account", "2"]
    refused = run(*args, "--license", "CC-BY-4.0")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"error: the licence is incompatible with parent {parent}: CC-BY-NC-4.0 with its terms (Research only "
        "(non-commercial)) forbids commercial use, but the child's CC-BY-4.0 permits it (--explain prints the whole "
        "check)")
    explained = run(*args, "--license", "CC-BY-NC-4.0", "--explain", "--json")
    assert explained.returncode == 0, explained.stderr
    assert f"explain: parent {parent}: CC-BY-NC-4.0 with its terms (Research only (non-commercial)) permits " \
           "derivatives, training AI models; not commercial use, redistribution: compatible" in explained.stderr
    assert f"note: parent {parent}: credit it as: Palmer Station LTER" in explained.stderr
    child = json.loads(explained.stdout)["dataset"]
    ok(run("dataset", "curate", child, "accept", "--account", "0"))
    # the child cannot be sold under terms its parent forbids either
    sold = run("license", "offer", child, "--price", "0.01", "--preset", "commercial-attribution", "--account", "2")
    assert sold.returncode == 1 and "these terms are incompatible with parent" in sold.stderr and \
        "forbids commercial use" in sold.stderr


def test_a_model_cannot_be_trained_on_data_whose_terms_forbid_it_and_loading_for_training_warns(env, commons,
                                                                                                tmp_path):
    import opencommons
    from opencommons.errors import LicenceError
    from opencommons.licensing.documents import LicenceWarning

    run, acc = commons["run"], commons["acc"]
    folder = tmp_path / "wine"
    folder.mkdir()
    import pandas as pd

    pd.read_csv(SKLEARN / "wine_data.csv", skiprows=1, header=None).rename(columns=str).to_csv(
        folder / "wine.csv", index=False)
    wine = json.loads(ok(run("dataset", "publish", str(folder), "--license", "CC-BY-4.0", "--commons", "AQ/ecology",
                             "--contributor", f"{acc[3]}=10000", "--account", "3", "--json")).stdout)["dataset"]
    ok(run("dataset", "curate", wine, "accept", "--account", "0"))
    ok(run("license", "offer", wine, "--price", "0.01", "--preset", "no-ai-training", "--account", "3"))
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\x00" * 64)
    refused = run("model", "register", str(model), "--trained-on", wine, "--license", "Apache-2.0", "--commons",
                  "AQ/ecology", "--contributor", f"{acc[2]}=10000", "--account", "2")
    assert refused.returncode == 1 and "forbids training AI models" in refused.stderr and \
        len(refused.stderr.strip().splitlines()) == 1, refused.stderr

    where = {"rpc": env["url"], "deployments": env["root"] / "deployments", "home": env["root"] / "ipfs"}
    with pytest.warns(LicenceWarning, match=f"dataset {wine}: its terms document \\(No AI training"):
        loaded = opencommons.load_dataset(wine, **where)
    assert loaded.info.license == "CC-BY-4.0"
    frame = opencommons.to_pandas(wine, account=acc[3], **where)
    assert frame.attrs["licence"] == "CC-BY-4.0" and frame.attrs["termsDocument"].startswith("bafkrei")
    assert "prohibits: training AI models and text and data mining" in frame.attrs["licenceNote"]
    assert frame.attrs["licenceNote"][-1] == f"{acc[3]} holds no valid licence: buy one with `commons license buy {wine}`"
    assert "terms: No AI training" in loaded.info.description.splitlines()
    stated = opencommons.licence(wine, account=acc[3], **where)
    assert "prohibits: training AI models and text and data mining" in stated and \
        stated[-1] == f"{acc[3]} holds no valid licence: buy one with `commons license buy {wine}`"
    with pytest.raises(LicenceError, match="refused to load it for training"):
        opencommons.load_dataset(wine, strict=True, **where)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(opencommons.load_dataset(wine, purpose="analysis", **where)) == 178
        assert len(opencommons.load_dataset(commons["penguins"]["dataset"], **where)) == 344  # research allows it

    # oc:// says the same: what the licence permits and whether the account holds one, and a read
    # for training warns (refuses in strict mode) before any byte is returned
    import fsspec

    content = _w3_commons(env).nft.functions.dataset(int(wine)).call()
    from opencommons.ipfs.cid import Cid

    root = str(Cid.from_chain(content[1], bytes(content[0])))
    chain = {"rpc": env["url"], "deployments": str(env["root"] / "deployments"), "home": str(env["root"] / "ipfs")}
    fs = fsspec.filesystem("oc", skip_instance_cache=True, account=acc[5], **chain)
    said = fs.licence(f"oc://{root}/wine.csv")
    assert said[0] == "licence: CC-BY-4.0 (https://spdx.org/licenses/CC-BY-4.0.html)"
    assert "terms: No AI training" in said and "prohibits: training AI models and text and data mining" in said
    assert said[-1] == f"{acc[5]} holds no valid licence: buy one with `commons license buy {wine}`"
    training = fsspec.filesystem("oc", skip_instance_cache=True, purpose="training", **chain)
    with pytest.warns(LicenceWarning, match=f"dataset {wine}: its terms document"):
        assert training.cat_file(f"oc://{root}/wine.csv", 0, 2) == b"0,"
    strict = fsspec.filesystem("oc", skip_instance_cache=True, purpose="training", strict=True, **chain)
    with pytest.raises(LicenceError, match="refused to load it for training"):
        strict.open(f"oc://{root}/wine.csv").read()
    unchained = fsspec.filesystem("oc", skip_instance_cache=True, home=chain["home"])
    assert unchained.licence(f"oc://{root}")[0].endswith("pass rpc= (or set $OPENCOMMONS_RPC) to read it")


def test_a_buyer_does_not_pay_for_terms_it_cannot_read(env, commons, tmp_path):
    run, acc = commons["run"], commons["acc"]
    folder = tmp_path / "cancer"
    folder.mkdir()
    shutil.copy(SKLEARN / "breast_cancer.csv", folder / "cancer.csv")
    dataset = json.loads(ok(run("dataset", "publish", str(folder), "--license", "CC-BY-4.0", "--commons",
                                "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--account", "1",
                                "--json")).stdout)["dataset"]
    ok(run("dataset", "curate", dataset, "accept", "--account", "0"))
    elsewhere = tmp_path / "owner-ipfs"  # the owner pins the terms where the buyer cannot read them
    offered = ok(run("license", "offer", dataset, "--price", "0.01", "--preset", "open-attribution", "--attribution",
                     "UCI", "--home", str(elsewhere), "--account", "1"))
    cid = offered.stdout.split("terms: the document ")[1].split(",")[0]
    refused = run("license", "buy", dataset, "--account", "3")
    assert refused.returncode == 1 and f"the terms document {cid} could not be read" in refused.stderr and \
        "--accept-unread" in refused.stderr
    chain = _w3_commons(env)
    assert not chain.licenses.functions.hasValidLicense(acc[3], int(dataset)).call()
    bought = ok(run("license", "buy", dataset, "--home", str(elsewhere), "--account", "3"))
    assert "permits: commercial use, derivatives, redistribution, training AI models and text and data mining" \
        in bought.stdout
    # the document the owner pinned is an Offer naming the dataset and its owner
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.content import open_store

    document = json.loads(open_store("embedded", elsewhere).get_block(Cid.parse(cid)))
    assert document["@type"] == "Offer" and document["target"].endswith(f"#dataset={dataset}")
    assert document["assigner"] == f"did:pkh:eip155:{chain.deployment.chain_id}:{acc[1]}"


def test_a_community_licence_is_published_with_its_text(env, commons, tmp_path):
    run, acc = commons["run"], commons["acc"]
    folder = tmp_path / "songs"
    folder.mkdir()
    shutil.copy(SKLEARN / "iris.csv", folder / "iris.csv")
    refused = run("dataset", "publish", str(folder), "--license", "LicenseRef-Kaitiaki-1.0", "--commons",
                  "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--account", "1")
    assert refused.returncode == 1 and "publish its text beside the data, as LicenseRef-Kaitiaki-1.0.txt" \
        in refused.stderr
    shutil.copy(CC0_TEXT, folder / "LicenseRef-Kaitiaki-1.0.txt")  # a real licence text, under its own name
    out = json.loads(ok(run("dataset", "publish", str(folder), "--license", "LicenseRef-Kaitiaki-1.0 OR CC0-1.0",
                            "--commons", "AQ/ecology", "--contributor", f"{acc[1]}=10000", "--account", "1",
                            "--json")).stdout)
    manifest = json.loads(_document(env, out["manifest"]))
    croissant = json.loads(_document(env, manifest["croissant"]))
    assert croissant["license"] == ["https://spdx.org/licenses/CC0-1.0.html",
                                    f"ipfs://{out['content']}/LicenseRef-Kaitiaki-1.0.txt"]
    got = commons["root"] / "songs-got"
    ok(run("dataset", "get", out["dataset"], str(got)))
    assert (got / "LicenseRef-Kaitiaki-1.0.txt").read_bytes() == CC0_TEXT.read_bytes()


def test_a_new_version_inherits_licence_commons_contributors_and_terms_and_says_which_version(env, commons,
                                                                                              tmp_path):
    """`dataset version DIR PREVIOUS`, the folder first as `publish` takes it: everything but the
    files comes from the previous version unless given (its terms too, which the version is
    checked against); its Croissant carries the version number and the name of what it succeeds."""
    run, acc, first = commons["run"], commons["acc"], commons["penguins"]
    folder = tmp_path / "penguins-2"
    folder.mkdir()
    shutil.copy(PENGUINS, folder / "penguins.csv")
    (folder / "CHANGES.md").write_text("2: a changelog\n")
    said = ok(run("dataset", "version", str(folder), first["dataset"], "--account", "1"))
    assert said.stdout.startswith(f"version 2 of penguins (dataset {first['dataset']}): licence CC-BY-NC-4.0, "
                                  "commons AQ/ecology, 1 contributor(s)")
    second = json.loads(ok(run("dataset", "show", _last_dataset(said.stdout), "--json")).stdout)
    assert second["previousVersion"] == first["dataset"] and second["license"] == "CC-BY-NC-4.0"
    assert [c["account"] for c in second["contributors"]] == [acc[1]]
    manifest = json.loads(_document(env, second["manifest"]))
    assert manifest["terms"] == json.loads(_document(env, first["manifest"]))["terms"]  # the same terms document
    croissant = json.loads(_document(env, manifest["croissant"]))
    assert croissant["version"] == "2.0.0" and croissant["description"].endswith(
        f"Version 2, succeeding penguins (dataset {first['dataset']}).")
    lineage = ok(run("dataset", "lineage", first["dataset"])).stdout.splitlines()
    assert lineage[1] == f"versions: 1 {first['dataset']} (this one), 2 {second['id']}"


def _last_dataset(text):
    """The dataset id a publish printed (its `dataset` line)."""
    return next(line.split()[-1] for line in text.splitlines() if line.startswith("dataset "))


def test_the_dapp_offers_under_a_preset_it_checks_and_pins_and_refuses_what_a_page_cannot_send(env, commons):
    """The dApp's offer form: the server fills a preset in with the page's words, checks it along
    the lineage and pins it; the page binds the digest. A page sends words, never a document."""
    import threading
    import urllib.error
    import urllib.request

    from web3 import Web3

    from opencommons.chain.transactions import NodeAccount
    from opencommons.dapp_server import DappServer

    chain = _w3_commons(env)
    server = DappServer(chain, env["url"], _store(env), NodeAccount(Web3.to_checksum_address(commons["acc"][0])),
                        port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def call(path, body=None):
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}",
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    try:
        penguins = commons["penguins"]
        status, presets = call("/api/terms/presets")
        assert status == 200 and [p["name"] for p in presets] == list(odrl.PRESETS)
        status, published = call("/api/terms/prepare", {"dataset": penguins["dataset"], "preset": ""})
        manifest = json.loads(_document(env, penguins["manifest"]))
        assert status == 200 and published["published"] and published["cid"] == manifest["terms"]
        status, filled = call("/api/terms/prepare", {"dataset": penguins["dataset"], "preset": "research-only",
                                                     "attribution": "Gorman, Williams and Fraser (2014)"})
        assert status == 200 and not filled["published"]
        assert "requires: credit: Gorman, Williams and Fraser (2014)" in filled["summary"]
        document = _document(env, filled["cid"])  # pinned here, as the page's setTerms will name it
        assert "0x" + hashlib.sha256(document).hexdigest() == filled["digest"]
        _, terms = odrl.load(document)
        assert terms.target.endswith(f"#dataset={penguins['dataset']}") and commons["acc"][1] in terms.assigner
        for body, message in (
                ({"dataset": penguins["dataset"], "preset": "open-everything"}, "unknown terms preset 'open-everything'"),
                ({"dataset": penguins["dataset"], "preset": "community-only"}, "the community-only preset needs "
                                                                             "--community NAME"),
                ({"dataset": penguins["dataset"], "preset": "research-only", "attribution": ["x"]},
                 "bad request: attribution must be a text of at most 200 characters"),
                ({"dataset": "12345", "preset": "research-only"}, "dataset 12345 does not exist in this commons"),
                ({"dataset": penguins["dataset"], "preset": "research-only", "document": {"@type": "Set"}},
                 None)):
            status, reply = call("/api/terms/prepare", body)
            if message is None:  # a document the page sends is ignored: the preset is what is pinned
                assert status == 200 and reply["digest"] != "0x" + "00" * 32
                continue
            assert status == 400 and reply["error"].startswith(message), reply
    finally:
        server.shutdown()
