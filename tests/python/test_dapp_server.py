"""`commons dapp`'s local API: `/rpc` forwards chain reads only, and no foreign page can make the
server do anything (Origin and Content-Type are checked on every POST)."""
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from web3 import Web3

from opencommons.chain.transactions import NodeAccount
from opencommons.connection import load_deployment
from opencommons.dapp_server import DappServer
from opencommons.ipfs.content import open_store


@pytest.fixture(scope="module")
def server(chain_env):
    w3 = chain_env["w3"]
    commons = load_deployment(w3, chain_env["root"] / "deployments")
    app = DappServer(commons, chain_env["url"], open_store("embedded", chain_env["root"] / "dapp-ipfs"),
                     NodeAccount(Web3.to_checksum_address(w3.eth.accounts[0])), port=0,
                     cache=chain_env["root"] / "previews")
    threading.Thread(target=app.serve_forever, daemon=True).start()
    yield app
    app.shutdown()


def post(server, path, body, content_type="application/json", origin=None, headers=None):
    headers = {"Content-Type": content_type, **(headers or {})}
    if origin:
        headers["Origin"] = origin
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def send_tx(w3, sender):
    return {"jsonrpc": "2.0", "id": 1, "method": "eth_sendTransaction",
            "params": [{"from": sender, "to": w3.eth.accounts[9], "value": hex(10**18)}]}


