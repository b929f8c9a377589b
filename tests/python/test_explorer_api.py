"""The explorer's API (`/api/explorer/...` of `commons dapp`): answers from the index that its
follower thread keeps current, over HTTP, with 404s and one-line errors for bad requests."""

import json
import time
import urllib.error
import urllib.request

import pytest
from web3 import Web3

from chain_seed import NATIVE, seed_variety, tx
from conftest import start_chain_env
from opencommons.chain.deploy import Deployment
from opencommons.chain.transactions import NodeAccount
from opencommons.dapp_server import DappServer
from opencommons.index.api import ExplorerApi
from opencommons.index.database import open_engine
from opencommons.ipfs.content import open_store
from opencommons.suite import Commons


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    for env in start_chain_env(tmp_path_factory, "--curator", "{0}", "--verifier", "{3}", "--validator", "{4}"):
        w3 = env["w3"]
        commons = Commons(w3, Deployment.from_file(next((env["root"] / "deployments").glob("*.json"))))
        acc = [Web3.to_checksum_address(a) for a in env["accounts"]]
        ids = seed_variety(commons, acc)
        data = env["root"] / "rivers"
        data.mkdir()
        (data / "rivers.csv").write_text("river,length_km\nTana,1000\nAthi,390\n")
        (data / "README.md").write_text("Kenyan rivers\n")
        published = env["run"]("dataset", "publish", str(data), "--license", "CC-BY-4.0", "--commons", "KE/water",
                               "--name", "Rivers of Kenya", "--name-in", "sw=Mito ya Kenya", "--name-in",
                               "fr=Rivières du Kenya", "--contributor", f"{acc[1]}=10000", "--account", "1",
                               "--json")
        assert published.returncode == 0, published.stderr
        ids["rivers"] = int(json.loads(published.stdout)["dataset"])
        store = open_store("embedded", env["root"] / "ipfs", None)
        api = ExplorerApi(open_engine(f"sqlite:///{env['root'] / 'explorer.sqlite'}"), w3, commons.deployment,
                          store, poll=0.1).start()
        server = DappServer(commons, env["url"], store, NodeAccount(acc[9]), 0, explorer=api)
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        env.update(commons=commons, acc=acc, ids=ids, api=api, server=server, base=f"http://127.0.0.1:{server.port}/api/explorer/")
        wait_synced(env)
        yield env
        server.shutdown()


def get(env, path):
    with urllib.request.urlopen(env["base"] + path, timeout=10) as reply:
        return json.loads(reply.read())


def get_error(env, path):
    with pytest.raises(urllib.error.HTTPError) as raised:
        get(env, path)
    return raised.value.code, json.loads(raised.value.read())["error"]