def test_rpc_forwards_reads(server, chain_env):
    status, reply = post(server, "/rpc", {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    assert status == 200 and int(reply["result"], 16) == chain_env["w3"].eth.chain_id


def test_rpc_forwards_batched_reads(server, chain_env):
    batch = [{"jsonrpc": "2.0", "id": i, "method": m, "params": []} for i, m in enumerate(("eth_chainId", "eth_blockNumber"))]
    status, reply = post(server, "/rpc", batch)
    assert status == 200 and [r["id"] for r in reply] == [0, 1]


@pytest.mark.parametrize("method", ["eth_sendTransaction", "eth_sign", "eth_signTypedData_v4",
                                    "personal_sign", "anvil_setBalance", "evm_mine", "eth_accounts"])
def test_rpc_refuses_methods_that_are_not_reads(server, chain_env, method):
    w3 = chain_env["w3"]
    before = w3.eth.get_balance(w3.eth.accounts[0])
    request = send_tx(w3, w3.eth.accounts[0]) if method == "eth_sendTransaction" else \
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": []}
    status, reply = post(server, "/rpc", request)
    assert status == 403 and f"RPC method '{method}' is not forwarded" in reply["error"]
    assert w3.eth.get_balance(w3.eth.accounts[0]) == before


def test_rpc_refuses_a_batch_hiding_a_transaction(server, chain_env):
    w3 = chain_env["w3"]
    before = w3.eth.get_balance(w3.eth.accounts[9])
    status, _ = post(server, "/rpc", [{"jsonrpc": "2.0", "id": 0, "method": "eth_chainId"}, send_tx(w3, w3.eth.accounts[0])])
    assert status == 403 and w3.eth.get_balance(w3.eth.accounts[9]) == before


def test_rpc_refuses_text_plain_post_from_a_foreign_page(server, chain_env):
    """The attack: a page on another origin posts text/plain (no CORS preflight) to /rpc."""
    w3 = chain_env["w3"]
    before = w3.eth.get_balance(w3.eth.accounts[9])
    body = json.dumps(send_tx(w3, w3.eth.accounts[0])).encode()
    status, reply = post(server, "/rpc", body, content_type="text/plain", origin="http://evil.example")
    assert status == 403 and "origin 'http://evil.example' are refused" in reply["error"]
    status, reply = post(server, "/rpc", body, content_type="text/plain")
    assert status == 415 and "Content-Type must be application/json" in reply["error"]
    assert w3.eth.get_balance(w3.eth.accounts[9]) == before


@pytest.mark.parametrize("path", ["/api/ipfs/add", "/api/relay/register", "/api/relay/vote", "/api/relay/claim"])
def test_api_refuses_foreign_origin(server, path):
    status, reply = post(server, path, {"name": "x"}, origin="http://evil.example")
    assert status == 403 and "refused" in reply["error"]


def test_api_ipfs_add_accepts_own_origin_json(server):
    status, reply = post(server, "/api/ipfs/add", {"name": "Amina"}, origin=f"http://127.0.0.1:{server.port}")
    assert status == 200 and reply["cid"].startswith("bafkrei")


def test_api_ipfs_add_refuses_form_post(server):
    status, reply = post(server, "/api/ipfs/add", b"name=x", content_type="application/x-www-form-urlencoded")
    assert status == 415 and "application/x-www-form-urlencoded" in reply["error"]


def test_api_relay_claim_refuses_when_nothing_is_owed(server):
    account = "0x" + "12" * 20
    status, reply = post(server, "/api/relay/claim", {"account": account, "datasetIds": ["1"],
                                                     "tokens": ["0x" + "00" * 20]},
                         origin=f"http://127.0.0.1:{server.port}")
    assert status == 400 and "has nothing to claim from these datasets: nothing relayed" in reply["error"]


def _get(server, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=30) as reply:
            return reply.status, reply.headers, reply.read()  # case-insensitive names
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_ipfs_route_serves_verified_content_sandboxed_and_config_names_it(server, tmp_path):
    from opencommons.ipfs.store import EmbeddedStore

    d = tmp_path / "site"
    d.mkdir()
    (d / "page.html").write_text("<script>fetch('/api/relay/vote')</script>")
    (d / "big.bin").write_bytes(bytes(range(256)) * 4000)
    cid = server.store.add_path(d, 1)
    status, headers, body = _get(server, f"/ipfs/{cid}/page.html")
    assert status == 200 and body.startswith(b"<script>")
    assert headers["Content-Security-Policy"] == "sandbox" and headers["X-Content-Type-Options"] == "nosniff"
    status, _, body = _get(server, f"/ipfs/{cid}/big.bin")
    assert status == 200 and body == (d / "big.bin").read_bytes()
    status, _, listing = _get(server, f"/ipfs/{cid}")
    assert status == 200 and b"big.bin" in listing and b"page.html" in listing
    assert _get(server, f"/ipfs/{cid}/missing")[0] == 404
    assert _get(server, "/ipfs/notacid")[0] == 400
    status, _, body = _get(server, "/api/config")
    assert json.loads(body)["gateway"] == "/ipfs/"
    # a corrupted block is never served as content
    leaf = server.store.add_bytes(b"precious", 1)
    store = EmbeddedStore(server.store.store.home)
    store._path(leaf).write_bytes(b"tampered")
    assert _get(server, f"/ipfs/{leaf}")[0] == 400


def raw_request(server, text):
    """A request written by hand (headers urllib would correct), the server's answer as (status, body)."""
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(text.encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body) if body.startswith(b"{") else body


def test_dns_rebinding_page_is_refused_on_every_route(server, chain_env):
    """A stranger's page at evil.example, whose name resolves to 127.0.0.1: the browser sends its
    own Host and Origin, which the old check accepted as "same origin"."""
    rebound = {"Host": f"evil.example:{server.port}"}
    status, reply = post(server, "/api/ipfs/add", {"name": "x"}, origin=f"http://evil.example:{server.port}",
                         headers=rebound)
    assert status == 421 and f"does not answer to the host 'evil.example:{server.port}'" in reply["error"]
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/config", headers=rebound)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 421
    # its own names still work, an operator-named one too
    assert post(server, "/rpc", {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
                origin=f"http://localhost:{server.port}", headers={"Host": f"localhost:{server.port}"})[0] == 200


def test_negative_or_malformed_content_length_is_refused(server):
    """Refused by the HTTP parser (h11, under uvicorn) before the app reads a byte: the old
    hand-written handler read `-1` as "read to the end"."""
    for length in ("-1", "abc", "1e9"):
        status, reply = raw_request(server, f"POST /api/ipfs/add HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                                            f"Content-Type: application/json\r\nContent-Length: {length}\r\n"
                                            "Connection: close\r\n\r\n{}")
        assert status == 400 and not (isinstance(reply, dict) and "cid" in reply)


def test_body_without_a_length_is_cut_at_the_limit(server):
    """A chunked body (no Content-Length) is read only up to the limit, then refused."""
    from opencommons.dapp_server import MAX_BODY

    chunk = b"[" + b"0," * (64 * 1024)
    pieces = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY // len(chunk) + 2))
    status, reply = raw_request(server, f"POST /api/ipfs/add HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                        "Connection: close\r\n\r\n" + pieces.decode() + "0\r\n\r\n")
    assert status == 413 and f"more than {MAX_BODY} bytes" in reply["error"]
    declared = raw_request(server, f"POST /api/ipfs/add HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                                   f"Content-Type: application/json\r\nContent-Length: {MAX_BODY + 1}\r\n"
                                   "Connection: close\r\n\r\n")
    assert declared[0] == 413 and f"({MAX_BODY + 1} bytes, at most {MAX_BODY})" in declared[1]["error"]


def test_unknown_endpoints_answer_in_json(server):
    status, reply = post(server, "/api/nothing", {})
    assert status in (404, 405) and "no such endpoint POST /api/nothing" in reply["error"]
    status, reply = post(server, "/api/relay/mint", {})
    assert status == 404 and reply["error"] == "no such endpoint POST /api/relay/mint"


def test_relayed_claim_carries_only_what_is_owed_and_the_relayer_is_budgeted(server, chain_env):
    from opencommons.dapp_server import RelayBudget, RequestRefused

    budget = RelayBudget(per_account=2, per_client=3, total=4)
    budget.spend("0xA", "1.1.1.1")
    budget.spend("0xA", "1.1.1.1")
    with pytest.raises(RequestRefused, match="(?i)already paid for 2 transactions of account 0xA in the last hour"):
        budget.spend("0xa", "2.2.2.2")
    budget.spend("0xB", "1.1.1.1")
    with pytest.raises(RequestRefused, match="of address 1.1.1.1 in the last hour"):
        budget.spend("0xC", "1.1.1.1")
    budget.spend("0xC", "3.3.3.3")
    with pytest.raises(RequestRefused, match="of this server in the last hour"):
        budget.spend("0xD", "4.4.4.4")
    # padded with thousands of ids nobody owes anything on: nothing relayed, no gas spent
    w3 = chain_env["w3"]
    relayer = server.relayer.address
    before = w3.eth.get_balance(relayer)
    status, reply = post(server, "/api/relay/claim", {"account": w3.eth.accounts[3],
                                                      "datasetIds": [str(i) for i in range(1, 3000)],
                                                      "tokens": ["0x" + "00" * 20]})
    assert status == 400 and "has nothing to claim" in reply["error"] and w3.eth.get_balance(relayer) == before


def test_staged_uploads_expire(server, monkeypatch):
    import time

    from opencommons import dapp_publish

    publisher = server.publisher
    fake = type("S", (), {"at": time.monotonic() - dapp_publish.STAGE_TTL - 1,
                          "directory": publisher.root / "gone"})()
    (publisher.root / "gone").mkdir()
    publisher.staged["bafyold"] = fake
    assert publisher.expire() == 1 and "bafyold" not in publisher.staged and not (publisher.root / "gone").exists()


def test_commons_dapp_on_a_port_in_use_says_so_in_one_line(chain_env, tmp_path):
    import socket

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>dApp</title>")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = chain_env["run"]("dapp", "--port", str(port), "--no-index",
                                extra_env={"OPENCOMMONS_DAPP_DIST": str(dist)})
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use): another program uses it; choose "
        "another port with --port"]


def test_commons_version_prints_the_version(chain_env):
    from opencommons import __version__

    proc = chain_env["run"]("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"commons (OpenCommons) {__version__}"


def test_public_url_is_allowed_and_config_names_commons_chain_and_reference(chain_env):
    """Behind a real host name (`--public-url`): its Host and Origin are allowed, any other still
    refused; the page is told which commons and chain it acts on."""
    w3 = chain_env["w3"]
    commons = load_deployment(w3, chain_env["root"] / "deployments")
    app = DappServer(commons, chain_env["url"], open_store("embedded", chain_env["root"] / "dapp-ipfs"),
                     NodeAccount(Web3.to_checksum_address(w3.eth.accounts[0])), port=0,
                     public_url="https://data.example.org")
    threading.Thread(target=app.serve_forever, daemon=True).start()
    try:
        public = {"Host": "data.example.org"}
        status, reply = post(app, "/api/ipfs/add", {"name": "x"}, origin="https://data.example.org", headers=public)
        assert status == 200 and reply["cid"].startswith("bafkrei")
        status, reply = post(app, "/api/ipfs/add", {"name": "x"}, origin="https://evil.example",
                             headers={"Host": "evil.example"})
        assert status == 421
        request = urllib.request.Request(f"http://127.0.0.1:{app.port}/api/config", headers=public)
        with urllib.request.urlopen(request, timeout=30) as reply:
            config = json.loads(reply.read())
        assert config["commons"] == "the directly deployed suite" and config["commonsKey"] == "suite"
        assert config["chainName"] == "Anvil (local) (chain 31337)" and config["walletRpc"] == chain_env["url"]
        assert config["reference"].startswith("opencommons:31337@") and "/suite/" in config["reference"]
        assert [c["key"] for c in config["choices"]] == ["suite"]
        # the contracts' ABIs are not in the config every page reads, but asked for by what builds a contract
        assert "abis" not in config and "errors" not in config
        request = urllib.request.Request(f"http://127.0.0.1:{app.port}/api/abis", headers=public)
        with urllib.request.urlopen(request, timeout=30) as reply:
            abis = json.loads(reply.read())
        assert set(abis["abis"]) == set(config["addresses"])
        assert {"type": "function", "name": "claim"}.items() <= next(
            item for item in abis["abis"]["RoyaltyVault"] if item.get("name") == "claim").items()
        assert "RoyaltyVaultNothingToClaim" in {e["name"] for e in abis["errors"]} and all(e["type"] == "error" for e in abis["errors"])
    finally:
        app.shutdown()


def test_the_page_carries_its_config_written_so_no_name_can_end_the_script(chain_env, tmp_path):
    """The app's page comes with the config `/api/config` answers written in it (no request before
    a page's first read); a commons' name is a stranger's text, and a `</script>` in it stays text.
    A file the app does not have is a 404, not the page."""
    w3 = chain_env["w3"]
    commons = load_deployment(w3, chain_env["root"] / "deployments")
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(f"<!doctype html><head>{DappServer.CONFIG_PRELOAD}</head><body></body>")
    (dist / "assets" / "app.js").write_text("export {};")
    hostile = "</script><script>alert(1)</script><!--"
    app = DappServer(commons, chain_env["url"], open_store("embedded", chain_env["root"] / "dapp-ipfs"),
                     NodeAccount(Web3.to_checksum_address(w3.eth.accounts[0])), port=0, dist=dist, label=hostile)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    try:
        config = json.loads(fetch(app, "/api/config")[2])
        assert config["commons"] == hostile
        for path in ("/", "/index.html", "/anything/a/page/routes"):
            status, headers, body = fetch(app, path)
            page = body.decode()
            assert status == 200 and headers["content-type"].startswith("text/html") and headers["cache-control"] == "no-cache"
            found = re.fullmatch(r'<!doctype html><head><script type="application/json" id="opencommons-config">'
                                 r'(.*?)</script></head><body></body>', page)
            assert found, page[:300]
            assert "<" not in found[1] and json.loads(found[1]) == config, path
        assert fetch(app, "/assets/app.js")[2] == b"export {};"
        for missing in ("/assets/gone-1234.js", "/favicon.ico", "/x/logo.png"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                fetch(app, missing)
            assert refused.value.code == 404 and json.loads(refused.value.read())["error"].startswith("no such file")
    finally:
        app.shutdown()


def fetch(server, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=30) as reply:
        return reply.status, dict(reply.headers), reply.read()


def test_a_dataset_has_a_page_with_its_card_and_croissant_a_sitemap_and_a_car(server, chain_env, tmp_path):
    """Issue 38 (its first part): `/datasets/ID` for people and search engines (no script runs,
    the Croissant JSON-LD embedded, the README's script shown as text), `/sitemap.xml`,
    `/robots.txt`, `/api/card/ID` for the explorer, and `/ipfs/CID?format=car` whose every block
    re-hashes when imported. The data: palmerpenguins' CSV."""
    from importlib.resources import files

    from opencommons.ipfs.car import import_car
    from opencommons.ipfs.cid import Cid
    from opencommons.ipfs.directory import resolve
    from opencommons.ipfs.store import EmbeddedStore, cat

    run, accounts = chain_env["run"], chain_env["accounts"]
    folder = tmp_path / "penguins"
    folder.mkdir()
    penguins = Path(str(files("palmerpenguins") / "data" / "penguins.csv")).read_bytes()
    (folder / "penguins.csv").write_bytes(penguins)
    (folder / "README.md").write_text("# Palmer penguins\n\nSee [the table](penguins.csv).\n\n"
                                      "</script><script>alert(1)</script>\n")
    home = str(chain_env["root"] / "dapp-ipfs")
    assert run("contributor", "register", "--name", "Allison", "--community", "AQ/ecology", "--account", "1",
               "--home", home).returncode == 0
    out = run("dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology", "--name",
              "Palmer penguins", "--description", "Penguins </script> of the Palmer archipelago",
              "--name-in", "sw=Pengwini wa Palmer", "--description-in", "sw=Pengwini wa visiwa vya Palmer",
              "--name-in", "pt-BR=Pinguins de Palmer", "--contributor",
              f"{accounts[1]}=10000", "--account", "1", "--home", home, "--json")
    assert out.returncode == 0, out.stderr
    dataset, content = json.loads(out.stdout)["dataset"], json.loads(out.stdout)["content"]

    status, headers, body = fetch(server, f"/datasets/{dataset}")
    page = body.decode()
    assert status == 200 and "script-src" not in headers["content-security-policy"]
    assert headers["content-security-policy"].startswith("default-src 'none'")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [attrs for attrs, _ in scripts] == [' type="application/ld+json"']  # the README's script is text
    described = json.loads(scripts[0][1])
    assert described["name"] == "Palmer penguins" and described["url"] == f"{server.public_url}/datasets/{dataset}"
    assert described["description"][0] == "Penguins </script> of the Palmer archipelago"
    assert f'<a href="/ipfs/{content}/penguins.csv" rel="noopener noreferrer nofollow ugc">the table</a>' in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f"/ipfs/{content}?format=car" in page and "CC0-1.0" in page

    # in the commons' languages: asked for, or the browser's; each page names the others for search engines
    swahili = fetch(server, f"/datasets/{dataset}?lang=sw")[2].decode()
    assert '<html lang="sw">' in swahili and "<h2>Pakua</h2>" in swahili and "<dt>Leseni</dt>" in swahili
    assert "Imependekezwa" in swahili  # Proposed
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/datasets/{dataset}",
                                     headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        french, language = reply.read().decode(), reply.headers["Content-Language"]
    assert language == "fr" and "<h2>Télécharger</h2>" in french
    assert "<h1>Pengwini wa Palmer</h1>" in swahili and "Pengwini wa visiwa vya Palmer" in swahili
    assert "<h1>Palmer penguins</h1>" in french  # no French name: the one it was published with
    portuguese = fetch(server, f"/datasets/{dataset}?lang=pt")[2].decode()
    assert "<h1>Pinguins de Palmer</h1>" in portuguese  # pt-BR serves pt
    # language-tagged in the manifest and the Croissant (which mlcroissant still validates)
    from opencommons.ml.croissant import validate

    assert described["alternateName"] == [{"@value": "Pengwini wa Palmer", "@language": "sw"},
                                          {"@value": "Pinguins de Palmer", "@language": "pt-BR"}]
    assert described["description"][1] == {"@value": "Pengwini wa visiwa vya Palmer", "@language": "sw"}
    assert validate(json.loads(json.dumps({k: v for k, v in described.items() if k != "url"}))) == []  # a copy
    for code in ("en", "sw", "pt", "fr"):
        assert f'hreflang="{code}" href="{server.public_url}/datasets/{dataset}?lang={code}"' in french
    assert described == json.loads(re.findall(r'<script type="application/ld\+json">(.*?)</script>', french)[0])

    _, _, xml = fetch(server, "/sitemap.xml")
    assert f"<loc>{server.public_url}/datasets/{dataset}</loc>".encode() in xml
    _, _, robots = fetch(server, "/robots.txt")
    assert f"Sitemap: {server.public_url}/sitemap.xml".encode() in robots
    _, _, card = fetch(server, f"/api/card/{dataset}")
    shown = json.loads(card)
    assert shown["readme"] == "README.md" and shown["card"].startswith("<h1>Palmer penguins</h1>")
    assert shown["names"] == {"sw": "Pengwini wa Palmer", "pt-BR": "Pinguins de Palmer"}
    assert [d["label"] for d in shown["downloads"]] == ["README.md", "penguins.csv", "Croissant metadata (JSON-LD)",
                                                        "Everything, as a CAR (verifiable)"]

    status, headers, car = fetch(server, f"/ipfs/{content}?format=car")
    assert status == 200 and headers["content-type"] == "application/vnd.ipld.car"
    (tmp_path / "penguins.car").write_bytes(car)
    copy = EmbeddedStore(tmp_path / "copy")
    assert import_car(copy, tmp_path / "penguins.car") == [Cid.parse(content)]
    assert b"".join(cat(copy, resolve(copy, f"/ipfs/{content}/penguins.csv"))) == penguins
    # a stale or mistyped link gets a page saying so, in the reader's language, never indexed
    status, headers, body = fetch_error(server, "/datasets/12345?lang=sw")
    assert status == 404 and headers["content-type"].startswith("text/html"), (status, body)
    assert "<h1>Hakuna seti ya data hapa</h1>" in body.decode() and "dataset 12345 does not exist" in body.decode()
    assert '<meta name="robots" content="noindex">' in body.decode()
    status, _, body = fetch_error(server, "/datasets/rivers")
    assert status == 400 and "<h1>No dataset here</h1>" in body.decode() and "rivers" in body.decode()
    bad = run("dataset", "publish", str(folder), "--license", "CC0-1.0", "--commons", "AQ/ecology", "--name-in",
              "Swahili=Pengwini", "--contributor", f"{accounts[1]}=10000", "--account", "1", "--home", home)
    assert bad.returncode == 1 and "'Swahili' is not a language tag (sw, fr, pt-BR...)" in bad.stderr + bad.stdout

    # the viewer: rows a page at a time, searchable; what each column holds
    _, _, body = fetch(server, f"/api/preview/{dataset}/rows?limit=5&offset=2&q=chinstrap")
    page = json.loads(body)
    assert (page["recordSet"], page["total"], page["matched"], page["offset"]) == ("penguins", 344, 68, 2)
    assert len(page["rows"]) == 5 and all(row[0] == "Chinstrap" for row in page["rows"])
    _, _, body = fetch(server, f"/api/preview/{dataset}/columns")
    described = {c["name"]: c for c in json.loads(body)["columns"]}
    assert described["species"]["top"] == [["Adelie", 152], ["Gentoo", 124], ["Chinstrap", 68]]
    assert described["bill_length_mm"]["type"] == "number" and described["bill_length_mm"]["missing"] == round(2 / 344, 4)
    assert sum(described["body_mass_g"]["histogram"]["counts"]) == 342 and described["year"]["type"] == "integer"
    for bad, message in ((f"/api/preview/{dataset}/rows?limit=1000", "holds 1 to 200 rows"),
                         (f"/api/preview/{dataset}/everything", "ask for rows or columns"),
                         (f"/api/preview/{dataset}/rows?set=nope", "no record set 'nope'")):
        status, _, body = fetch_error(server, bad)
        assert status == 400 and message in json.loads(body)["error"], body


def fetch_error(server, path):
    try:
        return fetch(server, path)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_every_module_a_handler_imports_is_imported_before_the_first_request():
    """Handlers import lazily; two worker threads importing one module for the first time at once
    handed one of them a half-initialised module (a dataset page asks for its models and its
    training record together: "cannot import name 'model_view'", an HTTP 500, in CI). The server
    imports the library when it is built: in a fresh interpreter, every module named by a lazy
    `from .X import` in dapp_server.py is loaded by then."""
    import subprocess
    import sys

    source = (Path(__file__).resolve().parents[2] / "opencommons" / "dapp_server.py").read_text("utf-8")
    lazy = sorted({"opencommons" + (m if m != "." else "") for m in re.findall(r"^ +from (\.[\w.]*) import", source, re.M)})
    assert "opencommons.ml.training" in lazy and len(lazy) > 15
    probe = ("import sys; import opencommons.dapp_server as d; before = set(sys.modules); d._import_the_library(); "
             f"missing = [m for m in {lazy!r} if m not in sys.modules]; print(missing, 'opencommons.ml.training' in before)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "False"]  # all loaded, and training was not loaded before