def wait_synced(env, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        status = get(env, "status")
        if status["behind"] == 0 and status["error"] is None:
            return status
        time.sleep(0.1)
    raise AssertionError(f"the follower did not catch up: {status}")


def test_search_filters_by_name_licence_commons_contributor_and_cid(served):
    ids, acc = served["ids"], served["acc"]
    everything = get(served, "datasets")
    assert everything["total"] == 6 and everything["items"][0]["id"] == str(ids["rivers"])
    # a name in any of the languages it was published in finds it
    assert [d["id"] for d in get(served, "datasets?q=mito%20ya")["items"]] == [str(ids["rivers"])]
    assert [d["id"] for d in get(served, "datasets?q=rivi%C3%A8res")["items"]] == [str(ids["rivers"])]
    by_name = get(served, "datasets?q=rivers%20of")
    assert [d["id"] for d in by_name["items"]] == [str(ids["rivers"])]
    assert by_name["items"][0]["name"] == "Rivers of Kenya"
    assert {d["id"] for d in get(served, "datasets?license=mit")["items"]} == {str(ids["other"])}
    assert [d["id"] for d in get(served, "datasets?commons=KE/water")["items"]] == [str(ids["rivers"])]
    mine = {d["id"] for d in get(served, f"datasets?contributor={acc[3].lower()}")["items"]}
    assert mine == {str(ids[k]) for k in ("b", "child", "other")}
    content = by_name["items"][0]["content"]
    assert [d["id"] for d in get(served, f"datasets?q={content}")["items"]] == [str(ids["rivers"])]
    assert get(served, "datasets?status=retired")["total"] == 1
    page = get(served, "datasets?limit=2&offset=2")
    assert page["total"] == 6 and len(page["items"]) == 2
    assert get(served, "commons") == [{"code": "KE/water", "datasets": 1}]


def test_dataset_page_shows_files_attestations_licence_and_royalties(served):
    ids = served["ids"]
    rivers = get(served, f"datasets/{ids['rivers']}")
    assert rivers["name"] == "Rivers of Kenya"
    assert sorted(f["path"] for f in rivers["files"]) == ["README.md", "rivers.csv"]
    a = get(served, f"datasets/{ids['a']}")
    assert [(x["kindName"], x["score"], x["revoked"]) for x in a["attestations"]] == [("integrity", 9000, False)]  # a kind the scorer attests
    assert a["licenseTerms"] == [{"token": NATIVE, "price": str(10**16), "duration": 86_400 * 30,
                                  "terms": "0x" + "11" * 32, "active": True}]
    assert a["licencesSold"] == 1
    # paid directly, through the licence, and half of the 20% its child settled to its two parents
    from_child = (3 * 10**17 + 1 + 999) * 2000 // 10_000 // 2
    assert int(a["royaltiesPaid"][NATIVE]) == 10**18 + 7 + 10**16 + from_child
    assert a["children"] == [str(ids["child"])]


def test_dataset_lineage_is_a_graph_of_parents_and_children(served):
    ids = served["ids"]
    graph = get(served, f"datasets/{ids['child']}/lineage")
    assert {n["id"] for n in graph["nodes"]} == {str(ids[k]) for k in ("a", "b", "child")}
    assert {(e["parent"], e["child"]) for e in graph["edges"]} == {(str(ids["a"]), str(ids["child"])),
                                                                   (str(ids["b"]), str(ids["child"]))}
    # a dataset's own versions are in its graph too, marked as such (older above, newer below)
    versioned = get(served, f"datasets/{ids['version']}/lineage")
    assert {"parent": str(ids["a"]), "child": str(ids["version"]), "kind": "version"} in versioned["edges"]
    assert str(ids["a"]) in {n["id"] for n in versioned["nodes"]}
    older = get(served, f"datasets/{ids['a']}/lineage")
    assert {"parent": str(ids["a"]), "child": str(ids["version"]), "kind": "version"} in older["edges"]
    assert {"parent": str(ids["a"]), "child": str(ids["child"])} in older["edges"]


def test_contributor_page_follows_a_claim(served):
    c, acc, ids = served["commons"], served["acc"], served["ids"]
    before = get(served, f"contributors/{acc[2]}")
    owed = int(before["totals"][NATIVE]["claimable"])
    assert owed > 0 and before["registered"] is True
    per_dataset = {(e["dataset"], e["token"]): int(e["claimable"]) for e in before["earnings"]}
    assert per_dataset[(str(ids["a"]), NATIVE)] == c.vault.functions.claimable(ids["a"], NATIVE, acc[2]).call()
    # a page of the rows at a time: the pages together are the whole list, the totals and what
    # is claimable stay those of every row
    count = before["earningsCount"]
    assert count == len(before["earnings"]) >= 2
    pages = [get(served, f"contributors/{acc[2]}?offset={at}&limit=1") for at in range(count)]
    assert [p["earnings"][0] for p in pages] == before["earnings"]
    assert all(p["totals"] == before["totals"] and p["earningsCount"] == count for p in pages)
    assert get(served, f"contributors/{acc[2]}?offset={count}&limit=1")["earnings"] == []
    owed_rows = [e for e in before["earnings"] if int(e["claimable"]) > 0]
    owed_ids = list(dict.fromkeys(e["dataset"] for e in owed_rows))
    assert pages[0]["owed"] == {"count": len(owed_ids), "datasets": owed_ids,
                                "tokens": list(dict.fromkeys(e["token"] for e in owed_rows))}
    assert get_error(served, f"contributors/{acc[2]}?limit=x") == (400, "limit must be a whole number, not 'x'")
    # what was earned over time climbs, in time order, to what every row says was earned
    series = before["earnedSeries"][NATIVE]
    assert [t for t, _ in series] == sorted(t for t, _ in series)
    assert [int(v) for _, v in series] == sorted(int(v) for _, v in series)
    assert int(series[-1][1]) == sum(int(e["earned"]) for e in before["earnings"]) > 0
    tx(c, acc[2], c.vault.functions.claim([ids["a"], ids["child"]], [NATIVE]))
    wait_synced(served)
    after = get(served, f"contributors/{acc[2]}")
    assert int(after["totals"][NATIVE]["claimable"]) == 0
    assert int(after["totals"][NATIVE]["claimed"]) - int(before["totals"][NATIVE]["claimed"]) == owed
    assert after["earnedSeries"] == before["earnedSeries"]  # a claim moves money, it earns nothing


def test_proposals_tallies_follow_votes(served):
    c, acc = served["commons"], served["acc"]
    [proposal] = get(served, "proposals")["items"]
    assert proposal["description"] == "Accept the new version" and proposal["for"] == "0"
    served["w3"].provider.make_request("evm_mine", [])
    tx(c, acc[0], c.governor.functions.castVote(int(proposal["id"]), 1))
    wait_synced(served)
    [voted] = get(served, "proposals")["items"]
    assert int(voted["for"]) == c.token.functions.getVotes(acc[0]).call() > 0
    assert voted["voters"] == 1 and voted["state"] == "Active"


def test_explorer_bad_requests_answer_one_line_errors(served):
    assert get_error(served, "datasets/999999") == (
        404, "dataset 999999 is not in the index (not published, burnt, or not synced yet)")
    assert get_error(served, "nowhere")[0] == 404
    assert get_error(served, "datasets?offset=-3") == (400, "offset must be a whole number, not '-3'")
    assert get_error(served, "contributors/0x123") == (400, "'0x123' is not an account address")
    assert get_error(served, "datasets/abc/lineage") == (400, "'abc' is not a dataset id")
    assert get_error(served, "datasets?status=lost") == (
        400, "unknown status 'lost': use Proposed, Accepted, Rejected, Retired, Suspended")


def test_wallet_api_answers_from_the_index_as_from_the_chain(served):
    wait_synced(served)
    server = served["server"]
    chain_only = DappServer(served["commons"], served["url"], server.store, NodeAccount(served["acc"][9]), 0)
    try:
        assert server.reader() is served["api"].explorer  # synced: the index answers
        for offset, limit in ((0, 20), (0, 4), (4, 4)):
            assert server.datasets(offset, limit) == chain_only.datasets(offset, limit)
        assert server.proposals() == chain_only.proposals()
        page = server.datasets(4, 4)
        assert page["total"] == 6 and len(page["items"]) == 2 and len(server.proposals()) == 1
        assert server.datasets()["items"][0]["name"] == "Rivers of Kenya"  # newest first
    finally:
        chain_only.shutdown()  # never served: closes its socket


def post(env, path, body):
    request = urllib.request.Request(env["base"].replace("/api/explorer/", path), data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return 200, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_publish_from_the_dapp_prepares_what_the_cli_would_and_refuses_bad_uploads(served, tmp_path):
    import base64
    import os

    from opencommons.publish import PublishRequest, scan

    c, acc = served["commons"], served["acc"]
    body = {"publisher": acc[1], "name": "Springs", "license": "cc-by-4.0", "commons": "KE/water",
            "contributors": [{"account": acc[1], "shareBps": "10000"}],
            "files": [{"path": "data/springs.csv", "data": base64.b64encode(b"spring,flow\nMzima,3\n").decode()}],
            "names": {"sw": "Chemchemi"}, "descriptions": {"sw": "Chemchemi za Kenya"}}
    for change, error in [({"files": []}, "choose at least one file to publish"),
                          ({"files": [{"path": "../up.csv", "data": ""}]},
                           "file path '../up.csv' would not stay inside the dataset's folder"),
                          ({"files": [{"path": "a.csv", "data": "%%%"}]}, "a.csv: the upload is not base64"),
                          ({"publisher": "0x12"}, "the publisher '0x12' is not an account address"),
                          ({"name": ""}, "give the dataset a name"),
                          ({"publisher": acc[8], "contributors": [{"account": acc[8], "shareBps": "10000"}]},
                           f"{acc[8]} is not a registered contributor: that account registers first, on the wallet "
                           "page (Register)"),
                          ({"names": {"swahili please": "Chemchemi"}},
                           "'swahili please' is not a language tag (sw, fr, pt-BR...) for the name 'Chemchemi'"),
                          ({"names": ["sw", "Chemchemi"]},
                           "the names in other languages must be an object of language tag to text"),
                          ({"descriptions": {"sw": ""}}, "the description in sw must be 1 to 5000 characters"),
                          ({"license": "not-a-licence"}, None)]:
        status, answer = post(served, "/api/publish/prepare", {**body, **change})
        assert status == 400, answer
        if error:
            assert answer["error"] == error
    status, prepared = post(served, "/api/publish/prepare", body)
    assert status == 200, prepared
    # the same CIDs `commons dataset publish` computes for the same folder
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "springs.csv").write_bytes(b"spring,flow\nMzima,3\n")
    scanned = scan(PublishRequest(tmp_path, "CC-BY-4.0", "KE/water", [(acc[1], 10_000)], "Springs",
                                  names=(("sw", "Chemchemi"),), descriptions=(("sw", "Chemchemi za Kenya"),)))
    content, manifest_cid = scanned.content, scanned.manifest_cid
    assert (prepared["content"], prepared["manifest"]) == (str(content), str(manifest_cid))
    assert post(served, "/api/publish/pin", {"content": prepared["content"]}) == (
        400, {"error": f"dataset {prepared['datasetId']} is not on-chain yet: pin after the reveal is mined"})
    params = [bytes.fromhex(prepared["params"][0][2:]), int(prepared["params"][1]), bytes.fromhex(prepared["params"][2][2:]),
              int(prepared["params"][3]), prepared["params"][4], bytes.fromhex(prepared["params"][5][2:]),
              int(prepared["params"][6]), [int(p) for p in prepared["params"][7]],
              [(a, int(b)) for a, b in prepared["params"][8]]]
    salt = os.urandom(32)
    nft = c.nft.functions
    tx(c, acc[1], nft.commit(nft.commitmentOf(0, params, acc[1], salt).call()))
    served["w3"].provider.make_request("evm_mine", [])  # the minimum commit age
    tx(c, acc[1], nft.publish(params, salt))
    assert post(served, "/api/publish/pin", {"content": prepared["content"]}) == (
        200, {"content": prepared["content"], "manifest": prepared["manifest"]})
    wait_synced(served)
    assert [d["id"] for d in get(served, "datasets?q=springs")["items"]] == [prepared["datasetId"]]
    # its Swahili name is searchable too
    assert [d["id"] for d in get(served, "datasets?q=chemchemi")["items"]] == [prepared["datasetId"]]
    assert post(served, "/api/publish/prepare", body)[1]["error"] == (
        f"this content is already published as dataset {prepared['datasetId']}")


def test_ipfs_route_serves_raw_blocks_as_a_trustless_gateway(served):
    """`?format=raw` answers the block itself, which the client re-hashes (ipfs/gateway.py)."""
    import hashlib

    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.gateway import GatewaySource

    base = served["base"].replace("/api/explorer/", "")
    rivers = get(served, f"datasets/{served['ids']['rivers']}")
    cid = Cid.parse(rivers["manifest"])
    with urllib.request.urlopen(f"{base}/ipfs/{cid}?format=raw", timeout=10) as reply:
        assert reply.headers["Content-Type"] == "application/vnd.ipld.raw"
        assert hashlib.sha256(reply.read()).digest() == cid.digest
    assert GatewaySource(base).get_block(cid) == served["server"].store.get_block(cid)
    missing = Cid.from_chain(0x55, bytes(32))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/ipfs/{missing}?format=raw", timeout=10)
    assert refused.value.code == 404


def test_owed_names_one_claims_worth_of_datasets_and_counts_them_all():
    """A person owed from thousands of datasets gets the first `CLAIM_BATCH` (one transaction that
    fits in a block) and how many there are; the tokens are those the batch's datasets owe in."""
    from opencommons.index.explorer import CLAIM_BATCH, _owed
    from opencommons.index.reads import Earning

    erc20 = "0x" + "11" * 20
    rows = [Earning(f"{k:064x}", NATIVE, 100, 0, 5) for k in range(1, 2 * CLAIM_BATCH + 51)]
    rows.append(Earning(f"{2 * CLAIM_BATCH:064x}", erc20, 100, 0, 7))  # owed in a token past the batch only
    owed = _owed(rows)
    assert owed["count"] == 2 * CLAIM_BATCH + 50
    assert owed["datasets"] == [str(k) for k in range(1, CLAIM_BATCH + 1)]
    assert owed["tokens"] == [NATIVE]
    rows.append(Earning(f"{1:064x}", erc20, 100, 0, 7))
    assert _owed(rows)["tokens"] == [NATIVE, erc20]
    assert _owed(rows[:3]) == {"count": 3, "datasets": ["1", "2", "3"], "tokens": [NATIVE]}
